"""The papers list for members reads the rows every reader gets once per listing version
(papers.listing_version) and each member's own vote and marks apart: every answer stays
exact for its reader, and a write is seen at once by its writer and by everyone after."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from curation.models import MarkKind
from curation.services import member_settings_update, paper_hide, paper_mark_set, vote_cast
from papers.services.search_index import search_index_refresh
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    ModeratorFactory,
    PaperFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
FEEDS = ["/api/papers/?order=new", "/api/papers/?date=2024-08-22", "/api/papers/?q=Paper"]


@pytest.fixture
def papers():
    day = DigestFactory(date="2024-08-22")
    made = [PaperFactory(title=f"Paper {i}", first_digest_on=day.date) for i in range(3)]
    for position, paper in enumerate(made, start=1):
        DigestEntryFactory(digest=day, paper=paper, position=position)
    if connection.vendor == "postgresql":  # searchable, as a worker makes them
        search_index_refresh()
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
    # Whether they moderate, asked once (a signed-in request reads it with the member:
    # accounts.signed_in; force_authenticate skips that); their state is then kept.
    with django_assert_num_queries(2):
        assert client.get(url).json()["voted"] is False
    with django_assert_num_queries(0):  # their state, kept under their version
        assert client.get(url).json()["voted"] is False
    with django_assert_num_queries(0):
        assert APIClient().get(url).status_code == 200
    vote_cast(user=member, paper=papers[1])  # moves their version on (and the count's)
    body = client.get(url).json()
    assert (body["voted"], body["vote_count"]) == (True, 1)
    paper_mark_set(user=member, paper=papers[1], kind=MarkKind.READ)
    with django_assert_num_queries(1):  # their state only: a mark is theirs alone
        assert client.get(url).json()["marks"] == [MarkKind.READ]


# --- The bodies every reader shares (curation.api.papers.SharedBody) -------------------------
BODY_URLS = [
    "/api/papers/?order=new",
    "/api/papers/?date=2024-08-22",
    "/api/papers/?order=new&page_size=2",
    "/api/papers/?date=2024-08-22&page_size=1",
    # A search's numbered pages: the links to the next and the previous page are the same.
    "/api/papers/?q=Paper",
    "/api/papers/?q=Paper&page_size=1&page=2",
]


def _read_for_them_alone(monkeypatch) -> None:
    """Answers built for their reader alone, as moderators' are: the rule the shared bodies
    must match."""
    import curation.api.papers

    monkeypatch.setattr(curation.api.papers, "shared_body_wanted", lambda request, context: False)


@pytest.mark.parametrize("accept", ["application/json", "application/json; indent=2"])
@pytest.mark.parametrize("url", [*BODY_URLS, "paper"])
def test_a_shared_body_filled_for_a_member_is_the_answer_read_for_them_alone(
    papers, url, accept, monkeypatch
):
    member = UserFactory()
    vote_cast(user=member, paper=papers[0])
    paper_mark_set(user=member, paper=papers[0], kind=MarkKind.NOT_INTERESTED)
    paper_mark_set(user=member, paper=papers[0], kind=MarkKind.READ)
    paper_mark_set(user=member, paper=papers[1], kind=MarkKind.READ)
    vote_cast(user=UserFactory(), paper=papers[2])
    urls = [f"/api/papers/{paper.pk}/" for paper in papers] if url == "paper" else [url]
    for address in urls:
        shared = _as(member).get(address, HTTP_ACCEPT=accept)
        assert shared.status_code == 200
        assert shared["Content-Type"].startswith("application/json")
        with monkeypatch.context() as patched:
            _read_for_them_alone(patched)
            alone = _as(member).get(address, HTTP_ACCEPT=accept)
        assert shared.json() == alone.json()
    first = _as(member).get(f"/api/papers/{papers[0].pk}/").json()
    assert (first["voted"], first["marks"]) == (True, ["read", "not_interested"])


def test_the_member_who_submitted_a_paper_sees_its_state_in_lists_and_on_its_page(papers):
    from papers.models import Paper

    submitter, other = UserFactory(), UserFactory()
    Paper.objects.filter(pk=papers[1].pk).update(submitted_by=submitter)
    for url in ("/api/papers/?order=new", "/api/papers/?date=2024-08-22"):
        assert _item(_as(other), url, papers[1]).get("status") is None  # shared, kept
        assert _item(_as(submitter), url, papers[1])["status"] == "published"
        assert _item(_as(other), url, papers[1]).get("status") is None
    url = f"/api/papers/{papers[1].pk}/"
    assert "status" not in _as(other).get(url).json()
    assert _as(submitter).get(url).json()["status"] == "published"


def test_a_title_that_looks_like_a_hole_is_kept_as_written(papers):
    from config.spliced import hole
    from papers.models import Paper

    written = "hole:0123456789abcdef01234567:voted:0"
    Paper.objects.filter(pk=papers[0].pk).update(title=written)
    member = UserFactory()
    vote_cast(user=member, paper=papers[0])
    assert _item(_as(member), "/api/papers/?order=new", papers[0])["title"] == written
    assert _as(member).get(f"/api/papers/{papers[0].pk}/").json()["title"] == written
    assert hole("voted", 0) != written  # this process's marker carries its own token


def test_a_shared_feed_page_costs_a_member_one_query_for_their_state(
    papers, django_assert_num_queries
):
    member = UserFactory()
    client = _as(member)
    url = "/api/papers/?order=new"
    client.get(url)  # rendered and kept, and the member's state on it
    with django_assert_num_queries(0):  # their state, kept under their version
        assert _item(client, url, papers[0])["marks"] == []
    paper_mark_set(user=member, paper=papers[0], kind=MarkKind.READ)
    with django_assert_num_queries(1):  # their state again, with the mark
        assert _item(client, url, papers[0])["marks"] == [MarkKind.READ]
    other = _as(UserFactory())
    with django_assert_num_queries(2):  # another member's own, and whether they moderate
        assert _item(other, url, papers[0])["marks"] == []


def test_a_paper_s_thread_is_shared_and_every_write_to_it_is_seen_at_once(papers):
    from curation.services import comment_create, comment_delete, comment_edit, comment_hide
    from papers.models import PaperStatus

    paper = papers[0]
    url = f"/api/papers/{paper.pk}/comments/"
    author, reader, moderator = UserFactory(), UserFactory(), ModeratorFactory()

    def thread(client) -> dict:
        answer = client.get(url)
        assert answer.status_code == 200
        return answer.json()

    assert thread(APIClient())["results"] == []  # rendered and kept for everyone
    comment = comment_create(user=author, paper=paper, body="First *look*")
    for client in (APIClient(), _as(reader), _as(author)):
        body = thread(client)
        assert body["comment_count"] == 1
        assert [c["body"] for c in body["results"]] == ["First *look*"]
    reply = comment_create(user=reader, paper=paper, body="Agreed", parent=comment)
    assert thread(_as(author))["results"][0]["replies"][0]["id"] == reply.pk
    comment_edit(comment=comment, user=author, body="First look, edited")
    assert thread(_as(reader))["results"][0]["body"] == "First look, edited"
    comment_hide(comment=reply, moderator=moderator, reason="Rude")
    shown = thread(_as(reader))["results"][0]["replies"][0]
    assert (shown["hidden"], shown["body"], shown["author"]) == (True, "", None)
    assert thread(_as(moderator))["results"][0]["replies"][0]["body"] == "Agreed"
    comment_delete(comment=comment, user=author)
    assert thread(APIClient())["results"][0]["deleted"] is True
    paper_hide(paper=paper, moderator=moderator, reason="Off topic")
    assert _as(reader).get(url).status_code == 404
    assert APIClient().get(url).status_code == 404
    assert thread(_as(moderator))["results"][0]["deleted"] is True

    pending = PaperFactory(status=PaperStatus.PENDING, submitted_by=author)
    mine = f"/api/papers/{pending.pk}/comments/"
    assert APIClient().get(mine).status_code == 404  # kept as "not for everyone"
    assert _as(author).get(mine).status_code == 200  # its submitter reads it
    assert _as(reader).get(mine).status_code == 404
