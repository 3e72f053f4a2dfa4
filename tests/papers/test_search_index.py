"""The full-text search index (PostgreSQL): PaperSearch rows written after the papers."""

import json
import logging
import re

import pytest
from django.db import connection

from papers.models import DumpStatus, Paper, PaperSearch, PaperStatus
from papers.services import search_index
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


def _valid_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
            "WHERE c.relname IN ('paper_search_gin_idx', 'paper_search_rum_idx') AND i.indisvalid"
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_a_large_refresh_writes_on_several_connections_and_builds_both_indexes_again(
    monkeypatch,
):
    monkeypatch.setattr(search_index, "REBUILD_FROM_PAPERS", 5)
    monkeypatch.setattr(search_index, "WRITERS", 3)
    papers = [PaperFactory(title=f"Lattice paper {i}") for i in range(40)]
    seen = []
    write_range = search_index._write_range

    def writing(first, last):  # which connection writes, and what the indexes are meanwhile
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'papers_papersearch'"
            )
            seen.append((pid, {row[0] for row in cursor.fetchall()}))
        return write_range(first, last)

    monkeypatch.setattr(search_index, "_write_range", writing)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own = cursor.fetchone()[0]

    assert search_index_refresh(batch_size=1) == 40  # ranges of 10 papers

    assert len(seen) == 4
    assert own not in {pid for pid, _ in seen}  # the writers' connections are their own
    assert all("paper_search_gin_idx" not in names for _, names in seen)  # none indexed yet
    assert "paper_search_gin_idx" in _valid_indexes()
    assert ("paper_search_rum_idx" in _valid_indexes()) is search_ranks_in_index()
    assert sorted(searchable("lattice")) == sorted(p.pk for p in papers)
    with connection.cursor() as cursor:  # and they are closed
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
            [list({pid for pid, _ in seen})],
        )
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db(transaction=True)
def test_a_large_refresh_whose_writer_loses_its_connection_raises_and_keeps_the_indexes(
    monkeypatch,
):
    from django.db import OperationalError

    monkeypatch.setattr(search_index, "REBUILD_FROM_PAPERS", 3)
    monkeypatch.setattr(search_index, "RANGE_BATCHES", 1)  # a range per paper
    [PaperFactory(title=f"Lattice paper {i}") for i in range(8)]
    write_range = search_index._write_range
    calls = []

    def dropped(first, last):
        calls.append(first)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return write_range(first, last)

    monkeypatch.setattr(search_index, "_write_range", dropped)

    with pytest.raises(OperationalError):
        search_index_refresh(batch_size=1)

    assert "paper_search_gin_idx" in _valid_indexes()  # built again all the same
    written = PaperSearch.objects.count()
    assert written < 8
    assert search_index_refresh(batch_size=1) == 8 - written  # the next one does the rest
    assert PaperSearch.objects.count() == 8


@pytest.mark.django_db(transaction=True)
def test_a_paper_edited_before_its_range_is_written_is_indexed_with_its_new_text(monkeypatch):
    monkeypatch.setattr(search_index, "REBUILD_FROM_PAPERS", 3)
    papers = [PaperFactory(title=f"Lattice paper {i}") for i in range(6)]
    write_range = search_index._write_range

    def edited_meanwhile(first, last):
        Paper.objects.filter(pk=papers[2].pk).update(title="Photosynthesis instead")
        return write_range(first, last)

    monkeypatch.setattr(search_index, "_write_range", edited_meanwhile)

    assert search_index_refresh(batch_size=4) == 6
    assert searchable("photosynthesis") == [papers[2].pk]
    assert papers[2].pk not in searchable("lattice")


@pytest.mark.django_db(transaction=True)
def test_a_large_refresh_with_a_paper_that_cannot_be_indexed_indexes_the_others(monkeypatch):
    monkeypatch.setattr(search_index, "REBUILD_FROM_PAPERS", 3)
    monkeypatch.setattr(search_index, "ABSTRACT_CHARS", 10**8)
    good = [PaperFactory(title=f"Lattice paper {i}") for i in range(5)]
    bad = PaperFactory(title="Unindexable", abstract=distinct_words(3_200_000))

    assert search_index_refresh(batch_size=4) == 5

    assert "string is too long for tsvector" in PaperSearch.objects.get(paper=bad).error
    assert sorted(searchable("lattice")) == sorted(p.pk for p in good)
    assert "paper_search_gin_idx" in _valid_indexes()


