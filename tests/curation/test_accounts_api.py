"""Accounts API: sign-up, log-in and out, passwords, /api/me/, personal tokens, lockout.

Status codes per role, the shape of the answers, CSRF on session writes, the token's life,
a password reset through the mail outbox, and the lockout of repeated failed log-ins.
"""

import base64
import datetime
import re

import pytest
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.test import Client
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.api.views import MSG_BAD_CREDENTIALS, MSG_RESET_SENT
from accounts.authentication import MSG_LOCKED_OUT
from accounts.services import (
    MSG_RESET_LINK_INVALID,
    MSG_USERNAME_TAKEN,
    MSG_WRONG_PASSWORD,
    api_token_create,
)
from tests.factories import DEFAULT_PASSWORD, ModeratorFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

CSRF = "/api/auth/csrf/"
SIGNUP = "/api/auth/signup/"
LOGIN = "/api/auth/login/"
LOGOUT = "/api/auth/logout/"
PASSWORD_CHANGE = "/api/auth/password/change/"
PASSWORD_RESET = "/api/auth/password/reset/"
PASSWORD_RESET_CONFIRM = "/api/auth/password/reset/confirm/"
ME = "/api/me/"
TOKEN = "/api/me/token/"

ROLES = ["anonymous", "member", "moderator", "admin"]
SIGNED_IN = ["member", "moderator", "admin"]
ME_KEYS = {"id", "username", "email", "date_joined", "roles", "token"}
SUMMARY_KEYS = {"exists", "prefix", "created_at", "expires_at", "last_used_at"}
NEW_PASSWORD = "a-Much-better-passphrase-42"
LOCKED_MESSAGE = MSG_LOCKED_OUT.format(minutes=15)


def make_user(role: str):
    return {
        "anonymous": lambda: None,
        "member": lambda: UserFactory(username="member"),
        "moderator": lambda: ModeratorFactory(username="moderator"),
        "admin": lambda: StaffUserFactory(username="admin"),
    }[role]()


def client_as(role: str, **kwargs) -> tuple[APIClient, object]:
    client = APIClient(**kwargs)
    user = make_user(role)
    if user is not None:
        client.force_login(user)
    return client, user


def csrf_client() -> APIClient:
    """A client that, like a browser, must send the CSRF token back."""
    return APIClient(enforce_csrf_checks=True)


def csrf_header(client: APIClient) -> dict:
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def error(response) -> dict:
    return response.json()["error"]


def login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


# --- CSRF token -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_csrf_endpoint_returns_the_token_and_sets_the_cookie(role):
    client, _ = client_as(role)

    response = client.get(CSRF)

    assert response.status_code == 200
    assert response.json()["csrf_token"]
    assert "csrftoken" in response.cookies


# --- Sign-up ------------------------------------------------------------------------------


def test_signup_creates_a_member_and_signs_them_in():
    client = APIClient()

    response = client.post(
        SIGNUP, {"username": "ada", "email": "Ada@Example.COM", "password": NEW_PASSWORD}
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == ME_KEYS
    assert body["username"] == "ada"
    assert body["email"] == "Ada@example.com"
    assert body["roles"] == {"member": True, "moderator": False, "admin": False}
    assert body["token"]["exists"] is False
    user = get_user_model().objects.get(username="ada")
    assert user.check_password(NEW_PASSWORD)
    assert not user.is_staff
    assert client.get(ME).json()["username"] == "ada"


@pytest.mark.parametrize("role", SIGNED_IN)
def test_signed_in_users_can_sign_up_a_new_account(role):
    client, _ = client_as(role)

    response = client.post(
        SIGNUP, {"username": "newcomer", "email": "new@example.com", "password": NEW_PASSWORD}
    )

    assert response.status_code == 201
    assert client.get(ME).json()["username"] == "newcomer"


def test_signup_applies_the_password_validators():
    response = APIClient().post(
        SIGNUP, {"username": "ada", "email": "ada@example.com", "password": "password"}
    )

    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert set(error(response)["fields"]) == {"password"}
    assert "too common" in error(response)["message"]
    assert not get_user_model().objects.filter(username="ada").exists()


def test_signup_refuses_a_password_like_the_username():
    response = APIClient().post(
        SIGNUP,
        {"username": "adalovelace", "email": "ada@example.com", "password": "adalovelace1"},
    )

    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"password"}


