"""Papers API: feeds and their cursor pagination, filters, the digest-day view, search,
export, submission, a paper's page, votes and the workflow."""

from __future__ import annotations

import base64
import csv
import datetime
import io
import json

import pytest
from django.db import connection

from config.api.inputs import MSG_UNKNOWN_FIELD
from config.cursors import MAX_ID, MSG_BAD_CURSOR
from curation.api.papers import MSG_PAPER_NOT_FOUND
from curation.api.serializers import (
    MSG_BULK_DUPLICATES,
    MSG_BULK_NO_PAPERS,
    MSG_BULK_NOT_IDS,
    MSG_BULK_TOO_MANY,
)
from curation.models import ModerationAction, ModerationEvent, Vote
from curation.selectors import MSG_STATUS_MODERATORS_ONLY
from curation.services.submissions import MSG_ARXIV_INVALID, MSG_DUPLICATE
from curation.services.workflow import MSG_REASON_REQUIRED, MSG_TRANSITION_REFUSED
from papers.models import Paper, PaperStatus
from tests.api_clients import client_for
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 8, 22)
LIST_ITEM_KEYS = {
    "id",
    "url",
    "title",
    "abstract",  # whole: the web feed's "load more" shows (and expands) it
    "arxiv_id",
    "authors",
    "published_on",
    "first_digest_on",
    "vote_count",
    "comment_count",
    "voted",
    "source",
    "marks",  # my own: read, not_interested
    "tags",
}
SOURCE_KEYS = {
    "upvotes",
    "comment_count",
    "github_repo",
    "github_stars",
    "project_page",
    "thumbnail_url",
    "ai_summary",
    "ai_keywords",
    "organization",
    "submitted_by",
}
NO_SOURCE = {key: [] if key == "ai_keywords" else None for key in SOURCE_KEYS}


def walk(client, url: str) -> list[int]:
    """Follow `next` links to the end; the ids in the order seen."""
    ids, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
        pages += 1
        assert pages < 100
    return ids


def refresh_search_index():
    if connection.vendor == "postgresql":
        from papers.services.search_index import search_index_refresh

        search_index_refresh()


# --- Feeds and cursor pagination ------------------------------------------------------------


def test_the_feed_answers_papers_with_their_tags_and_my_vote():
    member = UserFactory()
    paper = PaperFactory(title="Attention", abstract="We attend. " * 200, first_digest_on=DAY)
    PaperFactory(title="Other", first_digest_on=DAY)
    tag = TagFactory(name="Vision", slug="vision")
    zebra = TagFactory(name="Zebra", slug="a-zebra")
    PaperTagFactory(paper=paper, tag=zebra, added_by=member)
    PaperTagFactory(paper=paper, tag=tag, added_by=member)
    client = client_for(member)
    client.post(f"/api/papers/{paper.pk}/vote/")

    body = client.get("/api/papers/?order=top").json()

    assert set(body) == {"next", "results"}
    first = body["results"][0]
    assert set(first) == LIST_ITEM_KEYS  # no status for a member
    assert first["id"] == paper.pk
    assert first["voted"] is True
    assert first["marks"] == []
    assert first["vote_count"] == 1
    assert first["abstract"] == paper.abstract
    # By name (not slug, not insertion order).
    assert first["tags"] == [
        {"slug": "vision", "name": "Vision"},
        {"slug": "a-zebra", "name": "Zebra"},
    ]
    assert body["results"][1]["tags"] == []
    assert first["url"] == f"http://testserver/api/papers/{paper.pk}/"
    assert body["results"][1]["voted"] is False
    assert first["source"] == NO_SOURCE


SOURCE_FIGURES = {
    "upvotes": 12,
    "source_comment_count": 4,
    "github_repo": "https://github.com/example/romath",
    "github_stars": 57,
    "project_page": "https://example.org/romath",
    "thumbnail_url": "https://cdn.example.org/romath.png",
    "ai_summary": "A benchmark of mathematical reasoning in Romanian.",
    "ai_keywords": ["benchmark", "Romanian"],
    "organization": "upb",
    "source_submitted_by": "akhaliq",
}
SOURCE_ANSWER = {
    "upvotes": 12,
    "comment_count": 4,
    "github_repo": "https://github.com/example/romath",
    "github_stars": 57,
    "project_page": "https://example.org/romath",
    "thumbnail_url": "https://cdn.example.org/romath.png",
    "ai_summary": "A benchmark of mathematical reasoning in Romanian.",
    "ai_keywords": ["benchmark", "Romanian"],
    "organization": "upb",
    "submitted_by": "akhaliq",
}


