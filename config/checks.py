"""System checks of the project's own settings (`manage.py check`; `--deploy` for some)."""

from django.conf import settings
from django.core import checks

# E-mail backends that deliver nothing: with one of them a password-reset link goes to the log
# (console), to memory or to a file, never to the person who asked for it.
UNDELIVERED_EMAIL_BACKENDS = frozenset(
    f"django.core.mail.backends.{name}.EmailBackend"
    for name in ("console", "locmem", "dummy", "filebased")
)
MSG_EMAIL_UNDELIVERED = (
    "EMAIL_URL (or EMAIL_BACKEND) must name a mail server, such as "
    "smtp+tls://user:password@host:587, when DEBUG is off: {backend} delivers nothing."
)


@checks.register(checks.Tags.security, deploy=True)
def check_email_delivers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The settings refuse to load with such a backend and DEBUG off; a deployment checked
    with DEBUG on (or settings changed after loading) is told here."""
    backend = settings.EMAIL_BACKEND
    if backend in UNDELIVERED_EMAIL_BACKENDS:
        return [checks.Error(MSG_EMAIL_UNDELIVERED.format(backend=backend), id="paperboard.E001")]
    return []
