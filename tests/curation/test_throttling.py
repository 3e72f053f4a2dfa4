"""API-wide throttles: anonymous clients and members, reads and writes counted apart."""

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

READ = "/api/auth/csrf/"  # any endpoint will do: throttles are API-wide
ANON_WRITE = "/api/auth/password/reset/"
ME = "/api/me/"
TOKEN = "/api/me/token/"
LOGIN = "/api/auth/login/"


@pytest.fixture
def rates(settings):
    """Low rates for the test; the settings' defaults stay out of the suite's way."""

    def _set(**rates):
        defaults = {"anon_read": "3/min", "anon_write": "2/min", "user_read": "3/min"}
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**defaults, "user_write": "2/min", **rates},
        }

    _set()
    return _set


def member_client(username="member") -> APIClient:
    client = APIClient()
    client.force_login(UserFactory(username=username))
    return client


def statuses(call, times: int) -> list[int]:
    return [call().status_code for _ in range(times)]


def assert_throttled(response):
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"].startswith("Request was throttled.")
    assert 0 < error["retry_after"] <= 60
    assert response["Retry-After"] == str(error["retry_after"])


def test_anonymous_reads_are_throttled(rates):
    client = APIClient()

    assert statuses(lambda: client.get(READ), 3) == [200] * 3
    assert_throttled(client.get(READ))


def test_anonymous_writes_are_throttled_apart_from_reads(rates):
    client = APIClient()
    write = lambda: client.post(ANON_WRITE, {"email": "a@example.com"})  # noqa: E731

    assert statuses(lambda: client.get(READ), 3) == [200] * 3
    assert statuses(write, 2) == [202, 202]  # reads used up, writes still go
    assert_throttled(write())
    assert client.get(READ).status_code == 429


def test_anonymous_writes_used_up_leave_reads(rates):
    client = APIClient()

    statuses(lambda: client.post(ANON_WRITE, {"email": "a@example.com"}), 3)

    assert client.get(READ).status_code == 200


def test_member_reads_and_writes_are_counted_apart(rates):
    client = member_client()

    assert statuses(lambda: client.get(ME), 3) == [200] * 3
    assert_throttled(client.get(TOKEN))  # one budget for every endpoint
    assert statuses(lambda: client.post(TOKEN), 2) == [201, 201]
    assert_throttled(client.delete(TOKEN))


def test_members_are_counted_by_account_not_address(rates):
    first, second = member_client("first"), member_client("second")

    statuses(lambda: first.get(ME), 4)

    assert first.get(ME).status_code == 429
    assert second.get(ME).status_code == 200
    assert APIClient().get(READ).status_code == 200  # nor do they use up anonymous reads


def test_anonymous_clients_are_counted_by_address(rates):
    client = APIClient()
    statuses(lambda: client.get(READ), 4)

    assert client.get(READ).status_code == 429
    assert client.get(READ, REMOTE_ADDR="10.0.0.2").status_code == 200
    # With no proxy of ours in front (NUM_PROXIES=0), X-Forwarded-For is not believed.
    assert client.get(READ, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_behind_one_proxy_the_forwarded_address_counts(rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient()
    statuses(lambda: client.get(READ, HTTP_X_FORWARDED_FOR="10.0.0.1"), 4)

    assert client.get(READ, HTTP_X_FORWARDED_FOR="10.0.0.1").status_code == 429
    assert client.get(READ, HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 200


def test_a_rate_can_be_turned_off(rates):
    rates(anon_read="off")
    client = APIClient()

    assert statuses(lambda: client.get(READ), 10) == [200] * 10


def test_login_is_a_write(rates):
    UserFactory(username="member")
    client = APIClient()
    login = lambda: client.post(LOGIN, {"username": "member", "password": "x"})  # noqa: E731

    assert statuses(login, 2) == [400, 400]
    assert_throttled(login())


def test_default_rates_leave_room_for_the_test_suite(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    client = APIClient()

    assert set(rates) == {"anon_read", "anon_write", "user_read", "user_write"}
    assert statuses(lambda: client.get(READ), 100) == [200] * 100
