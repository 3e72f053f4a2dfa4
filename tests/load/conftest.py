"""Fixtures of the load tests: one production-like gunicorn server for the whole package, and
members with personal API tokens."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.live import gunicorn_server

# The load tests measure concurrency, not the throttles (tests/curation/test_throttling.py).
THROTTLES_OFF = {
    "API_THROTTLE_ANON_READ": "off",
    "API_THROTTLE_ANON_WRITE": "off",
    "API_THROTTLE_USER_READ": "off",
    "API_THROTTLE_USER_WRITE": "off",
}


@pytest.fixture(scope="package")
def web_server(django_db_setup, tmp_path_factory):
    """gunicorn (2 workers x 4 threads) on the test database, started once for the package.

    It depends on django_db_setup so it is stopped before the test database is dropped; the
    tests use transactional_db, so what they write is committed where the server reads it.
    """
    with gunicorn_server(
        folder=tmp_path_factory.mktemp("gunicorn"), workers=2, threads=4, **THROTTLES_OFF
    ) as server:
        yield server
        # Shown by pytest only when a test failed.
        print(f"--- gunicorn log ({server.log_path}) ---\n{server.log()[-20000:]}")


@pytest.fixture
def member_tokens(transactional_db):
    """Make `n` members, each with a personal API token; returns [(user, token), ...]."""
    from accounts.services import api_token_create

    def _make(n: int) -> list[tuple[object, str]]:
        users = UserFactory.create_batch(n)
        return [(user, api_token_create(user=user).secret) for user in users]

    return _make