def test_the_sources_figures_and_links_come_apart_from_ours_in_lists_and_on_the_page():
    paper = PaperFactory(first_digest_on=DAY, **SOURCE_FIGURES)
    Paper.objects.filter(pk=paper.pk).update(vote_count=1, comment_count=2)

    item = client_for().get("/api/papers/?order=new").json()["results"][0]
    page = client_for().get(f"/api/papers/{paper.pk}/").json()

    for body in (item, page):
        assert body["source"] == SOURCE_ANSWER
        assert (body["vote_count"], body["comment_count"]) == (1, 2)
    assert set(page["source"]) == SOURCE_KEYS


@pytest.mark.parametrize("order", ["hot", "new", "top"])
def test_cursor_pagination_walks_every_paper_once_despite_ties(order):
    # Ties everywhere: the same day and the same votes for most papers, a few apart.
    tied = [PaperFactory(first_digest_on=DAY) for _ in range(17)]
    older = [PaperFactory(first_digest_on=DAY - datetime.timedelta(days=3)) for _ in range(4)]
    voter = UserFactory()
    for paper in tied[:5] + older[:2]:
        Vote.objects.create(user=voter, paper=paper)
    Paper.objects.filter(pk__in=[p.pk for p in tied[:5] + older[:2]]).update(vote_count=1)
    PaperFactory(status=PaperStatus.PENDING, first_digest_on=None)

    ids = walk(client_for(), f"/api/papers/?order={order}&page_size=4")

    expected = {p.pk for p in tied + older}
    assert len(ids) == len(expected) == len(set(ids))
    assert set(ids) == expected
    single = client_for().get(f"/api/papers/?order={order}&page_size=100").json()
    assert ids == [row["id"] for row in single["results"]]


@pytest.mark.parametrize("order", ["hot", "new", "top"])
def test_moderators_page_through_every_state_including_papers_without_a_day(order):
    moderator = ModeratorFactory()
    papers = [PaperFactory(first_digest_on=DAY) for _ in range(5)]
    papers += [PaperFactory(status=PaperStatus.PENDING, first_digest_on=None) for _ in range(6)]
    papers += [PaperFactory(status=PaperStatus.HIDDEN, first_digest_on=DAY) for _ in range(2)]

    ids = walk(client_for(moderator), f"/api/papers/?status=all&order={order}&page_size=3")

    assert sorted(ids) == sorted(p.pk for p in papers)


def test_the_next_link_carries_an_opaque_cursor_and_keeps_the_filters():
    for _ in range(3):
        PaperFactory(first_digest_on=DAY)
    body = client_for().get("/api/papers/?order=new&page_size=2&period=all").json()
    next_url = body["next"]
    assert "order=new" in next_url and "page_size=2" in next_url
    cursor = next_url.split("cursor=")[1].split("&")[0]
    kind, key, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert (kind, key) == ("new", DAY.isoformat())
    assert pk == body["results"][-1]["id"]


