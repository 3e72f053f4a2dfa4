"""The full-text search index (PostgreSQL): PaperSearch rows written after the papers."""

import pytest
from django.db import connection

from papers.models import PaperSearch
from papers.services.search_index import (
    search_index_invalidate,
    search_index_refresh,
    search_ranks_in_index,
)
from tests.factories import PaperFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="search index on PostgreSQL"),
]


def test_the_refresh_indexes_every_waiting_paper_in_batches_and_only_once():
    papers = [PaperFactory(title=f"Lattice paper {i}") for i in range(7)]

    assert search_index_refresh(batch_size=3) == 7
    assert set(PaperSearch.objects.values_list("paper_id", flat=True)) == {p.pk for p in papers}
    assert search_index_refresh(batch_size=3) == 0


def test_a_paper_whose_text_changed_is_indexed_again():
    paper = PaperFactory(title="Quiet transformers", abstract="")
    search_index_refresh()
    paper.abstract = "Transformers that learn photosynthesis."
    paper.save()

    search_index_invalidate(paper_ids=[paper.pk])
    assert not PaperSearch.objects.filter(paper=paper).exists()
    assert search_index_refresh() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector @@ to_tsquery('english', 'photosynthesis') "
            "FROM papers_papersearch WHERE paper_id = %s",
            [paper.pk],
        )
        assert cursor.fetchone() == (True,)


def test_the_title_weighs_more_than_the_abstract():
    paper = PaperFactory(title="Diffusion", abstract="Lattice")
    search_index_refresh()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text FROM papers_papersearch WHERE paper_id = %s", [paper.pk]
        )
        assert cursor.fetchone() == ("'diffus':1A 'lattic':2B",)


def test_a_deleted_paper_takes_its_vector_with_it():
    paper = PaperFactory()
    search_index_refresh()
    paper.delete()
    assert not PaperSearch.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_many_papers_waiting_are_indexed_with_the_rum_index_built_again(monkeypatch):
    from papers.services import search_index

    if not search_index.search_ranks_in_index():
        pytest.skip("this PostgreSQL has no rum extension (Debian's postgresql-15-rum)")
    monkeypatch.setattr(search_index, "REBUILD_FROM_PAPERS", 5)
    papers = [PaperFactory(title=f"Lattice paper {i}") for i in range(12)]

    assert search_index_refresh(batch_size=4) == 12

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
            "WHERE c.relname = 'paper_search_rum_idx'"
        )
        assert cursor.fetchone() == (True,)
    assert PaperSearch.objects.count() == len(papers)


@pytest.mark.django_db(transaction=True)
def test_a_refresh_builds_a_missing_rum_index_again():
    if not search_ranks_in_index():
        pytest.skip("this PostgreSQL has no rum extension (Debian's postgresql-15-rum)")
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX paper_search_rum_idx")  # as a refresh killed mid-way leaves
    PaperFactory(title="Lattice")

    assert search_index_refresh() == 1

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'paper_search_rum_idx'")
        assert cursor.fetchone() == (1,)