# --- one paper never keeps the others out -------------------------------------------------


def distinct_words(size: int) -> str:
    """About `size` characters of words that are all different (the costliest vector)."""
    words, length, i = [], 0, 0
    while length < size:
        word = f"w{i:x}q"
        words.append(word)
        length += len(word) + 1
        i += 1
    return " ".join(words)


def searchable(title_word: str) -> list[int]:
    from curation.selectors import papers_search

    return list(papers_search(title_word).values_list("pk", flat=True))


def test_a_dump_with_a_huge_abstract_leaves_search_working_for_later_papers(ingest):
    """The finding: a JSON dump whose summary was 3.2 MB of distinct words ended `done`, then
    every refresh failed ("string is too long for tsvector") and later papers never became
    searchable. Only the abstract's first ABSTRACT_CHARS characters go into its vector."""
    huge = distinct_words(3_200_000)
    item = {
        "paper": {"id": "2409.00001", "title": "Enormous lattice abstract", "summary": huge},
        "publishedAt": "2024-09-18T08:00:00Z",
    }
    dump = ingest(json.dumps([item]).encode(), name="huge.json", publish=True)
    assert dump.status == DumpStatus.DONE
    search_index_refresh()
    later = PaperFactory(title="Photosynthesis arrives later", status=PaperStatus.PUBLISHED)

    search_index_refresh()

    enormous = Paper.objects.get(arxiv_id="2409.00001")
    assert searchable("enormous") == [enormous.pk]
    assert searchable("w0q") == [enormous.pk]  # the start of the abstract is searched
    assert searchable("photosynthesis") == [later.pk]
    assert PaperSearch.objects.get(paper=enormous).error == ""


def test_a_paper_that_cannot_be_indexed_is_recorded_and_skipped(monkeypatch, caplog):
    """Whatever makes one paper's vector fail (here: no bound on the abstract), the others
    of its batch are indexed, and the paper is recorded once, not retried at each refresh."""
    monkeypatch.setattr(search_index, "ABSTRACT_CHARS", 10**8)
    before = [PaperFactory(title=f"Lattice before {i}") for i in range(2)]
    bad = PaperFactory(title="Unindexable", abstract=distinct_words(3_200_000))
    after = [PaperFactory(title=f"Lattice after {i}") for i in range(3)]

    with caplog.at_level(logging.WARNING, logger="papers.services.search_index"):
        assert search_index_refresh(batch_size=4) == 5

    record = PaperSearch.objects.get(paper=bad)
    assert "string is too long for tsvector" in record.error
    assert [r.getMessage() for r in caplog.records] == [
        f"paper {bad.pk} cannot be indexed for search: {record.error}"
    ]
    assert set(PaperSearch.objects.filter(error="").values_list("paper_id", flat=True)) == {
        p.pk for p in before + after
    }
    caplog.clear()
    assert search_index_refresh(batch_size=4) == 0
    assert caplog.records == []

    # Its text changes: it is tried again, and indexed once it fits.
    monkeypatch.setattr(search_index, "ABSTRACT_CHARS", 100_000)
    search_index_invalidate(paper_ids=[bad.pk])
    assert search_index_refresh() == 1
    assert PaperSearch.objects.get(paper=bad).error == ""


def test_the_admin_shows_a_paper_that_cannot_be_indexed(admin_client, monkeypatch):
    monkeypatch.setattr(search_index, "ABSTRACT_CHARS", 10**8)
    bad = PaperFactory(title="Unindexable", abstract=distinct_words(3_200_000))
    good = PaperFactory(title="Fine")
    waiting = PaperFactory.build(title="Waiting")
    search_index_refresh()
    waiting.save()

    listed = admin_client.get("/admin/papers/paper/?search_index=not_indexable")
    assert [p.pk for p in listed.context["cl"].result_list] == [bad.pk]

    def shown(paper) -> str:
        page = admin_client.get(f"/admin/papers/paper/{paper.pk}/change/").content.decode()
        return re.search(r'field-search_index.*?<div class="readonly">(.*?)</div>', page, re.S)[1]

    assert shown(bad).startswith("not indexable: string is too long for tsvector")
    assert shown(good) == "indexed"
    assert shown(waiting) == "waiting to be indexed"