@pytest.mark.parametrize(
    "query",
    [
        "cursor=garbage!",
        "cursor=" + base64.urlsafe_b64encode(b'["top", 3, 7]').decode(),  # another order's
        "cursor=" + base64.urlsafe_b64encode(b'["hot", "x", 7]').decode(),
        "cursor=" + base64.urlsafe_b64encode(b"{}").decode(),
    ],
)
def test_a_bad_cursor_is_a_400_in_the_error_shape(query):
    PaperFactory()
    response = client_for().get(f"/api/papers/?order=hot&{query}")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": MSG_BAD_CURSOR,
        "fields": {"cursor": [MSG_BAD_CURSOR]},
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("order=sideways", "order"),
        ("period=decade", "period"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=lots", "page_size"),
        ("digest=yesterday", "digest"),
        ("date=2024-13-45", "date"),
        ("tag=not%20a%20slug", "tag"),
        ("match=some", "match"),
        ("q=" + "x" * 300, "q"),
    ],
)
def test_bad_filter_values_are_a_400_naming_the_field(query, field):
    response = client_for().get(f"/api/papers/?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]


def test_a_status_is_for_moderators_only():
    PaperFactory(status=PaperStatus.PENDING, first_digest_on=None)
    response = client_for(UserFactory()).get("/api/papers/?status=pending")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": MSG_STATUS_MODERATORS_ONLY,
    }
    moderator = ModeratorFactory()
    body = client_for(moderator).get("/api/papers/?status=pending").json()
    assert [row["status"] for row in body["results"]] == ["pending"]
    assert client_for(moderator).get("/api/papers/?status=lost").status_code == 400


def test_tag_filters_match_any_or_all():
    vision, language = TagFactory(slug="vision"), TagFactory(slug="language")
    both, only_vision, only_language = PaperFactory(), PaperFactory(), PaperFactory()
    PaperFactory()
    for paper, tag in [(both, vision), (both, language), (only_vision, vision)]:
        PaperTagFactory(paper=paper, tag=tag)
    PaperTagFactory(paper=only_language, tag=language)
    client = client_for()

    def ids(query):
        return sorted(row["id"] for row in client.get(f"/api/papers/?{query}").json()["results"])

    assert ids("tag=vision&tag=language") == sorted([both.pk, only_vision.pk, only_language.pk])
    assert ids("tag=vision&tag=language&match=all") == [both.pk]
    assert ids("tag=vision") == sorted([both.pk, only_vision.pk])
    assert ids("tag=unknown") == []


def test_the_digest_filter_keeps_the_papers_of_that_day():
    listed, other = PaperFactory(), PaperFactory()
    DigestEntryFactory(paper=listed, digest__date=DAY)
    DigestEntryFactory(paper=other, digest__date=DAY - datetime.timedelta(days=1))
    body = client_for().get(f"/api/papers/?digest={DAY.isoformat()}").json()
    assert [row["id"] for row in body["results"]] == [listed.pk]


def test_top_of_the_week_leaves_out_older_days(settings):
    today = datetime.date.today()
    recent = PaperFactory(first_digest_on=today)
    PaperFactory(first_digest_on=today - datetime.timedelta(days=30))
    body = client_for().get("/api/papers/?order=top&period=week").json()
    assert [row["id"] for row in body["results"]] == [recent.pk]


# --- The digest-day view --------------------------------------------------------------------


def test_the_digest_day_view_gives_the_day_in_order_with_previous_and_next_days():
    days = [DigestFactory(date=DAY + datetime.timedelta(days=d)) for d in (-2, 0, 3)]
    papers = [PaperFactory(first_digest_on=DAY) for _ in range(5)]
    for position, paper in zip([5, 1, 4, 2, 3], papers, strict=True):
        DigestEntryFactory(digest=days[1], paper=paper, position=position)
    hidden = PaperFactory(status=PaperStatus.HIDDEN)
    DigestEntryFactory(digest=days[1], paper=hidden, position=6)
    client = client_for()

    body = client.get(f"/api/papers/?date={DAY.isoformat()}&page_size=2").json()

    assert body["day"] == {
        "date": DAY.isoformat(),
        "previous_day": (DAY - datetime.timedelta(days=2)).isoformat(),
        "next_day": (DAY + datetime.timedelta(days=3)).isoformat(),
    }
    assert [row["position"] for row in body["results"]] == [1, 2]
    ids = walk(client, f"/api/papers/?date={DAY.isoformat()}&page_size=2")
    assert ids == [papers[i].pk for i in (1, 3, 4, 2, 0)]

    first = client.get(f"/api/papers/?date={days[0].date.isoformat()}").json()["day"]
    assert (first["previous_day"], first["next_day"]) == (None, DAY.isoformat())
    empty = client.get("/api/papers/?date=2030-01-01").json()
    assert empty["results"] == [] and empty["day"]["next_day"] is None


