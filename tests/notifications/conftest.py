"""Fixtures of the inbox's tests: members, a published paper, and the writes' hooks run as
in production (the tasks they send run in the test's thread, once the write commits)."""

import pytest

from tests.factories import ModeratorFactory, PaperFactory, UserFactory


@pytest.fixture(autouse=True)
def _only_the_inbox_after_papers_change(settings):
    """The writes of papers send the inbox's sweep; the recommendations' refresh (also sent)
    is not what these tests are about."""
    settings.PAPERS_CHANGED_TASKS = ["notifications.tasks.announce_papers"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the block's on-commit callbacks (the hooks, then the tasks
    they send) when it ends, as a committed transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def cyd(db):
    return UserFactory(username="cyd")


@pytest.fixture
def moderator(db):
    return ModeratorFactory(username="mod")


@pytest.fixture
def paper(db):
    return PaperFactory(title="Attention Is Enough", abstract="We study attention heads.")


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free port; Django sends its mail there."""
    from tests.notifications.servers import start_smtp

    server = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://paperboard.example"
    yield server
    server.handler.gate.set()
    server.controller.stop()


@pytest.fixture
def receiver(settings):
    """A real HTTP server that receives webhooks (on 127.0.0.1, which the setting allows)."""
    from tests.notifications.servers import start_receiver

    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    server = start_receiver()
    yield server
    assert server.server is not None
    server.server.shutdown()
    server.server.server_close()
