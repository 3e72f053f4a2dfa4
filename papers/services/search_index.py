"""The full-text search index of papers (PostgreSQL only).

Each paper has a stored `search_vector` (title weighted A above abstract B) with a GIN index;
the column is unknown to the Paper model (the ORM never loads it, SQLite has no such type).

It is filled AFTER papers are written, not while: stemming English text costs about a third
of a millisecond per paper, which would make a 100,000-entry dump spend half a minute inside
its ingestion transaction. Writers leave the vector NULL (new papers) or set it back to NULL
(a paper whose abstract was filled in) and call `search_index_schedule`, which enqueues the
refresh once their transaction commits; a periodic sweep catches anything missed. A paper is
searchable within seconds of being written.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(abstract, '')), 'B')"
)


def search_index_enabled() -> bool:
    return connection.vendor == "postgresql"


def search_index_invalidate(*, paper_ids: Iterable[int]) -> None:
    """Mark papers whose title or abstract changed for indexing again."""
    ids = list(paper_ids)
    if ids and search_index_enabled():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE papers_paper SET search_vector = NULL WHERE id = ANY(%s)", [ids]
            )


def search_index_schedule() -> None:
    """Refresh the index once the current transaction commits."""
    if search_index_enabled():
        transaction.on_commit(enqueue_refresh)


def enqueue_refresh() -> None:
    from papers.tasks import refresh_search_index  # the task module imports the services

    refresh_search_index.delay()


def search_index_refresh(*, batch_size: int = 500) -> int:
    """Index every paper still waiting, a batch per transaction; return how many.

    Batches lock their rows with SKIP LOCKED, so two refreshes running at once share the work
    instead of waiting on each other.
    """
    if not search_index_enabled():
        return 0
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE papers_paper SET search_vector = {SEARCH_VECTOR_SQL} WHERE id IN ("
                "SELECT id FROM papers_paper WHERE search_vector IS NULL ORDER BY id "
                "LIMIT %s FOR UPDATE SKIP LOCKED)",
                [batch_size],
            )
            done = cursor.rowcount
        total += done
        if done < batch_size:
            return total