# --- Search ---------------------------------------------------------------------------------


def test_search_ranks_title_matches_first_and_pages_by_number():
    in_title = PaperFactory(title="Graph transformers at scale", abstract="Nothing here.")
    in_abstract = PaperFactory(title="Something else", abstract="We study graph transformers.")
    PaperFactory(title="Unrelated", abstract="Cats.")
    PaperFactory(
        title="Graph transformers, pending",
        status=PaperStatus.PENDING,
        first_digest_on=None,
    )
    refresh_search_index()
    client = client_for()

    body = client.get("/api/papers/?q=graph transformers&page_size=1").json()

    assert "count" not in body  # search pages are not counted (SearchPagination)
    assert [row["id"] for row in body["results"]] == [in_title.pk]
    assert body["previous"] is None
    second = client.get(body["next"]).json()
    assert [row["id"] for row in second["results"]] == [in_abstract.pk]
    assert second["next"] is None


def test_search_pages_stop_at_the_cap(monkeypatch):
    from curation import selectors

    monkeypatch.setattr(selectors, "SEARCH_RANKED_MATCHES", 3)
    for i in range(6):
        PaperFactory(title=f"Graph number {i}")
    refresh_search_index()
    client = client_for()

    body = client.get("/api/papers/?q=graph&page_size=2").json()
    assert len(body["results"]) == 2 and body["next"] is not None
    last = client.get(body["next"]).json()
    assert len(last["results"]) == 1 and last["next"] is None
    assert last["previous"] in (
        "http://testserver/api/papers/?q=graph&page_size=2",
        "http://testserver/api/papers/?page_size=2&q=graph",
    )
    assert client.get("/api/papers/?q=graph&page_size=2&page=3").status_code == 404
    seen = [row["id"] for row in body["results"] + last["results"]]
    assert len(set(seen)) == 3


def test_search_pages_end_where_the_matches_end():
    for i in range(4):
        PaperFactory(title=f"Lattice number {i}")
    refresh_search_index()
    client = client_for()

    first = client.get("/api/papers/?q=lattice&page_size=2").json()
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert client.get("/api/papers/?q=lattice&page_size=2&page=3").status_code == 404
    assert client.get("/api/papers/?q=lattice&page=last").status_code == 400
    assert client.get("/api/papers/?q=nothingmatches").json() == {
        "next": None,
        "previous": None,
        "results": [],
    }


def test_anonymous_first_feed_pages_are_cached_briefly_and_members_never_are():
    from django.core.cache import cache

    member = UserFactory()
    paper = PaperFactory(title="Cached", first_digest_on=DAY)
    anonymous = client_for()
    first = anonymous.get("/api/papers/?order=top").json()
    assert first["results"][0]["vote_count"] == 0

    client_for(member).post(f"/api/papers/{paper.pk}/vote/")

    # Anonymous readers see the vote once the cache entry expires (a few seconds)...
    again = anonymous.get("/api/papers/?order=top")
    assert again.json() == first
    assert again["Content-Type"] == "application/json"
    # ...signed-in readers at once, with their own vote.
    mine = client_for(member).get("/api/papers/?order=top").json()["results"][0]
    assert (mine["vote_count"], mine["voted"]) == (1, True)
    # Another URL is another entry; later pages (cursor) are never cached.
    assert (
        anonymous.get("/api/papers/?order=top&page_size=5").json()["results"][0]["vote_count"] == 1
    )
    cache.clear()  # as when the entry expires
    assert anonymous.get("/api/papers/?order=top").json()["results"][0]["vote_count"] == 1


def test_search_beyond_the_last_page_is_a_404_in_the_shape():
    PaperFactory(title="Graph things")
    refresh_search_index()
    response = client_for().get("/api/papers/?q=graph&page=9")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- Hostile input comes back as data -------------------------------------------------------

HOSTILE_TITLES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil")',
    "Robert'); DROP TABLE papers;--",
    "\u202eevil\u202c and 🧨 émoji",
]


