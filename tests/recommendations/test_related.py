"""A paper's related papers as the readers get them: the table read in one indexed query,
the API endpoint (/api/papers/{id}/related/) with the read rules of a paper's page, and its
place in the OpenAPI schema. Run on SQLite and on PostgreSQL (COMMON.md)."""

from __future__ import annotations

import datetime

import pytest
import yaml
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from rest_framework.test import APIClient

from papers.models import Paper, PaperStatus
from recommendations import selectors
from recommendations.models import RelatedPaper
from recommendations.selectors import RELATED_SHOWN, related_papers
from recommendations.services import RELATED_STORED, features_fit, recommendations_refresh
from tests.factories import ModeratorFactory, PaperFactory, UserFactory

pytestmark = pytest.mark.django_db

FIELDS = ("radiance fields", "neural rendering", "novel view synthesis", "point clouds")


@pytest.fixture
def papers():
    """Fourteen published papers on neural fields (each sharing words with the others), one
    on speech, one hidden and one pending on neural fields too, fitted."""
    owner = UserFactory(username="owner")
    made = {
        f"field{i}": PaperFactory(
            title=f"Neural fields, part {i}: {FIELDS[i % 4]}",
            abstract=f"We study {FIELDS[i % 4]} and {FIELDS[(i + 1) % 4]} with neural fields.",
            authors=["Ada Lovelace", f"Author {i}"],
        )
        for i in range(14)
    }
    made["speech"] = PaperFactory(
        title="Speech synthesis", abstract="Text to speech with vocoders."
    )
    made["hidden"] = PaperFactory(
        title="Neural fields, hidden", abstract="Radiance fields and neural rendering.",
        status=PaperStatus.HIDDEN,
    )  # fmt: skip
    made["pending"] = PaperFactory(
        title="Neural fields, pending", abstract="Radiance fields and point clouds.",
        status=PaperStatus.PENDING, submitted_by=owner,
    )  # fmt: skip
    features_fit()
    made["owner"] = owner
    return made


def test_a_paper_s_related_papers_are_one_indexed_query(papers, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        rows = related_papers(paper_id=papers["field0"].pk)
        titles = [item.title for item in rows]
    sql = captured.captured_queries[0]["sql"]
    assert "JOIN" in sql and "LIMIT 10" in sql
    assert len(rows) == RELATED_SHOWN
    assert RelatedPaper.objects.filter(paper=papers["field0"]).count() == RELATED_STORED
    assert all(title.startswith("Neural fields, part") for title in titles)
    assert [item.score for item in rows] == sorted((item.score for item in rows), reverse=True)


def test_the_api_lists_them_best_first_with_what_a_line_shows(papers):
    response = APIClient().get(f"/api/papers/{papers['field1'].pk}/related/")
    assert response.status_code == 200
    body = response.json()
    assert body["paper"] == papers["field1"].pk
    results = body["results"]
    assert len(results) == RELATED_SHOWN
    assert set(results[0]) == {
        "id", "url", "title", "authors", "author_count", "arxiv_id", "first_digest_on", "score"
    }  # fmt: skip
    assert results[0]["url"].endswith(f"/api/papers/{results[0]['id']}/")
    ids = {r["id"] for r in results}
    assert papers["field1"].pk not in ids
    assert not ids & {papers["hidden"].pk, papers["pending"].pk, papers["speech"].pk}
    assert results[0]["authors"][0] == "Ada Lovelace"
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 1


def test_the_api_reads_a_paper_s_list_in_one_query(papers, django_assert_num_queries):
    client = APIClient()
    with django_assert_num_queries(1):
        assert client.get(f"/api/papers/{papers['field1'].pk}/related/").status_code == 200
    # A second only to tell an empty list from a paper the reader may not open.
    with django_assert_num_queries(2):
        assert client.get(f"/api/papers/{papers['hidden'].pk}/related/").status_code == 404


@pytest.mark.parametrize(
    ("paper", "role", "status"),
    [
        ("hidden", "anonymous", 404),
        ("hidden", "member", 404),
        ("hidden", "moderator", 200),
        ("pending", "anonymous", 404),
        ("pending", "member", 404),
        ("pending", "owner", 200),
        ("pending", "moderator", 200),
        ("speech", "anonymous", 200),
    ],
)
def test_whoever_may_not_open_a_paper_gets_a_404(papers, paper, role, status):
    client = APIClient()
    users = {"member": UserFactory(), "moderator": ModeratorFactory(), "owner": papers["owner"]}
    if role in users:
        client.force_authenticate(users[role])
    response = client.get(f"/api/papers/{papers[paper].pk}/related/")
    assert response.status_code == status
    if status == 404:
        assert response.json()["error"]["message"] == "There is no such paper."
    else:
        # Whoever opens a hidden or pending paper sees only published papers beside it.
        listed = {r["id"] for r in response.json()["results"]}
        assert not listed & {papers["hidden"].pk, papers["pending"].pk}
    assert APIClient().get("/api/papers/999999/related/").status_code == 404


@pytest.mark.parametrize("status", list(PaperStatus))
def test_the_written_out_statement_agrees_with_the_rule_of_who_may_open_a_paper(papers, status):
    """The API's statement for anonymous readers (written out for speed) and the ORM's, read
    through curation.selectors.papers_visible_to, give the same answer for a paper in each
    state, with every field the same and of the same type."""
    target = papers["field2"]
    target.status = status
    target.save(update_fields=["status"])
    papers["field3"].first_digest_on = datetime.date(2024, 5, 17)
    papers["field3"].save(update_fields=["first_digest_on"])
    fast = selectors._related_public(pk=target.pk, limit=RELATED_SHOWN)
    ruled = selectors._related_visible(pk=target.pk, viewer=AnonymousUser(), limit=RELATED_SHOWN)
    assert fast == ruled
    if status == PaperStatus.PUBLISHED:
        assert fast and isinstance(fast[0].authors, list)
        dated = [item for item in fast if item.id == papers["field3"].pk]
        assert dated and dated[0].first_digest_on == datetime.date(2024, 5, 17)
    else:
        assert fast is None
    assert selectors._related_public(pk=999999, limit=RELATED_SHOWN) is None


def test_a_paper_hidden_after_its_neighbours_were_listed_is_left_out(papers):
    target = papers["field1"]
    first = Paper.objects.get(pk=related_papers(paper_id=target.pk)[0].id)
    first.status = PaperStatus.HIDDEN
    first.save(update_fields=["status"])
    results = APIClient().get(f"/api/papers/{target.pk}/related/").json()["results"]
    assert first.pk not in {r["id"] for r in results}
    assert len(results) == RELATED_SHOWN  # the spare rows fill in


def test_a_paper_without_a_list_yet_has_none(papers):
    new = PaperFactory(title="Neural fields, new", abstract="Radiance fields again.")
    response = APIClient().get(f"/api/papers/{new.pk}/related/")
    assert response.status_code == 200 and response.json()["results"] == []
    recommendations_refresh()
    assert APIClient().get(f"/api/papers/{new.pk}/related/").json()["results"]


def test_the_endpoint_is_in_the_openapi_schema(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    operation = yaml.safe_load(out.read_text())["paths"]["/api/papers/{id}/related/"]["get"]
    assert operation["operationId"] == "papers_related"
    assert set(operation["responses"]) == {"200", "404", "429"}
