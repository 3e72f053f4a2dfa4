"""Accounts: sign-up, passwords, and the personal API token.

Import this module directly (`from accounts.services import user_signup`).

Invalid input is refused with a DomainError whose `fields` name the field at fault, the same
shape as a serializer's validation error (config.api), so a client reads both alike.

Personal API tokens are django-rest-knox tokens: the database holds a SHA-512 digest and the
first characters (the prefix shown back to the owner), never the token itself. A member has at
most one; creating a new one replaces the old one at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from knox.models import AuthToken

from accounts.member_version import member_changed
from accounts.models import TIME_ZONE_MAX_LENGTH, MemberTimeZone
from accounts.roles import Viewer, require_member
from accounts.time_zones import TIME_ZONE_ATTR, time_zone_is_known
from config.errors import DomainError

MSG_USERNAME_TAKEN = "This username is already taken."
MSG_TOO_LONG = "At most {limit} characters."
USERNAME_MAX = 150
EMAIL_MAX = 254
PASSWORD_MAX = 4096
MSG_WRONG_PASSWORD = "Your current password is not correct."
MSG_RESET_LINK_INVALID = "This password reset link is not valid or has expired."

RESET_EMAIL_SUBJECT = "Set a new Paperboard password"
RESET_EMAIL_BODY = """Hello {username},

Someone, hopefully you, asked to set a new password for your Paperboard account.
Follow this link to choose one; it works once, for {hours} hours:

{link}

If you did not ask for this, ignore this message: your password stays as it is.
"""

# A token's last use is noted at most once a minute: a busy client must not write each time.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _invalid(field: str, messages: list[str], *, code: str = "invalid") -> DomainError:
    return DomainError(messages[0], code=code, extra={"fields": {field: messages}})


def _validate_password(password: str, user: User, *, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise _invalid(field, list(error.messages)) from error


def _set_new_password(user: User, new_password: str) -> None:
    """The one way a password changes. Whoever knew the old one may hold the account's API
    token or a session: the token is revoked, and every session made with the old password
    ends (Django checks a hash of the password in each session; a caller that must keep its
    own calls update_session_auth_hash)."""
    _validate_password(new_password, user, field="new_password")
    user.set_password(new_password)
    _password_changed(user)


def _password_changed(user) -> None:
    user.save(update_fields=["password"])
    member_changed(user.pk)  # the sessions made with the old one end in every process
    api_token_revoke(user=user)


# Letters, digits and @ . + - _ of ASCII only: a name in another script ("mоd1" with a Cyrillic
# о) could pass for a member's or a moderator's next to their comments.
_username_validator = ASCIIUsernameValidator()


# --- Sign-up and passwords ----------------------------------------------------------------


def username_check(*, username: str, user=None) -> None:
    """Whether `username` may name an account (`user`, when it is renamed): ASCII letters,
    digits and @ . + - _ only, and no other account's name whatever the case, so "Alice"
    cannot pass for "alice" next to her comments. Sign-up and the admin's user forms ask."""
    try:
        _username_validator(username)
    except ValidationError as error:
        raise _invalid("username", list(error.messages)) from error
    others = get_user_model().objects.filter(username__iexact=username)
    if user is not None and user.pk is not None:
        others = others.exclude(pk=user.pk)
    if others.exists():
        raise _invalid("username", [MSG_USERNAME_TAKEN], code="duplicate")


@transaction.atomic
def user_signup(*, username: str, email: str, password: str):
    """Create a member (no role beyond that). The caller logs them in."""
    User = get_user_model()
    username = (username or "").strip()
    email = User.objects.normalize_email((email or "").strip())
    password = password or ""
    for field, value, limit in (
        ("username", username, USERNAME_MAX),
        ("email", email, EMAIL_MAX),
        ("password", password, PASSWORD_MAX),
    ):
        if len(value) > limit:
            raise _invalid(field, [MSG_TOO_LONG.format(limit=limit)])
    username_check(username=username)
    try:
        validate_email(email)
    except ValidationError as error:
        raise _invalid("email", list(error.messages)) from error
    # An address may serve several accounts (a reset link goes to each): refusing one in use
    # would tell anyone who tries which addresses have an account here.
    _validate_password(password, User(username=username, email=email))
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError as error:  # the same name, signed up a moment earlier
        raise _invalid("username", [MSG_USERNAME_TAKEN], code="duplicate") from error


