"""The web pages are throttled like the API: reads and writes apart, anonymous clients by
address, members by account, at the API's rates (API_THROTTLE_*), counted apart from the API.
Over the rate: 429, one sentence and Retry-After. "off" turns a scope off for both, which is
how the benchmarks and the load tests run unthrottled. (The API's own throttles:
tests/curation/test_throttling.py and tests/test_limits.py.)
"""

from __future__ import annotations

import pytest
from django.test import Client

from config.middleware import MSG_THROTTLED
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    def _set(**scopes: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **scopes,
            },
        }

    return _set


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= 60
    assert response.content.decode() == MSG_THROTTLED.format(seconds=seconds)


@pytest.mark.parametrize("path", ["/", "/search/?q=x", "/moderation/log/", "/accounts/login/"])
def test_anonymous_reads_are_throttled_by_address(rates, path):
    rates(anon_read="3/min")
    client = Client()

    assert [client.get(path).status_code for _ in range(3)] == [200] * 3
    assert_throttled(client.get(path))
    assert Client(REMOTE_ADDR="10.0.0.9").get(path).status_code == 200


def test_pages_and_the_api_have_budgets_of_their_own(rates):
    rates(anon_read="2/min")
    client = Client()
    for _ in range(2):
        client.get("/")
    assert_throttled(client.get("/"))

    assert client.get("/api/papers/").status_code == 200


def test_a_members_reads_are_counted_by_account(rates):
    rates(anon_read="1000/min", user_read="2/min")
    member = UserFactory()
    laptop, phone = Client(), Client(REMOTE_ADDR="10.0.0.9")
    laptop.force_login(member)
    phone.force_login(member)

    assert laptop.get("/me/").status_code == 200
    assert phone.get("/me/").status_code == 200
    assert_throttled(laptop.get("/"))
    assert_throttled(phone.get("/"))
    assert Client().get("/").status_code == 200  # anonymous, same address: its own budget


def test_writes_are_counted_apart_from_reads(rates):
    rates(anon_read="1000/min", anon_write="1/min")
    client = Client()

    assert client.post("/accounts/login/", {"username": "a", "password": "b"}).status_code == 200
    assert_throttled(client.post("/accounts/login/", {"username": "a", "password": "b"}))
    assert client.get("/accounts/login/").status_code == 200


def test_the_probes_are_never_throttled(rates):
    rates(anon_read="1/min")
    client = Client()

    assert [client.get("/healthz").status_code for _ in range(3)] == [200] * 3


def test_off_turns_the_pages_throttles_off_with_the_apis(rates):
    rates(anon_read="off", anon_write="off", user_read="off", user_write="off")
    client = Client()

    assert {client.get("/").status_code for _ in range(50)} == {200}
    assert {client.get("/api/papers/").status_code for _ in range(50)} == {200}
