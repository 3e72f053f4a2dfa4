"""A password changes one way, whatever the door (API, the web pages, the e-mailed link):
the account's API token is revoked, its other sessions end, and wrong current passwords
count toward the log-in lockout."""

import re

import pytest
from django.conf import settings
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.services import api_token_create
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-Much-better-passphrase-42"
LINK = re.compile(r"/accounts/reset/(?P<uid>[^/]+)/(?P<token>[^/\s]+)/")


def token_works(secret: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get("/api/me/").status_code == 200


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_web_password_change_revokes_the_token_and_other_sessions():
    user = UserFactory(username="changer")
    secret = api_token_create(user=user).secret
    here, elsewhere = signed_in(user), signed_in(user)

    response = here.post(
        "/accounts/password_change/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert not token_works(secret) and not AuthToken.objects.filter(user=user).exists()
    assert here.get("/me/").status_code == 200  # this session goes on
    assert elsewhere.get("/me/").status_code == 302  # the other one ended: to the log-in


def test_the_api_password_change_revokes_the_token():
    user = UserFactory()
    secret = api_token_create(user=user).secret
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        "/api/auth/password/change/",
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 204
    assert not token_works(secret)


@pytest.mark.parametrize("door", ["web", "api"])
def test_wrong_current_passwords_count_toward_the_lockout(door):
    user = UserFactory(username="guessed")
    limit = settings.AXES_FAILURE_LIMIT
    client = signed_in(user)
    api = APIClient()
    api.force_authenticate(user)

    def change(old: str):
        if door == "web":
            data = {"old_password": old, "new_password1": NEW_PASSWORD}
            return client.post(
                "/accounts/password_change/", {**data, "new_password2": NEW_PASSWORD}
            )
        return api.post(
            "/api/auth/password/change/", {"old_password": old, "new_password": NEW_PASSWORD}
        )

    answers = [change("not-my-password").status_code for _ in range(limit)]
    assert answers == [200 if door == "web" else 400] * (limit - 1) + [429]
    refused = change(DEFAULT_PASSWORD)  # the right one, too late
    assert refused.status_code == 429
    if door == "api":
        assert refused.json()["error"]["code"] == "locked_out"
    else:
        assert "Too many failed log-ins" in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_the_emailed_link_of_the_web_pages_revokes_the_token(mailoutbox):
    user = UserFactory(username="forgetful", email="forgetful@example.com")
    secret = api_token_create(user=user).secret
    elsewhere = signed_in(user)
    client = Client()

    asked = client.post("/accounts/password_reset/", {"email": "forgetful@example.com"})
    assert asked.status_code == 302
    link = LINK.search(mailoutbox[0].body).group(0)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not token_works(secret)
    assert elsewhere.get("/me/").status_code == 302


def test_asking_for_a_link_answers_alike_for_unknown_addresses(mailoutbox):
    response = Client().post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mailoutbox == []


def test_the_admins_own_password_page_is_the_sites(admin_user):
    """The admin's "Change password" leads to the site's page (tested above), the one door
    that revokes the token and counts wrong current passwords toward the lockout; the admin's
    own form, which did neither, takes no password."""
    secret = api_token_create(user=admin_user).secret
    client = signed_in(admin_user)

    page = client.get("/admin/password_change/")
    posted = client.post(
        "/admin/password_change/",
        {
            "old_password": "admin-pass-123",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert page.status_code == 302 and page["Location"] == "/accounts/password_change/"
    assert posted.status_code == 302 and posted["Location"] == "/accounts/password_change/"
    admin_user.refresh_from_db()
    assert not admin_user.check_password(NEW_PASSWORD)
    assert token_works(secret)


@pytest.mark.parametrize("usable", [True, False])
def test_an_admin_setting_a_members_password_revokes_the_members_token(admin_user, usable):
    member = UserFactory(username="forgotten")
    secret = api_token_create(user=member).secret
    members_session = signed_in(member)
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    if not usable:
        data = {"usable_password": "false", "unset-password": "1"}

    response = signed_in(admin_user).post(f"/admin/auth/user/{member.pk}/password/", data)

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD) if usable else not member.has_usable_password()
    assert not token_works(secret)
    assert members_session.get("/me/").status_code == 302


def test_the_changepassword_command_revokes_the_token(monkeypatch):
    from django.core.management import call_command

    member = UserFactory(username="operator-reset")
    secret = api_token_create(user=member).secret
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)

    call_command("changepassword", "operator-reset")

    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert not token_works(secret)


@pytest.mark.parametrize("username", ["mоd1", "ünïcode", "FORGOTTEN"])
def test_the_admin_takes_no_name_sign_up_refuses(admin_user, username):
    """User names follow one rule whatever the door: ASCII only (no look-alike letters of
    other scripts), unique whatever the case."""
    UserFactory(username="forgotten")
    other = UserFactory(username="other")
    client = signed_in(admin_user)
    password = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}

    added = client.post("/admin/auth/user/add/", {"username": username, **password})
    change = {"email": other.email, "is_active": "on", "date_joined_0": "2026-01-01"}
    renamed = client.post(
        f"/admin/auth/user/{other.pk}/change/",
        {**change, "date_joined_1": "00:00:00", "username": username},
    )
    fine = client.post(
        f"/admin/auth/user/{other.pk}/change/",
        {**change, "date_joined_1": "00:00:00", "username": "other-fine"},
    )

    assert added.status_code == 200 and renamed.status_code == 200
    User = admin_user.__class__
    assert not User.objects.filter(username=username).exists()
    assert fine.status_code == 302 and User.objects.filter(username="other-fine").exists()