def test_signup_refuses_a_taken_username_in_any_case():
    UserFactory(username="member", email="member@example.com")

    data = {"username": "MEMBER", "email": "x@example.com", "password": NEW_PASSWORD}
    response = APIClient().post(SIGNUP, data)

    assert response.status_code == 400
    assert error(response) == {
        "code": "duplicate",
        "message": MSG_USERNAME_TAKEN,
        "fields": {"username": [MSG_USERNAME_TAKEN]},
    }


def test_signup_does_not_tell_which_addresses_have_an_account(mailoutbox):
    UserFactory(username="member", email="member@example.com")

    data = {"username": "another", "email": "Member@Example.com", "password": NEW_PASSWORD}
    response = APIClient().post(SIGNUP, data)

    assert response.status_code == 201
    # A reset link for that address reaches both accounts.
    APIClient().post(PASSWORD_RESET, {"email": "member@example.com"})
    assert sorted(m.body.split(",")[0] for m in mailoutbox) == ["Hello another", "Hello member"]


@pytest.mark.parametrize("username", ["mоd1", "ünïcode", "名前", "mod 1"])
def test_signup_takes_ascii_names_only(username):
    data = {"username": username, "email": "x@example.com", "password": NEW_PASSWORD}
    response = APIClient().post(SIGNUP, data)
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"username"}


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (
            {"username": "no spaces", "email": "a@example.com", "password": NEW_PASSWORD},
            {"username"},
        ),
        ({"username": "ada", "email": "not-an-email", "password": NEW_PASSWORD}, {"email"}),
        ({"username": "ada"}, {"email", "password"}),
    ],
)
def test_signup_validates_its_fields(data, fields):
    response = APIClient().post(SIGNUP, data)

    assert response.status_code == 400
    assert set(error(response)["fields"]) == fields


def test_signup_enforces_csrf():
    client = csrf_client()
    data = {"username": "ada", "email": "ada@example.com", "password": NEW_PASSWORD}

    refused = client.post(SIGNUP, data)
    client.get(CSRF)
    accepted = client.post(SIGNUP, data, **csrf_header(client))

    assert refused.status_code == 403
    assert error(refused)["code"] == "permission_denied"
    assert "CSRF" in error(refused)["message"]
    assert accepted.status_code == 201


# --- Log-in and log-out -------------------------------------------------------------------


@pytest.mark.parametrize("role", SIGNED_IN)
def test_login_starts_a_session(role):
    user = make_user(role)
    client = APIClient()

    response = login(client, user.username, DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["roles"] == {
        "member": True,
        "moderator": role in ("moderator", "admin"),
        "admin": role == "admin",
    }
    assert client.get(ME).status_code == 200


def test_login_with_a_wrong_password_is_400():
    UserFactory(username="member")

    response = login(APIClient(), "member", "wrong")

    assert response.status_code == 400
    assert error(response) == {"code": "invalid_credentials", "message": MSG_BAD_CREDENTIALS}


def test_inactive_user_cannot_log_in():
    UserFactory(username="gone", is_active=False)

    response = login(APIClient(), "gone", DEFAULT_PASSWORD)

    assert response.status_code == 400
    assert error(response)["message"] == MSG_BAD_CREDENTIALS


def test_login_without_fields_is_400():
    response = APIClient().post(LOGIN, {})

    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"username", "password"}


def test_login_enforces_csrf_and_rotates_the_token():
    UserFactory(username="member")
    client = csrf_client()

    refused = login(client, "member", DEFAULT_PASSWORD)
    token_before = client.get(CSRF).json()["csrf_token"]
    accepted = login(client, "member", DEFAULT_PASSWORD, HTTP_X_CSRFTOKEN=token_before)

    assert refused.status_code == 403
    assert "CSRF" in error(refused)["message"]
    assert accepted.status_code == 200
    # A session write with the new token passes; the check is on for the signed-in user.
    assert client.post(TOKEN).status_code == 403
    assert client.post(TOKEN, **csrf_header(client)).status_code == 201


@pytest.mark.parametrize("role", ROLES)
def test_logout_ends_the_session(role):
    client, _ = client_as(role)

    response = client.post(LOGOUT)

    assert response.status_code == 204
    assert client.get(ME).status_code == 401


def test_logout_of_a_session_enforces_csrf():
    client = csrf_client()
    client.force_login(UserFactory())

    refused = client.post(LOGOUT)
    client.get(CSRF)
    accepted = client.post(LOGOUT, **csrf_header(client))

    assert refused.status_code == 403
    assert accepted.status_code == 204


# --- Password change ----------------------------------------------------------------------


