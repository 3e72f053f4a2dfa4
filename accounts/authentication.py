"""How API clients prove who they are, and what a locked-out log-in is answered.

- ApiTokenAuthentication: a personal token (django-rest-knox, stored as a digest) in
  `Authorization: Token <key>`; each use is noted, to the minute, for `GET /api/me/token/`.
- lockout_response: what django-axes answers a locked-out log-in with: the API's error shape
  under /api/, one plain sentence elsewhere (the Django admin's log-in page).
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.http import HttpResponse, JsonResponse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication

MSG_LOCKED_OUT = "Too many failed log-ins: try again in {minutes} minutes."
LOCKED_OUT_CODE = "locked_out"


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token check, plus a note of when the token was last used."""

    def authenticate_credentials(self, token):
        from accounts.services import api_token_touch

        user, auth_token = super().authenticate_credentials(token)
        api_token_touch(token=auth_token)
        return user, auth_token


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
