"""Permission checks shared by the services; each raises the DomainError the API shows."""

from __future__ import annotations

from config.errors import DomainError
from curation.permissions import is_member, is_moderator

MSG_SIGN_IN = "Sign in to do this."
MSG_MODERATORS_ONLY = "Only moderators can do this."


def require_member(user) -> None:
    if not is_member(user):
        raise DomainError(MSG_SIGN_IN, code="not_authenticated", status_code=401)


def require_moderator(user) -> None:
    require_member(user)
    if not is_moderator(user):
        raise DomainError(MSG_MODERATORS_ONLY, code="permission_denied", status_code=403)


def clean_reason(reason: str | None) -> str:
    return (reason or "").strip()