def test_password_change_needs_a_signed_in_user():
    response = APIClient().post(
        PASSWORD_CHANGE, {"old_password": "x", "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("role", SIGNED_IN)
def test_password_change_keeps_this_session_and_ends_the_others(role):
    client, user = client_as(role)
    other_session = APIClient()
    other_session.force_login(user)

    response = client.post(
        PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(ME).status_code == 200
    assert other_session.get(ME).status_code == 401
    assert login(APIClient(), user.username, NEW_PASSWORD).status_code == 200


def test_password_change_with_a_wrong_old_password_is_400():
    client, user = client_as("member")

    response = client.post(PASSWORD_CHANGE, {"old_password": "wrong", "new_password": NEW_PASSWORD})

    assert response.status_code == 400
    assert error(response) == {
        "code": "invalid",
        "message": MSG_WRONG_PASSWORD,
        "fields": {"old_password": [MSG_WRONG_PASSWORD]},
    }
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_change_applies_the_password_validators():
    client, _ = client_as("member")

    response = client.post(
        PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": "12345678"}
    )

    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"new_password"}


def test_password_change_of_a_session_enforces_csrf():
    client = csrf_client()
    client.force_login(UserFactory())
    data = {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}

    refused = client.post(PASSWORD_CHANGE, data)
    client.get(CSRF)
    accepted = client.post(PASSWORD_CHANGE, data, **csrf_header(client))

    assert refused.status_code == 403
    assert accepted.status_code == 204


def test_password_change_with_a_token_needs_no_csrf():
    user = UserFactory()
    secret = api_token_create(user=user).secret
    client = csrf_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = client.post(
        PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204


# --- Password reset -----------------------------------------------------------------------

LINK = re.compile(r"http://testserver/accounts/reset/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/")


def reset_link(mail) -> dict:
    match = LINK.search(mail.body)
    assert match, mail.body
    return match.groupdict()


@pytest.mark.parametrize("role", ROLES)
def test_password_reset_end_to_end(role, mailoutbox):
    client, _ = client_as(role)
    user = UserFactory(username="forgetful", email="forgetful@example.com")

    asked = client.post(PASSWORD_RESET, {"email": "Forgetful@example.com"})

    assert asked.status_code == 202
    assert asked.json() == {"message": MSG_RESET_SENT}
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["forgetful@example.com"]
    link = reset_link(mailoutbox[0])

    confirmed = client.post(PASSWORD_RESET_CONFIRM, {**link, "new_password": NEW_PASSWORD})

    assert confirmed.status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert login(APIClient(), "forgetful", NEW_PASSWORD).status_code == 200

    reused = client.post(PASSWORD_RESET_CONFIRM, {**link, "new_password": "another-Pass-99"})

    assert reused.status_code == 400
    assert error(reused) == {"code": "invalid_token", "message": MSG_RESET_LINK_INVALID}


def test_password_reset_for_an_unknown_address_is_202_and_sends_nothing(mailoutbox):
    response = APIClient().post(PASSWORD_RESET, {"email": "nobody@example.com"})

    assert response.status_code == 202
    assert response.json() == {"message": MSG_RESET_SENT}
    assert mailoutbox == []


def test_password_reset_skips_inactive_accounts(mailoutbox):
    UserFactory(email="gone@example.com", is_active=False)

    response = APIClient().post(PASSWORD_RESET, {"email": "gone@example.com"})

    assert response.status_code == 202
    assert mailoutbox == []


@pytest.mark.parametrize(
    "link", [{"uid": "bm9ib2R5", "token": "abc-def"}, {"uid": "!!", "token": "x"}]
)
def test_password_reset_confirm_with_a_bad_link_is_400(link):
    UserFactory()

    response = APIClient().post(PASSWORD_RESET_CONFIRM, {**link, "new_password": NEW_PASSWORD})

    assert response.status_code == 400
    assert error(response)["message"] == MSG_RESET_LINK_INVALID


def test_password_reset_confirm_applies_the_password_validators(mailoutbox):
    UserFactory(email="forgetful@example.com")
    APIClient().post(PASSWORD_RESET, {"email": "forgetful@example.com"})

    response = APIClient().post(
        PASSWORD_RESET_CONFIRM, {**reset_link(mailoutbox[0]), "new_password": "short"}
    )

    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"new_password"}


def test_password_reset_revokes_the_api_token(mailoutbox):
    user = UserFactory(email="forgetful@example.com")
    secret = api_token_create(user=user).secret
    APIClient().post(PASSWORD_RESET, {"email": "forgetful@example.com"})

    APIClient().post(
        PASSWORD_RESET_CONFIRM, {**reset_link(mailoutbox[0]), "new_password": NEW_PASSWORD}
    )

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get(ME).status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()


@pytest.mark.parametrize("url", [PASSWORD_RESET, PASSWORD_RESET_CONFIRM])
def test_password_reset_enforces_csrf(url):
    response = csrf_client().post(url, {"email": "a@example.com"})

    assert response.status_code == 403
    assert "CSRF" in error(response)["message"]


# --- /api/me/ -----------------------------------------------------------------------------


def test_me_needs_a_signed_in_user():
    response = APIClient().get(ME)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error(response)["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("role", "roles"),
    [
        ("member", {"member": True, "moderator": False, "admin": False}),
        ("moderator", {"member": True, "moderator": True, "admin": False}),
        ("admin", {"member": True, "moderator": True, "admin": True}),
    ],
)
def test_me_shape_and_roles(role, roles):
    client, user = client_as(role)

    response = client.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ME_KEYS
    assert body["id"] == user.pk
    assert body["username"] == user.username
    assert body["email"] == user.email
    assert datetime.datetime.fromisoformat(body["date_joined"]) == user.date_joined
    assert body["roles"] == roles
    assert body["token"] == {
        "exists": False,
        "prefix": None,
        "created_at": None,
        "expires_at": None,
        "last_used_at": None,
    }


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_me_is_read_only(method):
    client, _ = client_as("member")

    assert getattr(client, method)(ME).status_code == 405


# --- Personal API token -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_token_endpoint_needs_a_signed_in_user(method):
    response = getattr(APIClient(), method)(TOKEN)

    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("role", SIGNED_IN)
def test_token_endpoint_per_role(role):
    client, _ = client_as(role)

    assert client.get(TOKEN).status_code == 200
    assert client.post(TOKEN).status_code == 201
    assert client.delete(TOKEN).status_code == 204


def token_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_token_lifecycle():
    client, user = client_as("member")

    assert client.get(TOKEN).json() == {
        "exists": False,
        "prefix": None,
        "created_at": None,
        "expires_at": None,
        "last_used_at": None,
    }

    # Create: the secret is shown once.
    created = client.post(TOKEN)
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    first = created.json()
    assert set(first) == {"token", "prefix", "created_at", "expires_at", "rotated"}
    assert first["token"].startswith("pb_")
    assert first["token"].startswith(first["prefix"])
    assert first["rotated"] is False
    assert first["expires_at"] is None

    summary = client.get(TOKEN).json()
    assert set(summary) == SUMMARY_KEYS
    assert summary["exists"] is True
    assert summary["prefix"] == first["prefix"]
    assert summary["last_used_at"] is None
    assert first["token"] not in str(summary)

    # The token works, and its use is noted.
    me = token_client(first["token"]).get(ME)
    assert me.status_code == 200
    assert me.json()["username"] == "member"
    assert me.json()["token"]["exists"] is True
    assert client.get(TOKEN).json()["last_used_at"] is not None

    # Rotate: the old one stops at once, the new one works.
    rotated = client.post(TOKEN).json()
    assert rotated["rotated"] is True
    assert rotated["token"] != first["token"]
    old = token_client(first["token"]).get(ME)
    assert old.status_code == 401
    assert error(old) == {"code": "authentication_failed", "message": "Invalid token."}
    assert token_client(rotated["token"]).get(ME).status_code == 200
    assert AuthToken.objects.filter(user=user).count() == 1

    # Revoke.
    assert client.delete(TOKEN).status_code == 204
    assert token_client(rotated["token"]).get(ME).status_code == 401
    assert client.get(TOKEN).json()["exists"] is False
    assert client.delete(TOKEN).status_code == 204  # idempotent


def test_token_is_stored_hashed():
    client, user = client_as("member")

    secret = client.post(TOKEN).json()["token"]

    row = AuthToken.objects.get(user=user)
    assert row.digest == hash_token(secret)
    assert secret not in (row.digest, row.token_key)
    assert len(row.token_key) < len(secret)


def test_token_can_manage_itself_without_csrf():
    user = UserFactory()
    secret = api_token_create(user=user).secret
    client = csrf_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    rotated = client.post(TOKEN)

    assert rotated.status_code == 201
    assert client.get(ME).status_code == 401  # it rotated itself away
    assert token_client(rotated.json()["token"]).delete(TOKEN).status_code == 204


def test_token_of_a_deactivated_user_stops_working():
    user = UserFactory()
    secret = api_token_create(user=user).secret
    user.is_active = False
    user.save()

    assert token_client(secret).get(ME).status_code == 401


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token pb_nonsense"])
def test_malformed_token_header_is_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(ME)

    assert response.status_code == 401
    assert error(response)["code"] == "authentication_failed"


def test_token_reads_public_endpoints_like_a_session():
    user = UserFactory()
    secret = api_token_create(user=user).secret

    assert token_client(secret).get(CSRF).status_code == 200


# --- Lockout of repeated failed log-ins ---------------------------------------------------


def fail_logins(client, username: str, times: int, **extra) -> list[int]:
    return [login(client, username, "wrong", **extra).status_code for _ in range(times)]


def test_five_failures_lock_the_username_out_even_with_the_right_password():
    UserFactory(username="member")
    client = APIClient()

    assert fail_logins(client, "member", 5) == [400, 400, 400, 400, 429]

    response = login(client, "member", DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert error(response) == {
        "code": "locked_out",
        "message": LOCKED_MESSAGE,
        "retry_after": 15 * 60,
    }
    assert response["Retry-After"] == str(15 * 60)
    assert client.get(ME).status_code == 401


def test_lockout_ends_after_the_cool_off():
    UserFactory(username="member")
    client = APIClient()
    fail_logins(client, "member", 5)
    assert login(client, "member", DEFAULT_PASSWORD).status_code == 429

    # Fifteen minutes and a second later.
    earlier = datetime.timedelta(minutes=15, seconds=1)
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= earlier
        attempt.save()

    assert login(client, "member", DEFAULT_PASSWORD).status_code == 200


def test_lockout_ends_when_reset():
    UserFactory(username="member")
    client = APIClient()
    fail_logins(client, "member", 5)

    axes_reset(username="member")

    assert login(client, "member", DEFAULT_PASSWORD).status_code == 200


def test_a_success_clears_earlier_failures():
    UserFactory(username="member")
    client = APIClient()

    fail_logins(client, "member", 4)
    assert login(client, "member", DEFAULT_PASSWORD).status_code == 200

    assert fail_logins(client, "member", 4) == [400] * 4


def test_lockout_is_per_username_and_address():
    UserFactory(username="member")
    UserFactory(username="other")
    client = APIClient()
    fail_logins(client, "member", 5)

    assert login(client, "other", DEFAULT_PASSWORD).status_code == 200
    assert login(APIClient(), "member", DEFAULT_PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_forged_forwarded_for_does_not_dodge_the_lockout():
    UserFactory(username="member")
    client = APIClient()
    statuses = [
        login(client, "member", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(5)
    ]

    assert statuses[-1] == 429
    assert (
        login(client, "member", DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="10.1.1.1").status_code
        == 429
    )


def test_password_reset_lifts_the_lockout(mailoutbox):
    UserFactory(username="member", email="member@example.com")
    client = APIClient()
    fail_logins(client, "member", 5)
    client.post(PASSWORD_RESET, {"email": "member@example.com"})

    client.post(PASSWORD_RESET_CONFIRM, {**reset_link(mailoutbox[0]), "new_password": NEW_PASSWORD})

    assert login(client, "member", NEW_PASSWORD).status_code == 200


def test_lockout_protects_the_admin_login():
    StaffUserFactory(username="admin")
    client = Client()
    data = {"username": "admin", "password": "wrong", "next": "/admin/"}

    statuses = [client.post("/admin/login/", data).status_code for _ in range(5)]
    locked = client.post("/admin/login/", {**data, "password": DEFAULT_PASSWORD})

    assert statuses == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert locked.content.decode() == LOCKED_MESSAGE
    assert locked["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session


def test_admin_login_still_works():
    StaffUserFactory(username="admin")
    client = Client()

    response = client.post(
        "/admin/login/", {"username": "admin", "password": DEFAULT_PASSWORD, "next": "/admin/"}
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_lockout_covers_http_basic_on_the_dumps_api():
    StaffUserFactory(username="admin")
    fail_logins(APIClient(), "admin", 5)
    client = APIClient()
    basic = base64.b64encode(f"admin:{DEFAULT_PASSWORD}".encode()).decode()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {basic}")

    assert client.get("/api/dumps/").status_code == 401


def test_test_client_login_works_with_a_request():
    """Axes needs the request: tests that log in with a password pass one along."""
    from django.http import HttpRequest

    UserFactory(username="member")
    client = Client()

    assert client.login(request=HttpRequest(), username="member", password=DEFAULT_PASSWORD)