class LockedOut(DomainError):
    """Too many failed password checks from this address (django-axes)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(
            message, code="locked_out", status_code=429, extra={"retry_after": retry_after}
        )


def password_change(*, user: Viewer, old_password: str, new_password: str, request) -> None:
    """Set a new password after checking the current one, as a log-in does: through
    django-axes, so wrong current passwords count toward the lockout of the username from the
    client's address (`request`, the HTTP request) and a locked-out client is refused even
    with the right one. The API token is revoked and other sessions end (_set_new_password).

    Not one transaction: the failed check's record (django-axes writes it) must outlive the
    refusal; the change itself is."""
    from accounts.authentication import lockout_message, lockout_seconds

    user = require_member(user)
    checked = authenticate(request, username=user.get_username(), password=old_password)
    if checked is None or checked.pk != user.pk:
        if getattr(request, "axes_locked_out", False):
            raise LockedOut(lockout_message(request), lockout_seconds(request))
        raise _invalid("old_password", [MSG_WRONG_PASSWORD])
    with transaction.atomic():
        _set_new_password(user, new_password)


@transaction.atomic
def password_set(*, user: User, new_password: str) -> None:
    """Set a password already checked by the caller's form (Django's reset-link page): the
    same rules and consequences as every other change (_set_new_password), and any log-in
    lockout on the username lifted."""
    _set_new_password(user, new_password)
    axes_reset(username=user.get_username())


@transaction.atomic
def password_disable(*, user) -> None:
    """Turn off log-in by password (an admin's choice for an account): as with a change, the
    API token is revoked and every session made with the old password ends."""
    user.set_unusable_password()
    _password_changed(user)


def password_reset_request(*, email: str, origin: str) -> None:
    """Send, off the request, a one-time link to set a new password to each active account
    with this address (accounts.tasks): whether any account has it shows neither in the
    answer nor in its timing."""
    from accounts.tasks import send_password_reset  # the task module imports the services

    # Sent at once, not on commit: the task reads nothing this transaction writes.
    send_password_reset.delay(email.strip(), origin)


def password_reset_send(*, email: str, origin: str) -> int:
    """E-mail the reset link to each active account with this address; return how many were
    sent. `origin` ("https://paperboard.example") makes a relative PASSWORD_RESET_CONFIRM_URL
    absolute."""
    User = get_user_model()
    users = User.objects.filter(email__iexact=email.strip(), is_active=True)
    sent = 0
    for user in users:
        if not user.has_usable_password():
            continue
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = settings.PASSWORD_RESET_CONFIRM_URL.format(uid=uid, token=token)
        if not link.startswith(("http://", "https://")):
            link = origin.rstrip("/") + link
        body = RESET_EMAIL_BODY.format(
            username=user.get_username(),
            link=link,
            hours=max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        )
        send_mail(RESET_EMAIL_SUBJECT, body, None, [user.email])
        sent += 1
    return sent


def _user_from_uid(uidb64: str):
    User = get_user_model()
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return User.objects.get(pk=pk, is_active=True)
    except (TypeError, ValueError, OverflowError, ValidationError, User.DoesNotExist):
        return None


@transaction.atomic
def password_reset_confirm(*, uidb64: str, token: str, new_password: str):
    """Set a new password from a reset link (password_set). The link then stops working (the
    token hashes the password)."""
    user = _user_from_uid(uidb64)
    if user is None or not default_token_generator.check_token(user, token):
        raise DomainError(MSG_RESET_LINK_INVALID, code="invalid_token")
    password_set(user=user, new_password=new_password)
    return user


# --- Personal API token -------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: AuthToken
    secret: str  # shown to the owner once, never stored
    rotated: bool  # True when it replaced an older token


def api_token_get(*, user: User) -> AuthToken | None:
    return AuthToken.objects.filter(user=user).order_by("-created").first()


@transaction.atomic
def api_token_create(*, user: Viewer) -> IssuedToken:
    """Issue the member's token, replacing (and so revoking at once) any older one."""
    user = require_member(user)
    # The user row is the lock: two requests at once still leave one token.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    rotated = _api_tokens_delete(user) > 0
    token, secret = AuthToken.objects.create(user=user)
    return IssuedToken(token=token, secret=secret, rotated=rotated)


@transaction.atomic
def api_token_revoke(*, user: User) -> bool:
    """Revoke the member's token; False when there was none."""
    return _api_tokens_delete(user) > 0


def _api_tokens_delete(user: User) -> int:
    tokens = list(AuthToken.objects.filter(user=user))
    for token in tokens:
        cache.delete(_last_used_key(token))
    if not tokens:
        return 0
    AuthToken.objects.filter(pk__in=[t.pk for t in tokens]).delete()
    member_changed(user.pk)  # no process takes the token any longer
    return len(tokens)


def _last_used_key(token: AuthToken) -> str:
    return f"api-token:last-used:{token.digest[:32]}"


def api_token_touch(*, token: AuthToken) -> None:
    """Note that the token was just used. Kept in the cache, not the database: it is a hint
    for the owner, not an audit log, and costs no write per request."""
    now = timezone.now()
    last = cache.get(_last_used_key(token))
    if last is None or now - last >= LAST_USED_RESOLUTION:
        cache.set(_last_used_key(token), now, timeout=None)


def api_token_last_used(*, token: AuthToken) -> datetime.datetime | None:
    return cache.get(_last_used_key(token))


# --- Time zone ----------------------------------------------------------------------------

MSG_UNKNOWN_TIME_ZONE = "“{name}” is not a time zone this site knows; choose one from the list."


@transaction.atomic
def member_time_zone_set(*, user: Viewer, time_zone: str) -> str:
    """Set the zone `user` reads times in (an IANA name); an empty one means the site's.
    Returns the name kept."""
    user = require_member(user)
    name = (time_zone or "").strip()
    if name and (len(name) > TIME_ZONE_MAX_LENGTH or not time_zone_is_known(name)):
        raise _invalid("time_zone", [MSG_UNKNOWN_TIME_ZONE.format(name=name[:80])])
    MemberTimeZone.objects.update_or_create(user=user, defaults={"time_zone": name})
    member_changed(user.pk)
    setattr(user, TIME_ZONE_ATTR, name)  # what member_time_zone reads of this user now
    return name
