"""The papers list for members reads the rows every reader gets once per listing version
(papers.listing_version) and each member's own vote and marks apart: every answer stays
exact for its reader, and a write is seen at once by its writer and by everyone after."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from curation.models import MarkKind
from curation.services import member_settings_update, paper_hide, paper_mark_set, vote_cast
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    ModeratorFactory,
    PaperFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
FEEDS = ["/api/papers/?order=new", "/api/papers/?date=2024-08-22"]


@pytest.fixture
def papers():
    day = DigestFactory(date="2024-08-22")
    made = [PaperFactory(title=f"Paper {i}", first_digest_on=day.date) for i in range(3)]
    for position, paper in enumerate(made, start=1):
        DigestEntryFactory(digest=day, paper=paper, position=position)
    return made


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _item(client, url, paper) -> dict | None:
    results = client.get(url).json()["results"]
    return next((item for item in results if item["id"] == paper.pk), None)


@pytest.mark.parametrize("url", FEEDS)
def test_each_member_reads_their_own_vote_and_marks_on_the_shared_rows(papers, url):
    voter, marker, other = UserFactory(), UserFactory(), UserFactory()
    paper = papers[0]
    assert _item(_as(other), url, paper)["vote_count"] == 0  # the rows are kept now
    vote_cast(user=voter, paper=paper)
    paper_mark_set(user=marker, paper=paper, kind=MarkKind.READ)

    mine = _item(_as(voter), url, paper)
    assert (mine["voted"], mine["vote_count"], mine["marks"]) == (True, 1, [])
    theirs = _item(_as(marker), url, paper)
    assert (theirs["voted"], theirs["vote_count"], theirs["marks"]) == (False, 1, ["read"])
    assert _item(_as(other), url, paper)["voted"] is False


@pytest.mark.parametrize("url", FEEDS)
def test_a_member_who_hides_marked_papers_never_gets_them_from_the_shared_rows(papers, url):
    hider, other = UserFactory(), UserFactory()
    assert _item(_as(other), url, papers[1]) is not None
    paper_mark_set(user=hider, paper=papers[1], kind=MarkKind.NOT_INTERESTED)
    member_settings_update(user=hider, hide_marked=True)
    assert _item(_as(hider), url, papers[1]) is None
    assert _item(_as(hider), url, papers[0]) is not None
    assert _item(_as(other), url, papers[1]) is not None


@pytest.mark.parametrize("url", FEEDS)
def test_a_paper_hidden_by_a_moderator_leaves_every_members_list_at_once(papers, url):
    member = UserFactory()
    assert _item(_as(member), url, papers[2]) is not None
    paper_hide(paper=papers[2], moderator=ModeratorFactory(), reason="Off topic")
    assert _item(_as(member), url, papers[2]) is None


def test_a_paper_s_page_is_shared_and_stays_exact_for_each_reader(papers):
    """GET /api/papers/{id}/ reads a published paper once for every reader (the listing
    version) and each reader's vote and marks apart: a vote, a mark, a tag and a move are
    seen at once by the one who made them and by everyone after."""
    from curation.services import paper_tag_add
    from tests.factories import TagFactory

    paper = papers[0]
    url = f"/api/papers/{paper.pk}/"
    voter, other, moderator = UserFactory(), UserFactory(), ModeratorFactory()
    for client in (APIClient(), _as(voter), _as(other)):
        assert client.get(url).json()["voted"] is False  # kept for all of them now
    vote_cast(user=voter, paper=paper)
    mine, theirs = _as(voter).get(url).json(), _as(other).get(url).json()
    assert (mine["voted"], mine["vote_count"]) == (True, 1)
    assert (theirs["voted"], theirs["vote_count"]) == (False, 1)
    assert APIClient().get(url).json()["vote_count"] == 1
    paper_mark_set(user=other, paper=paper, kind=MarkKind.READ)
    assert _as(other).get(url).json()["marks"] == [MarkKind.READ]
    assert _as(voter).get(url).json()["marks"] == []
    paper_tag_add(paper=paper, tag=TagFactory(name="Optics", slug="optics"), user=voter)
    assert [t["slug"] for t in APIClient().get(url).json()["tags"]] == ["optics"]
    paper_hide(paper=paper, moderator=moderator, reason="Off topic")
    assert APIClient().get(url).status_code == 404
    assert _as(other).get(url).status_code == 404
    assert _as(moderator).get(url).json()["status"] == "hidden"


def test_a_shared_paper_page_costs_a_member_one_query_for_their_state(
    papers, django_assert_num_queries
):
    url = f"/api/papers/{papers[1].pk}/"
    member = UserFactory()
    client = _as(member)
    APIClient().get(url)  # read and kept
    client.get(url)  # whether they moderate, asked once (a signed-in request reads it with
    # the member: accounts.signed_in; force_authenticate skips that)
    with django_assert_num_queries(1):  # the member's vote and marks
        assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert APIClient().get(url).status_code == 200
