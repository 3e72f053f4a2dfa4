"""How API clients prove who they are, and what a locked-out log-in is answered.

- ApiTokenAuthentication: a personal token (django-rest-knox, stored as a digest) in
  `Authorization: Token <key>`; each use is noted, to the minute, for `GET /api/me/token/`.
- lockout_response: what django-axes answers a locked-out log-in with: the API's error shape
  under /api/, one plain sentence elsewhere (the Django admin's log-in page).
"""

from __future__ import annotations

import binascii
from hmac import compare_digest

from axes.helpers import get_cool_off
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from knox.signals import token_expired
from rest_framework import exceptions

from accounts.member_version import member_changed
from accounts.signed_in import tokens_with_users

MSG_LOCKED_OUT = "Too many failed log-ins: try again in {minutes} minutes."
LOCKED_OUT_CODE = "locked_out"


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token check, with the token, its member and the member's flags read in one
    statement (accounts.signed_in), plus a note of when the token was last used.

    knox reads the tokens with their user, then the user's other tokens (to delete expired
    ones), then the group and time zone were asked apart: four queries before a signed-in
    API request did its own work. A member holds one token at a time (issuing one revokes
    the older: accounts.services.api_token_create), so there are no others to clean; an
    expired token is deleted when it is shown, as knox does, with its token_expired signal."""

    def authenticate_credentials(self, token: bytes):
        from accounts.services import api_token_touch

        msg = _("Invalid token.")
        text = token.decode("utf-8")
        for auth_token in tokens_with_users(text[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                member_changed(auth_token.user_id)  # no process keeps the token
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error) as exc:
                raise exceptions.AuthenticationFailed(msg) from exc
            if compare_digest(digest, auth_token.digest):
                user, auth_token = self.validate_user(auth_token)
                api_token_touch(token=auth_token)
                return user, auth_token
        raise exceptions.AuthenticationFailed(msg)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )


def lockout_seconds(request=None) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_message(request=None) -> str:
    return MSG_LOCKED_OUT.format(minutes=max(1, round(lockout_seconds(request) / 60)))


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE. The API's log-in view has already answered in the error shape
    (see LoginView); that answer is kept. Other log-ins get a fresh 429."""
    seconds = lockout_seconds(request)
    if original_response is not None and original_response.status_code == 429:
        response = original_response
    elif request.path.startswith("/api/"):
        body = {"code": LOCKED_OUT_CODE, "message": lockout_message(request)}
        response = JsonResponse({"error": {**body, "retry_after": seconds}}, status=429)
    else:
        response = HttpResponse(
            lockout_message(request), status=429, content_type="text/plain; charset=utf-8"
        )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