def test_hostile_titles_come_back_as_the_raw_strings_they_are():
    papers = {PaperFactory(title=title).pk: title for title in HOSTILE_TITLES}
    response = client_for().get("/api/papers/?page_size=100")
    assert response["Content-Type"] == "application/json"
    got = {row["id"]: row["title"] for row in response.json()["results"]}
    assert got == papers


# --- Export -------------------------------------------------------------------------------


def test_csv_export_streams_a_header_and_one_row_per_paper():
    tag = TagFactory(slug="vision")
    papers = [PaperFactory(title=title, authors=["Ada", "Bob"]) for title in HOSTILE_TITLES]
    PaperTagFactory(paper=papers[0], tag=tag)
    PaperFactory(status=PaperStatus.PENDING, first_digest_on=None)

    response = client_for().get("/api/papers/export/?format=csv&order=new")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="papers-')
    assert response["Content-Disposition"].endswith('.csv"')
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "id",
        "url",
        "title",
        "arxiv_id",
        "authors",
        "published_on",
        "first_digest_on",
        "vote_count",
        "comment_count",
        "tags",
        "arxiv_version",
        "source_upvotes",
        "source_comment_count",
        "github_repo",
        "github_stars",
        "project_page",
        "organization",
        "ai_keywords",
    ]
    by_id = {int(row["id"]): row for row in rows}
    assert set(by_id) == {p.pk for p in papers}
    assert by_id[papers[0].pk]["title"] == "<script>alert(1)</script>"
    assert by_id[papers[0].pk]["tags"] == "vision"
    assert by_id[papers[0].pk]["github_repo"] == ""  # none known
    assert by_id[papers[0].pk]["authors"] == "Ada; Bob"
    # A formula is not a formula any more.
    assert by_id[papers[2].pk]["title"] == '\'=HYPERLINK("http://evil")'


def test_jsonl_export_lines_parse_and_follow_the_filters():
    tag = TagFactory(slug="vision")
    tagged = [PaperFactory(title=title) for title in HOSTILE_TITLES]
    for paper in tagged:
        PaperTagFactory(paper=paper, tag=tag)
    PaperFactory(title="Untagged")

    response = client_for().get("/api/papers/export/?format=jsonl&tag=vision")

    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Content-Disposition"].endswith('.jsonl"')
    lines = b"".join(response.streaming_content).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert {row["id"]: row["title"] for row in rows} == {p.pk: p.title for p in tagged}
    assert all(row["tags"] == ["vision"] for row in rows)


def test_export_refuses_bad_filters_in_the_shape():
    response = client_for().get("/api/papers/export/?format=xml")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["error"]["fields"]) == ["format"]


# --- Submission -------------------------------------------------------------------------


