"""Accounts over HTTP: sign-up, log-in and out, passwords, `/api/me/` and the personal token.

Session writes are CSRF-checked. DRF checks them only for signed-in session users, so the
views that anonymous clients write to (sign-up, log-in, password reset) check it themselves:
a browser client first reads a token at `GET /api/auth/csrf/`, then sends it back in the
X-CSRFToken header. Clients that send a personal API token need no CSRF token.
"""

from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.models import User
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import serializers as s
from accounts.authentication import (
    ApiTokenAuthentication,
    lockout_message,
    lockout_seconds,
)
from accounts.backends import ROLES_BACKEND
from accounts.roles import is_admin, is_member, is_moderator
from accounts.services import (
    LockedOut,
    api_token_create,
    api_token_get,
    api_token_last_used,
    api_token_revoke,
    password_change,
    password_reset_confirm,
    password_reset_request,
    user_signup,
)
from config.api.schema import ErrorSerializer
from config.errors import DomainError

MSG_BAD_CREDENTIALS = "The username or the password is not correct."
MSG_RESET_SENT = (
    "If an account uses this address, a link to set a new password is on its way to it."
)

TAGS = ["accounts"]


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


E400 = _error("Invalid input; `fields` names the fields at fault.")
E401 = _error("Not signed in (no session, or a missing or revoked token).")
E403 = _error("CSRF check failed (session clients must send X-CSRFToken).")
E415 = _error("The body is not JSON, a form or multipart.")
E429 = _error("Throttled; `retry_after` says in how many seconds to try again.")


def enforce_csrf(request) -> None:
    """CSRF-check a session write even from an anonymous client (see the module doc)."""
    if isinstance(request.successful_authenticator, ApiTokenAuthentication):
        return
    SessionAuthentication().enforce_csrf(request)


def token_summary(token) -> dict:
    if token is None:
        return {
            "exists": False,
            "prefix": None,
            "created_at": None,
            "expires_at": None,
            "last_used_at": None,
        }
    return {
        "exists": True,
        "prefix": token.token_key,
        "created_at": token.created,
        "expires_at": token.expiry,
        "last_used_at": api_token_last_used(token=token),
    }


def me_payload(user: User) -> dict:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "email": user.email,
        "date_joined": user.date_joined,
        "roles": {
            "member": is_member(user),
            "moderator": is_moderator(user),
            "admin": is_admin(user),
        },
        "token": token_summary(api_token_get(user=user)),
    }


def me_response(user: User, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(s.MeOutputSerializer(me_payload(user)).data, status=status_code)


class CsrfView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="Get a CSRF token",
        description="Also sets the `csrftoken` cookie. Session clients send the token back in "
        "the X-CSRFToken header of every write, log-in included.",
        responses={200: s.CsrfOutputSerializer, 429: E429},
    )
    @method_decorator(ensure_csrf_cookie)
    def get(self, request):
        return Response(s.CsrfOutputSerializer({"csrf_token": get_token(request)}).data)


class SignupView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="Sign up",
        description="Creates a member and signs them in with a session. The password must pass "
        "the site's password rules. The CSRF token changes: read it again.",
        request=s.SignupInputSerializer,
        responses={201: s.MeOutputSerializer, 400: E400, 403: E403, 415: E415, 429: E429},
    )
    def post(self, request):
        enforce_csrf(request)
        data = s.SignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_signup(**data.validated_data)
        login(request._request, user, backend=ROLES_BACKEND)
        return me_response(user, status_code=status.HTTP_201_CREATED)


class LoginView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="Log in",
        description="Starts a session. After repeated failures the username is locked out "
        "from this address for a while (429, code `locked_out`), even with the right "
        "password. The CSRF token changes: read it again.",
        request=s.LoginInputSerializer,
        responses={200: s.MeOutputSerializer, 400: E400, 403: E403, 415: E415, 429: E429},
    )
    def post(self, request):
        enforce_csrf(request)
        data = s.LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Django's request, not DRF's: django-axes marks a lockout on it, and its middleware
        # reads the mark from there.
        django_request = request._request
        user = authenticate(django_request, **data.validated_data)
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                raise LockedOut(lockout_message(django_request), lockout_seconds(django_request))
            raise DomainError(MSG_BAD_CREDENTIALS, code="invalid_credentials")
        login(django_request, user)
        return me_response(user)


class LogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="Log out",
        description="Ends the session (a personal token stays valid). Idempotent.",
        request=None,
        responses={204: None, 403: E403, 429: E429},
    )
    def post(self, request):
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Change my password",
        description="Needs the current password; wrong ones count toward the log-in lockout "
        "(429, code `locked_out`). The API token is revoked and other sessions end; this "
        "one goes on.",
        request=s.PasswordChangeInputSerializer,
        responses={204: None, 400: E400, 401: E401, 403: E403, 415: E415, 429: E429},
    )
    def post(self, request):
        data = s.PasswordChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Django's request, not DRF's: django-axes counts a wrong current password on it.
        password_change(user=request.user, request=request._request, **data.validated_data)
        if isinstance(request.successful_authenticator, SessionAuthentication):
            update_session_auth_hash(request._request, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="Ask for a password reset e-mail",
        description="Always 202, whether or not an account uses the address. The e-mail holds "
        "a link with `uid` and `token` for the confirm endpoint (or the reset page).",
        request=s.PasswordResetInputSerializer,
        responses={202: s.MessageOutputSerializer, 400: E400, 403: E403, 415: E415, 429: E429},
    )
    def post(self, request):
        enforce_csrf(request)
        data = s.PasswordResetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_request(
            email=data.validated_data["email"], origin=request.build_absolute_uri("/")
        )
        return Response(
            s.MessageOutputSerializer({"message": MSG_RESET_SENT}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="Set a new password from a reset link",
        description="The link then stops working; the account's API token is revoked, its "
        "sessions end and any log-in lockout on it is lifted. Does not sign in.",
        request=s.PasswordResetConfirmInputSerializer,
        responses={204: None, 400: E400, 403: E403, 415: E415, 429: E429},
    )
    def post(self, request):
        enforce_csrf(request)
        data = s.PasswordResetConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_confirm(
            uidb64=data.validated_data["uid"],
            token=data.validated_data["token"],
            new_password=data.validated_data["new_password"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Who I am",
        description="My account, my roles and a summary of my personal API token.",
        responses={200: s.MeOutputSerializer, 401: E401, 429: E429},
    )
    def get(self, request):
        return me_response(request.user)


class MeTokenView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="My personal API token",
        description="Whether I have one, and its prefix and dates; never its secret.",
        responses={200: s.TokenSummaryOutputSerializer, 401: E401, 429: E429},
    )
    def get(self, request):
        token = api_token_get(user=request.user)
        return Response(s.TokenSummaryOutputSerializer(token_summary(token)).data)

    @extend_schema(
        tags=TAGS,
        summary="Create or rotate my personal API token",
        description="Returns the secret once. An older token stops working at once. Send it "
        "as `Authorization: Token <token>`.",
        request=None,
        responses={201: s.TokenCreatedOutputSerializer, 401: E401, 403: E403, 429: E429},
    )
    def post(self, request):
        issued = api_token_create(user=request.user)
        body = {
            "token": issued.secret,
            "prefix": issued.token.token_key,
            "created_at": issued.token.created,
            "expires_at": issued.token.expiry,
            "rotated": issued.rotated,
        }
        response = Response(
            s.TokenCreatedOutputSerializer(body).data, status=status.HTTP_201_CREATED
        )
        response["Cache-Control"] = "no-store"  # the secret must not linger in a cache
        return response

    @extend_schema(
        tags=TAGS,
        summary="Revoke my personal API token",
        description="It stops working at once. Idempotent.",
        request=None,
        responses={204: None, 401: E401, 403: E403, 429: E429},
    )
    def delete(self, request):
        api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
