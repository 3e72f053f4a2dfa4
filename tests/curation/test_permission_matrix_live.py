"""The permission matrix of test_permission_matrix.py, run again through a real HTTP server.

Same table (MATRIX), same world, same expected statuses; but each request goes over a socket
to Django's live server with `requests`, signed-in roles proving who they are with their
personal API token (`Authorization: Token ...`), as outside programs do. What the test
client could hide (headers, content negotiation, authentication through the real stack,
the error shape as bytes on the wire) is exercised here. Throttles are off: the table, not
the rate, is under test.
"""

from __future__ import annotations

import pytest
import requests

from accounts.services import api_token_create
from tests.curation import test_permission_matrix as matrix

THROTTLES_OFF = {
    "anon_read": "off",
    "anon_write": "off",
    "user_read": "off",
    "user_write": "off",
}


@pytest.fixture
def live_world(live_server, settings):
    """The matrix's world, written where the live server reads it, with a token per user."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": THROTTLES_OFF,
    }
    users, ids = matrix.build_world()
    tokens = {
        role: api_token_create(user=user).secret if user is not None else None
        for role, user in users.items()
    }
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment between us and the server
    yield live_server.url, session, tokens, ids
    session.close()


def _groups() -> list:
    """The matrix's cases in as few fresh worlds as keep them apart: every read in one
    world (reads change nothing), and for each write the refused roles in one world (a
    refusal changes nothing) and each role it succeeds for in its own (a tag deleted by
    one moderator is gone for the next)."""
    reads = []
    groups = []
    for name, method, path, body, expectations in matrix.MATRIX:
        cases = [(name, method, path, body, role, code) for role, code in expectations.items()]
        if method == "get":
            reads += cases
            continue
        refused = [case for case in cases if case[-1] >= 400]
        if refused:
            groups.append(pytest.param(refused, id=f"{name}-{method}-refused"))
        for case in cases:
            if case[-1] < 400:
                groups.append(pytest.param([case], id=f"{name}-{method}-{case[-2]}"))
    return [pytest.param(reads, id="reads"), *groups]


def check(session, base, tokens, ids, case) -> str | None:
    """None if the case's answer is as the matrix says, else what went wrong."""
    name, method, path, body, role, expected = case
    headers = {"Accept": "application/json"}
    if tokens[role] is not None:
        headers["Authorization"] = f"Token {tokens[role]}"
    response = session.request(
        method.upper(),
        base + path.format(**ids),
        json=matrix.fill(body, ids),
        headers=headers,
        timeout=30,
    )
    where = f"{name} {method} as {role}"
    if response.status_code != expected:
        return f"{where}: {response.status_code}, expected {expected}: {response.text[:200]}"
    if expected >= 400:
        if not response.headers["Content-Type"].startswith("application/json"):
            return f"{where}: answered {response.headers['Content-Type']}"
        error = response.json().get("error", {})
        if not (isinstance(error.get("code"), str) and isinstance(error.get("message"), str)):
            return f"{where}: not the error shape: {response.text[:200]}"
        if not error["message"]:
            return f"{where}: an empty message"
    if expected == 401 and not response.headers.get("WWW-Authenticate", "").startswith("Token"):
        # A program learns how to authenticate from the answer itself.
        return f"{where}: no WWW-Authenticate: Token"
    return None


@pytest.mark.parametrize("cases", _groups())
def test_permission_matrix_over_http(live_world, cases):
    base, session, tokens, ids = live_world

    wrong = [check(session, base, tokens, ids, case) for case in cases]

    assert [w for w in wrong if w] == []


def test_the_groups_cover_every_case_once():
    cases = [case for group in _groups() for case in group.values[0]]
    assert len(cases) == len(matrix.CASES)
    assert len(set(map(repr, cases))) == len(cases)