def test_a_member_submits_a_paper_that_waits_for_moderation():
    member = UserFactory()
    response = client_for(member).post(
        "/api/papers/",
        {"title": "  A new  result ", "abstract": "We show.", "arxiv_id": "arXiv:2408.01234"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "A new result"
    assert body["status"] == "pending"  # its submitter sees the state
    assert body["submitted_by"] == member.username
    assert response["Location"] == body["url"]
    assert client_for().get(body["url"]).status_code == 404  # not public yet


def test_a_duplicate_submission_links_to_the_paper_that_is_here():
    existing = PaperFactory(title="Attention is all you need")
    response = client_for(UserFactory()).post(
        "/api/papers/", {"title": "Attention Is All You Need"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "duplicate",
        "message": MSG_DUPLICATE,
        "paper_id": existing.pk,
        "url": f"http://testserver/api/papers/{existing.pk}/",
    }


def test_a_submission_without_a_title_is_a_400():
    response = client_for(UserFactory()).post("/api/papers/", {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["title"]


@pytest.mark.parametrize(
    "given",
    [
        "2401.12345",
        "2401.12345v2",
        "arXiv:2401.12345",
        "https://arxiv.org/abs/2401.12345",
        "https://arxiv.org/pdf/2401.12345v3.pdf",
        "https://huggingface.co/papers/2401.12345",
    ],
)
def test_a_submission_takes_every_form_of_arxiv_id_under_the_outputs_name(given):
    member = UserFactory()
    response = client_for(member).post(
        "/api/papers/", {"title": "A Result", "arxiv_id": given}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["arxiv_id"] == "2401.12345"
    # Pasted again alone, in the same form: the paper that is here, by its address.
    again = client_for(member).post("/api/papers/", {"arxiv_id": given}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["url"] == response.json()["url"]


@pytest.mark.parametrize(
    ("body", "unknown"),
    [
        ({"title": "A Result", "arxiv": "2401.12345"}, ["arxiv"]),  # the name before arxiv_id
        ({"title": "A Result", "authors": ["Ada"], "status": "published"}, ["authors", "status"]),
    ],
)
def test_an_unknown_field_of_a_submission_is_a_400_naming_it(body, unknown):
    response = client_for(UserFactory()).post("/api/papers/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert sorted(error["fields"]) == unknown
    assert error["fields"][unknown[0]] == [f"“{unknown[0]}” is not a field of this request."]
    assert not Paper.objects.exists()


def test_unknown_fields_are_named_beside_the_invalid_ones():
    response = client_for(UserFactory()).post(
        "/api/papers/", {"title": ["not", "text"], "arxiv": "2401.12345"}, format="json"
    )
    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == ["arxiv", "title"]


def test_a_submission_in_a_form_body_is_judged_alike():
    response = client_for(UserFactory()).post(
        "/api/papers/", {"title": "A Result", "arxiv": "2401.12345"}
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["arxiv"]


def test_an_invalid_arxiv_id_names_the_field():
    response = client_for(UserFactory()).post(
        "/api/papers/",
        {"title": "A Result", "arxiv_id": "https://example.org/2401.12345"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": MSG_ARXIV_INVALID,
        "fields": {"arxiv_id": [MSG_ARXIV_INVALID]},
    }


# --- A paper's page, votes, workflow ------------------------------------------------------


def test_a_papers_page_has_tags_with_who_added_them_votes_and_digest_days():
    member, tagger = UserFactory(), UserFactory(username="tagger")
    paper = PaperFactory(first_digest_on=DAY, authors=["Ada"])
    DigestEntryFactory(paper=paper, digest__date=DAY, position=3)
    DigestEntryFactory(paper=paper, digest__date=DAY + datetime.timedelta(days=1), position=1)
    PaperTagFactory(paper=paper, tag=TagFactory(slug="vision", name="Vision"), added_by=tagger)
    Vote.objects.create(user=member, paper=paper)
    Paper.objects.filter(pk=paper.pk).update(vote_count=1, comment_count=2)

    body = client_for(member).get(f"/api/papers/{paper.pk}/").json()

    assert body["voted"] is True
    assert body["vote_count"] == 1
    assert body["comment_count"] == 2
    assert body["authors"] == ["Ada"]
    assert body["source"] == NO_SOURCE
    assert [(t["slug"], t["added_by"]) for t in body["tags"]] == [("vision", "tagger")]
    assert body["digests"] == [
        {"date": DAY.isoformat(), "position": 3},
        {"date": (DAY + datetime.timedelta(days=1)).isoformat(), "position": 1},
    ]
    assert "status" not in body
    assert client_for(ModeratorFactory()).get(f"/api/papers/{paper.pk}/").json()["status"] == (
        "published"
    )
    assert client_for().get(f"/api/papers/{paper.pk}/").json()["voted"] is False


def test_an_unknown_paper_is_a_404_in_the_shape():
    response = client_for().get("/api/papers/424242/")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "There is no such paper."}}


def test_voting_answers_whether_i_voted_and_the_count_idempotently():
    paper = PaperFactory()
    client = client_for(UserFactory())
    url = f"/api/papers/{paper.pk}/vote/"
    assert client.post(url).json() == {"voted": True, "vote_count": 1}
    assert client.post(url).json() == {"voted": True, "vote_count": 1}
    assert client_for(UserFactory()).post(url).json() == {"voted": True, "vote_count": 2}
    assert client.delete(url).json() == {"voted": False, "vote_count": 1}
    assert client.delete(url).json() == {"voted": False, "vote_count": 1}


def test_a_moderator_moves_a_paper_and_a_refused_move_says_what_is_allowed():
    moderator = ModeratorFactory()
    paper = PaperFactory(status=PaperStatus.PENDING, first_digest_on=None)
    client = client_for(moderator)
    url = f"/api/papers/{paper.pk}/transition/"

    response = client.post(url, {"to_state": "published"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["first_digest_on"] is not None

    refused = client.post(url, {"to_state": "rejected", "reason": "Late."}, format="json")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert (error["code"], error["from_state"], error["allowed"]) == (
        "invalid_transition",
        "published",
        ["hidden"],
    )
    no_reason = client.post(url, {"to_state": "hidden"}, format="json")
    assert no_reason.status_code == 400
    assert no_reason.json()["error"]["code"] == "reason_required"
    bad = client.post(url, {"to_state": "gone"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["to_state"]


# --- Several papers at once -----------------------------------------------------------------

BULK = "/api/papers/transition/"


def test_a_moderator_moves_several_papers_and_a_refused_one_does_not_stop_the_others():
    first, second, third = PaperFactory.create_batch(
        3, status=PaperStatus.PENDING, first_digest_on=None
    )
    taken = PaperFactory(status=PaperStatus.PUBLISHED)  # another moderator was quicker
    missing = Paper.objects.order_by("-pk").values_list("pk", flat=True).first() + 100
    ids = [first.pk, taken.pk, second.pk, missing, third.pk]

    response = client_for(ModeratorFactory()).post(
        BULK, {"paper_ids": ids, "to_state": "published"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "moved": [{"id": p.pk, "status": "published"} for p in (first, second, third)],
        "refused": [
            {
                "id": taken.pk,
                "message": MSG_TRANSITION_REFUSED.format(
                    from_state="published", to_state="published"
                ),
            },
            {"id": missing, "message": MSG_PAPER_NOT_FOUND},
        ],
    }
    statuses = dict(Paper.objects.values_list("pk", "status"))
    assert {statuses[p.pk] for p in (first, second, third, taken)} == {"published"}
    assert ModerationEvent.objects.filter(action=ModerationAction.PUBLISH).count() == 3
    assert Paper.objects.get(pk=second.pk).first_digest_on is not None


def test_a_bulk_move_that_needs_a_reason_refuses_each_paper_without_one():
    papers = PaperFactory.create_batch(2, status=PaperStatus.PENDING, first_digest_on=None)
    client = client_for(ModeratorFactory())
    ids = [p.pk for p in papers]

    refused = client.post(BULK, {"paper_ids": ids, "to_state": "rejected"}, format="json")
    assert refused.status_code == 200
    assert refused.json() == {
        "moved": [],
        "refused": [
            {"id": pk, "message": MSG_REASON_REQUIRED.format(to_state="rejected")} for pk in ids
        ],
    }
    rejected = client.post(
        BULK, {"paper_ids": ids, "to_state": "rejected", "reason": "Off topic."}, format="json"
    )
    assert rejected.json()["moved"] == [{"id": pk, "status": "rejected"} for pk in ids]
    assert set(ModerationEvent.objects.values_list("reason", flat=True)) == {"Off topic."}


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 401), ("member", 403)])
def test_only_moderators_move_papers_in_bulk_and_nothing_moves_otherwise(role, expected):
    paper = PaperFactory(status=PaperStatus.PENDING, first_digest_on=None)
    client = client_for(None if role == "anonymous" else UserFactory(username="someone"))

    response = client.post(BULK, {"paper_ids": [paper.pk], "to_state": "published"}, format="json")

    assert response.status_code == expected
    assert response.json()["error"]["message"]
    assert Paper.objects.get(pk=paper.pk).status == PaperStatus.PENDING
    assert not ModerationEvent.objects.exists()


def test_a_member_is_refused_even_for_their_own_submission():
    member = UserFactory()
    own = PaperFactory(status=PaperStatus.PENDING, first_digest_on=None, submitted_by=member)
    response = client_for(member).post(
        BULK, {"paper_ids": [own.pk], "to_state": "published"}, format="json"
    )
    assert response.status_code == 403
    assert Paper.objects.get(pk=own.pk).status == PaperStatus.PENDING


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"paper_ids": []}, "paper_ids", MSG_BULK_NO_PAPERS),
        ({"paper_ids": list(range(1, 502))}, "paper_ids", MSG_BULK_TOO_MANY),
        ({"paper_ids": [1, 2, 1]}, "paper_ids", MSG_BULK_DUPLICATES),
        ({"paper_ids": [1, "two"]}, "paper_ids", MSG_BULK_NOT_IDS),
        ({"paper_ids": [1, 2.5]}, "paper_ids", MSG_BULK_NOT_IDS),
        ({"paper_ids": [True]}, "paper_ids", MSG_BULK_NOT_IDS),
        ({"paper_ids": [None]}, "paper_ids", MSG_BULK_NOT_IDS),
        ({"paper_ids": [[1]]}, "paper_ids", MSG_BULK_NOT_IDS),
        ({"paper_ids": [0]}, "paper_ids", MSG_BULK_NOT_IDS),
        ({"paper_ids": [-3]}, "paper_ids", MSG_BULK_NOT_IDS),
        ({"paper_ids": [MAX_ID + 1]}, "paper_ids", MSG_BULK_NOT_IDS),
        ({"paper_ids": [10**40]}, "paper_ids", MSG_BULK_NOT_IDS),
        ({"paper_ids": "1,2"}, "paper_ids", MSG_BULK_NOT_IDS),
        ({"paper_ids": {"1": 1}}, "paper_ids", MSG_BULK_NOT_IDS),
        ({"paper_ids": [1], "to_state": "gone"}, "to_state", None),
        ({"paper_ids": [1], "papers": [2]}, "papers", MSG_UNKNOWN_FIELD.format(name="papers")),
        ({"paper_ids": [1], "to": "published"}, "to", None),  # and to_state is missing
        ({"to_state": "published"}, "paper_ids", None),
    ],
)
def test_a_bad_bulk_body_is_a_400_in_one_sentence_and_moves_nothing(body, field, message):
    paper = PaperFactory(pk=1, status=PaperStatus.PENDING, first_digest_on=None)
    body = {"to_state": "published", **body}
    if field == "to":
        del body["to_state"]

    response = client_for(ModeratorFactory()).post(BULK, body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"]
    for messages in error["fields"].values():
        assert len(messages) == 1 and messages[0].endswith(".")
    if message is not None:
        assert error["message"] == message
        assert error["fields"] == {field: [message]}
    assert Paper.objects.get(pk=paper.pk).status == PaperStatus.PENDING


def test_a_bulk_move_is_one_write_for_the_throttle(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user_write": "2/min",
        },
    }
    papers = PaperFactory.create_batch(4, status=PaperStatus.PENDING, first_digest_on=None)
    client = client_for(ModeratorFactory())
    body = {"paper_ids": [p.pk for p in papers], "to_state": "published"}

    answers = [client.post(BULK, body, format="json").status_code for _ in range(3)]

    assert answers == [200, 200, 429]


def test_paper_addresses_follow_the_request_host_and_the_script_prefix(settings):
    """A paper's API address is built around its id once per list (paper_url_parts); it
    carries each request's scheme and host, and the script prefix a deployment under a
    sub-path gives it."""
    from django.test import RequestFactory
    from django.urls import set_script_prefix

    from curation.api.serializers import paper_url, paper_url_parts

    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    plain = RequestFactory().get("/", HTTP_HOST="a.example")
    secure = RequestFactory().get("/", HTTP_HOST="b.example", secure=True)
    assert paper_url(pk=7, request=plain) == "http://a.example/api/papers/7/"
    assert paper_url(pk=7, request=secure) == "https://b.example/api/papers/7/"
    assert paper_url(pk=7, request=None) == "/api/papers/7/"
    head, tail = paper_url_parts(secure)
    assert f"{head}12{tail}" == "https://b.example/api/papers/12/"
    set_script_prefix("/board/")
    try:
        assert paper_url(pk=7, request=None) == "/board/api/papers/7/"
        assert paper_url(pk=7, request=plain) == "http://a.example/board/api/papers/7/"
    finally:
        set_script_prefix("/")
    assert paper_url(pk=7, request=plain) == "http://a.example/api/papers/7/"
