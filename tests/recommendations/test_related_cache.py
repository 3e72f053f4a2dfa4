"""The related papers' cache (recommendations.selectors.related_papers_for): a list is read
from the database once per generation of its rows and of the papers, then from the cache;
a fit, a refresh, a paper hidden, published or deleted shows at once; and every reader gets
the answer of their own role. Run on SQLite and on PostgreSQL (COMMON.md)."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from curation.services import paper_hide, paper_publish, papers_delete
from papers.models import PaperStatus
from recommendations import selectors
from recommendations.models import RelatedPaper
from recommendations.services import features_fit, recommendations_refresh
from tests.factories import ModeratorFactory, PaperFactory, UserFactory

pytestmark = pytest.mark.django_db

FIELDS = ("radiance fields", "neural rendering", "novel view synthesis", "point clouds")


@pytest.fixture
def papers():
    owner = UserFactory(username="owner")
    made = {
        f"field{i}": PaperFactory(
            title=f"Neural fields, part {i}: {FIELDS[i % 4]}",
            abstract=f"We study {FIELDS[i % 4]} and {FIELDS[(i + 1) % 4]} with neural fields.",
        )
        for i in range(8)
    }
    made["speech"] = PaperFactory(title="Speech synthesis", abstract="Text to speech.")
    made["pending"] = PaperFactory(
        title="Neural fields, pending", abstract="Radiance fields and point clouds.",
        status=PaperStatus.PENDING, submitted_by=owner,
    )  # fmt: skip
    made["hidden"] = PaperFactory(
        title="Neural fields, hidden", abstract="Radiance fields and neural rendering.",
        status=PaperStatus.HIDDEN,
    )  # fmt: skip
    features_fit()
    made["owner"] = owner
    return made


def related_ids(pk: int, user=None) -> list[int] | None:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    response = client.get(f"/api/papers/{pk}/related/")
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    return [item["id"] for item in response.json()["results"]]


def test_a_list_is_read_once_then_served_from_the_cache(papers, django_assert_num_queries):
    pk = papers["field0"].pk
    with django_assert_num_queries(1):
        first = related_ids(pk)
    with django_assert_num_queries(0):
        assert related_ids(pk) == first
    member = UserFactory()
    # A member's session is read, the list is not.
    client = APIClient()
    client.force_authenticate(member)
    with django_assert_num_queries(0):
        assert [r["id"] for r in client.get(f"/api/papers/{pk}/related/").json()["results"]] == (
            first
        )


def test_a_row_written_by_a_refresh_shows_at_once(papers):
    target = papers["field0"]
    before = related_ids(target.pk)
    assert before is not None
    new = PaperFactory(title=target.title + " again", abstract=target.abstract)
    assert related_ids(target.pk) == before  # kept: the rows did not change
    recommendations_refresh()
    assert RelatedPaper.objects.filter(paper=target, related=new).exists()
    assert new.pk in related_ids(target.pk)
    assert related_ids(new.pk)  # its own list, empty when first asked, is there too


def test_a_fit_replaces_the_lists_served(papers):
    pk = papers["field0"].pk
    assert related_ids(pk)
    RelatedPaper.objects.filter(paper_id=pk).delete()  # behind the services' back: not seen
    assert related_ids(pk)
    features_fit()
    assert related_ids(pk) == [
        row.related_id
        for row in RelatedPaper.objects.filter(paper_id=pk).order_by("-score", "related_id")[:10]
        if row.related.status == PaperStatus.PUBLISHED
    ]


def test_a_paper_hidden_or_deleted_leaves_the_cached_lists_at_once(papers):
    moderator = ModeratorFactory()
    target = papers["field1"]
    listed = related_ids(target.pk)
    first, second = listed[0], listed[1]
    paper_hide(paper=papers_by_pk(papers)[first], moderator=moderator, reason="Off topic.")
    assert first not in related_ids(target.pk)
    papers_delete(papers=[papers_by_pk(papers)[second]], moderator=moderator)
    assert second not in related_ids(target.pk)
    # A hidden paper's own list is a 404 for readers from then on, cached or not.
    assert related_ids(first) is None
    assert related_ids(first, ModeratorFactory()) is not None


def test_a_pending_paper_published_opens_to_everyone_at_once(papers):
    pending = papers["pending"]
    assert related_ids(pending.pk) is None
    paper_publish(paper=pending, moderator=ModeratorFactory())
    assert related_ids(pending.pk) is not None


def papers_by_pk(papers):
    return {paper.pk: paper for key, paper in papers.items() if key != "owner"}


@pytest.mark.parametrize("first_reader", ["anonymous", "member", "owner", "moderator"])
def test_each_reader_gets_their_own_answer_whoever_asked_first(papers, first_reader):
    people = {
        "anonymous": None,
        "member": UserFactory(),
        "owner": papers["owner"],
        "moderator": ModeratorFactory(),
    }
    expected = {
        # paper: {reader: may open}
        "pending": {"anonymous": False, "member": False, "owner": True, "moderator": True},
        "hidden": {"anonymous": False, "member": False, "owner": False, "moderator": True},
        "field2": dict.fromkeys(people, True),
    }
    order = [first_reader, *(name for name in people if name != first_reader)]
    for paper, may_open in expected.items():
        lists = {}
        for reader in order:
            ids = related_ids(papers[paper].pk, people[reader])
            assert (ids is not None) == may_open[reader], (paper, reader)
            if ids is not None:
                lists[reader] = ids
                # Only published papers beside it, whoever reads.
                assert not set(ids) & {papers["pending"].pk, papers["hidden"].pk}
        assert len({tuple(ids) for ids in lists.values()}) == 1  # the same list for all
    assert related_ids(999999, people[first_reader]) is None


def test_the_kept_body_is_the_one_of_the_address_and_media_type_asked(
    papers, django_assert_num_queries
):
    # The body is kept rendered: its links carry the scheme and host it was asked at, and
    # an indent asked in the media type is its own body; the browsable API still renders.
    pk = papers["field0"].pk
    client = APIClient()
    plain = client.get(f"/api/papers/{pk}/related/")
    with django_assert_num_queries(0):
        again = client.get(f"/api/papers/{pk}/related/")
    assert again.content == plain.content
    assert again["Content-Type"] == "application/json"
    assert plain.json()["results"][0]["url"].startswith("http://testserver/api/papers/")
    secure = client.get(f"/api/papers/{pk}/related/", secure=True)
    assert secure.json()["results"][0]["url"].startswith("https://testserver/api/papers/")
    indented = client.get(f"/api/papers/{pk}/related/", HTTP_ACCEPT="application/json; indent=2")
    assert indented.content != plain.content
    assert indented.json() == plain.json()
    assert b'\n  "paper"' in indented.content
    browsable = client.get(f"/api/papers/{pk}/related/", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and b"results" in browsable.content
    assert client.get("/api/papers/999999/related/").status_code == 404


def test_the_list_s_statement_is_planned_once_per_connection_on_postgresql(
    papers, django_assert_num_queries, settings
):
    """Asked a sixth time on one connection, PostgreSQL runs the list's statement from a plan
    it keeps (config/postgresql: prepared_cursor), and each ask is still one query Django
    counts and logs with its values; the answers stay the same."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    assert settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] == 5
    pk = papers["field0"].pk
    answers = []
    for _ in range(7):
        with django_assert_num_queries(1) as captured:
            answers.append(selectors._related_public(pk=pk, limit=10))
    # Logged and captured whole, with its values (config/postgresql: last_executed_query).
    assert f"r.paper_id = {pk} AND p.status = 'published'" in captured[0]["sql"]
    assert answers[0] and all(answer == answers[0] for answer in answers)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"recommendations_relatedpaper" r JOIN%'],
        )
        assert cursor.fetchone()[0] == 1
