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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vector on PostgreSQL")
def test_ingested_papers_are_searchable(ingest, fixture_path):
    from curation.selectors import papers_search

    ingest(fixture_path("digest-aug22-plain.txt").read_bytes(), publish=True)
    paper = Paper.objects.published().exclude(title="").first()
    word = max(paper.title.split(), key=len)
    assert paper.pk in [p.pk for p in papers_search(word)]
