"""The DRF permissions of roles, for the endpoints of every app."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from accounts.roles import is_moderator

MSG_MODERATORS_ONLY = "Only moderators can do this."


class ModeratorsOnly(BasePermission):
    """Moderators only, before the view runs: anonymous clients get a 401 (with the
    WWW-Authenticate the API's authentication gives), others a 403."""

    message = MSG_MODERATORS_ONLY

    def has_permission(self, request, view) -> bool:
        return is_moderator(request.user)
