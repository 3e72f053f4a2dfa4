"""The member of a signed-in request, read in one written-out statement (accounts.signed_in)
by the session backend and the API token check: the same user the ORM reads, with the
moderator flag and the chosen time zone, in one query; and knox's rules for a token kept
(an expired one is refused and deleted, a wrong secret is refused). SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from knox.models import AuthToken
from knox.signals import token_expired
from rest_framework.test import APIClient

from accounts import signed_in
from accounts.models import MemberTimeZone
from accounts.roles import MODERATOR_ATTR, is_moderator, moderator_grant, moderator_revoke
from accounts.services import (
    api_token_create,
    api_token_revoke,
    member_time_zone_set,
    password_set,
)
from accounts.signed_in import tokens_with_users, user_signed_in
from accounts.time_zones import TIME_ZONE_ATTR, member_time_zone
from tests.factories import ModeratorFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/me/"


def _fields(user) -> dict:
    return {f.attname: getattr(user, f.attname) for f in get_user_model()._meta.concrete_fields}


@pytest.mark.parametrize("make", [UserFactory, ModeratorFactory, StaffUserFactory])
def test_the_statement_reads_the_user_the_orm_reads(make):
    user = make()
    user.last_login = timezone.now() - datetime.timedelta(days=3)
    user.save(update_fields=["last_login"])
    MemberTimeZone.objects.create(user=user, time_zone="Asia/Tokyo")

    read = user_signed_in(user.pk)

    assert read is not None
    assert _fields(read) == _fields(get_user_model().objects.get(pk=user.pk))
    assert read.last_login.tzinfo is not None and read.date_joined.tzinfo is not None
    assert getattr(read, MODERATOR_ATTR) is (make is ModeratorFactory)
    assert getattr(read, TIME_ZONE_ATTR) == "Asia/Tokyo"
    assert is_moderator(read) is (make is not UserFactory)
    assert str(member_time_zone(read)) == "Asia/Tokyo"
    assert read._state.adding is False and read._state.db == "default"


def test_a_user_without_a_chosen_zone_reads_the_site_s(settings):
    user = UserFactory()
    read = user_signed_in(user.pk)
    assert read is not None and getattr(read, TIME_ZONE_ATTR) is None
    assert str(member_time_zone(read)) == settings.TIME_ZONE
    assert user_signed_in(user.pk + 1000) is None


def test_a_session_request_reads_its_member_in_one_query(django_assert_num_queries):
    client = APIClient()
    client.force_login(ModeratorFactory(username="mod"))
    # The member with the flags (the session is in the cache), then /api/me/'s own read of
    # the token's summary: whether the member moderates is not asked apart.
    with django_assert_num_queries(2):
        body = client.get(ME).json()
    assert body["username"] == "mod" and body["roles"]["moderator"] is True
    with django_assert_num_queries(1):  # the member kept by the process (accounts.signed_in)
        assert client.get(ME).json()["roles"]["moderator"] is True


def test_a_token_request_reads_its_member_in_one_query(django_assert_num_queries):
    moderator = ModeratorFactory(username="mod")
    secret = api_token_create(user=moderator).secret
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    # The token with its member and the flags, then /api/me/'s own read of the token's
    # summary: knox's read of the member's other tokens and the group's are gone.
    with django_assert_num_queries(2):
        body = client.get(ME).json()
    assert body["username"] == "mod" and "moderator" in body["roles"]
    (token,) = tokens_with_users(AuthToken.objects.get(user=moderator).token_key)
    assert token.user.pk == moderator.pk and getattr(token.user, MODERATOR_ATTR) is True


def test_an_expired_token_is_refused_deleted_and_signalled():
    user = UserFactory(username="late")
    secret = api_token_create(user=user).secret
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - datetime.timedelta(1))
    seen = []

    def note(sender, username, source, **kwargs):
        seen.append((username, source))

    token_expired.connect(note)
    try:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        response = client.get(ME)
    finally:
        token_expired.disconnect(note)
    assert response.status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()
    assert seen == [("late", "auth_token")]


def test_a_token_not_yet_expired_works():
    user = UserFactory()
    secret = api_token_create(user=user).secret
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() + datetime.timedelta(1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get(ME).status_code == 200


def test_a_wrong_secret_with_a_real_key_is_refused():
    user = UserFactory()
    secret = api_token_create(user=user).secret
    forged = secret[:-4] + ("aaaa" if not secret.endswith("aaaa") else "bbbb")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {forged}")
    response = client.get(ME)
    assert response.status_code == 401
    assert AuthToken.objects.filter(user=user).exists()


@pytest.mark.parametrize("value", ["abc", "", None, "99999999999999999999999999"])
def test_a_session_holding_no_user_id_signs_in_no_one(value):
    from accounts.backends import RolesModelBackend

    assert RolesModelBackend().get_user(value) is None


# --- What a process keeps of a member (accounts.signed_in._MEMO, accounts.member_version) -----


def _session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    client.get(ME)  # read and kept
    return client


def test_a_role_taken_back_is_seen_on_the_next_request(django_assert_num_queries):
    moderator = ModeratorFactory()
    client = _session(moderator)
    moderator_revoke(user=moderator)
    with django_assert_num_queries(2):  # read again
        assert client.get(ME).json()["roles"]["moderator"] is False
    moderator_grant(user=moderator)
    assert client.get(ME).json()["roles"]["moderator"] is True


def test_a_time_zone_chosen_is_seen_on_the_next_request():
    member = UserFactory()
    _session(member)  # kept
    member_time_zone_set(user=member, time_zone="Asia/Tokyo")
    read = user_signed_in(member.pk)
    assert read is not None and getattr(read, TIME_ZONE_ATTR) == "Asia/Tokyo"


def test_a_password_changed_ends_the_kept_sessions_at_once():
    member = UserFactory()
    client = _session(member)
    assert client.get(ME).status_code == 200
    password_set(user=member, new_password="another-long-Passw0rd")
    assert client.get(ME).status_code in (401, 403)


def test_a_member_deleted_in_the_admin_is_signed_out_at_once(rf):
    from django.contrib import admin

    member = UserFactory()
    client = _session(member)
    request = rf.post("/")
    request.user = StaffUserFactory(is_superuser=True)
    admin.site._registry[get_user_model()].delete_model(request, member)
    assert client.get(ME).status_code in (401, 403)


def test_a_change_made_without_the_services_is_seen_within_the_memo_s_bound(monkeypatch):
    member = UserFactory()
    client = _session(member)
    get_user_model().objects.filter(pk=member.pk).update(is_active=False)
    assert client.get(ME).status_code == 200  # kept: at most MEMO_SECONDS
    monkeypatch.setattr(signed_in, "MEMO_SECONDS", 0.0)
    signed_in.memo_clear()
    assert client.get(ME).status_code in (401, 403)


def test_a_token_is_kept_from_its_second_use_and_refused_once_revoked(
    django_assert_num_queries,
):
    member = UserFactory()
    secret = api_token_create(user=member).secret
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    client.get(ME)  # the token's member noted
    client.get(ME)  # read under the member's version, and kept
    with django_assert_num_queries(1):  # /api/me/'s summary of the token only
        assert client.get(ME).status_code == 200
    api_token_revoke(user=member)
    assert client.get(ME).status_code == 401


def test_an_expired_kept_token_is_refused():
    member = UserFactory()
    secret = api_token_create(user=member).secret
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    client.get(ME)
    assert client.get(ME).status_code == 200  # kept now
    AuthToken.objects.filter(user=member).update(expiry=timezone.now() - datetime.timedelta(1))
    # The kept row still holds the old expiry (an update by hand): the bound applies; a token
    # whose kept expiry passes is refused on its next use, and deleted.
    kept = signed_in.tokens_with_users(secret[: len(AuthToken.objects.get().token_key)])
    assert kept and kept[0].expiry is None
    signed_in.memo_clear()
    assert client.get(ME).status_code == 401
    assert not AuthToken.objects.filter(user=member).exists()
