"""The columns curation adds to Paper work with rows that ingestion inserts itself."""

import pytest
from django.db import connection

from papers.models import Paper

pytestmark = pytest.mark.django_db


def test_ingested_papers_get_counts_and_a_hot_score(ingest, fixture_path):
    ingest(fixture_path("digest-aug22-plain.txt").read_bytes(), publish=True)
    papers = list(Paper.objects.all())
    assert papers
    assert {(p.vote_count, p.comment_count, p.submitted_by_id) for p in papers} == {(0, 0, None)}
    assert all(p.hot_score is not None for p in papers if p.first_digest_on)


def test_papers_inserted_without_the_source_columns_get_their_defaults():
    """COPY and INSERT statements that name only the older columns (bench/seed_api.py) still
    work: the source's columns have database defaults, empty and null."""
    columns = "title, title_key, abstract, authors, status, created_at, updated_at"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO papers_paper ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            ["Plain", "plain", "", "[]", "pending", "2024-08-22 00:00:00", "2024-08-22 00:00:00"],
        )

    paper = Paper.objects.get(title_key="plain")
    assert (paper.upvotes, paper.source_comment_count, paper.github_stars) == (None, None, None)
    assert (paper.github_repo, paper.project_page, paper.thumbnail_url) == ("", "", "")
    assert (paper.ai_summary, paper.ai_keywords) == ("", [])
    assert (paper.organization, paper.source_submitted_by) == ("", "")
    assert (paper.vote_count, paper.comment_count) == (0, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vector on PostgreSQL")
def test_ingested_papers_are_searchable(ingest, fixture_path):
    from curation.selectors import papers_search
    from papers.services.search_index import search_index_refresh

    ingest(fixture_path("digest-aug22-plain.txt").read_bytes(), publish=True)
    paper = Paper.objects.published().exclude(title="").first()
    word = max(paper.title.split(), key=len)
    # Indexed once the ingestion has committed (the test's transaction never commits, so the
    # refresh that ingestion schedules is run here by hand).
    assert paper.pk not in [p.pk for p in papers_search(word)]
    assert search_index_refresh() == Paper.objects.count()
    assert paper.pk in [p.pk for p in papers_search(word)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vector on PostgreSQL")
def test_an_abstract_filled_in_later_is_indexed_again(ingest):
    import json

    from curation.selectors import papers_search
    from papers.services.search_index import search_index_refresh

    def dump(abstract, day):
        item = {
            "paper": {"title": "Quiet transformers", "summary": abstract},
            "publishedAt": f"{day}T08:00:00Z",
        }
        return json.dumps([item]).encode()

    ingest(dump("", "2024-09-18"), publish=True)
    search_index_refresh()
    assert list(papers_search("photosynthesis")) == []

    ingest(dump("Transformers that learn photosynthesis.", "2024-09-19"))
    search_index_refresh()

    assert [p.title for p in papers_search("photosynthesis")] == ["Quiet transformers"]
