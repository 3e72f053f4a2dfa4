"""Votes stay exact when many requests hit the real server at once.

Through gunicorn under production settings (tests/live.py), every client in its own thread and
its own connection, all released together by a barrier: 200 members voting on one paper, and
one member sending the same vote (then the same withdrawal) 50 times at once. Every request
is answered 200 (no 5xx, none dropped), and the count on the paper, the Vote rows and what
the API shows agree exactly. PostgreSQL only: the server and the test share the database.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
import requests

from curation.models import Vote
from papers.models import Paper
from tests import live
from tests.factories import PaperFactory

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(live.skip_reason() is not None, reason=live.skip_reason() or ""),
]

VOTERS = 200
REPEATS = 50
# Generous: 200 requests queue behind 8 server threads on a shared 2-core machine.
REQUEST_TIMEOUT = (10, 120)


@dataclass(frozen=True)
class Answer:
    status: int
    body: object


def _call(method: str, url: str, token: str) -> Answer:
    response = requests.request(
        method,
        url,
        headers={**live.PROXY_HEADERS, "Authorization": f"Token {token}"},
        timeout=REQUEST_TIMEOUT,
    )
    try:
        body = response.json()
    except ValueError:
        body = response.text[:500]
    return Answer(response.status_code, body)


def _outcomes(results: list) -> Counter:
    """Status codes of the answers, and the kind of error of any request that got none."""
    return Counter(r.status if isinstance(r, Answer) else type(r).__name__ for r in results)


def _not_ok(results: list) -> list:
    return [r for r in results if not isinstance(r, Answer) or r.status != 200][:5]


def _stored_count(paper: Paper) -> int:
    return Paper.objects.values_list("vote_count", flat=True).get(pk=paper.pk)


def _shown_count(web_server, paper: Paper) -> int:
    session = web_server.session()
    response = session.get(f"{web_server.url}/api/papers/{paper.pk}/", timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["vote_count"]


def test_two_hundred_members_vote_on_one_paper_at_once(web_server, member_tokens):
    paper = PaperFactory()
    voters = member_tokens(VOTERS)
    url = f"{web_server.url}/api/papers/{paper.pk}/vote/"

    results = live.all_at_once([lambda t=token: _call("POST", url, t) for _, token in voters])

    assert _outcomes(results) == {200: VOTERS}, _not_ok(results)
    assert all(r.body["voted"] is True for r in results)
    # The paper's row lock puts the votes in a line: each answer saw its own vote counted
    # on top of all those before it.
    assert sorted(r.body["vote_count"] for r in results) == list(range(1, VOTERS + 1))
    assert set(Vote.objects.filter(paper=paper).values_list("user_id", flat=True)) == {
        user.pk for user, _ in voters
    }
    assert Vote.objects.count() == VOTERS
    assert _stored_count(paper) == VOTERS
    assert _shown_count(web_server, paper) == VOTERS


def test_fifty_identical_votes_from_one_member_count_once(web_server, member_tokens):
    paper = PaperFactory()
    [(user, token)] = member_tokens(1)
    url = f"{web_server.url}/api/papers/{paper.pk}/vote/"

    # Voting is idempotent (curation.services.vote_cast): every repeat is a 200 that changes
    # nothing, whichever request was first.
    cast = live.all_at_once([lambda: _call("POST", url, token)] * REPEATS)

    assert _outcomes(cast) == {200: REPEATS}, _not_ok(cast)
    assert {(r.body["voted"], r.body["vote_count"]) for r in cast} == {(True, 1)}
    assert list(Vote.objects.values_list("user_id", "paper_id")) == [(user.pk, paper.pk)]
    assert _stored_count(paper) == 1
    assert _shown_count(web_server, paper) == 1

    withdrawn = live.all_at_once([lambda: _call("DELETE", url, token)] * REPEATS)

    assert _outcomes(withdrawn) == {200: REPEATS}, _not_ok(withdrawn)
    assert {(r.body["voted"], r.body["vote_count"]) for r in withdrawn} == {(False, 0)}
    assert not Vote.objects.exists()
    assert _stored_count(paper) == 0
    assert _shown_count(web_server, paper) == 0
