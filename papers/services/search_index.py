"""The full-text search index of papers (PostgreSQL only).

Each paper has a stored search vector (title weighted A above abstract B) in a row of
PaperSearch, a table of its own with a GIN index and, where PostgreSQL has the extension, a
RUM index (see PaperSearch and papers migration 0003 for why).

It is filled AFTER papers are written, not while: stemming English text costs about a third
of a millisecond per paper, which would make a 100,000-entry dump spend half a minute inside
its ingestion transaction. A paper without a PaperSearch row is waiting: new papers have none,
and a paper whose title or abstract changed loses its row (`search_index_invalidate`).
Writers call `search_index_schedule`, which enqueues the refresh once their transaction
commits; a periodic sweep catches anything missed. A paper is
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
            cursor.execute("DELETE FROM papers_papersearch WHERE paper_id = ANY(%s)", [ids])


def search_index_schedule() -> None:
    """Refresh the index once the current transaction commits."""
    if search_index_enabled():
        transaction.on_commit(enqueue_refresh)


def enqueue_refresh() -> None:
    from papers.tasks import refresh_search_index  # the task module imports the services

    refresh_search_index.delay()


# Refreshes take turns, a batch at a time (see search_index_refresh).
REFRESH_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('paperboard.search_index'))"


def search_index_refresh(*, batch_size: int = 500) -> int:
    """Index every paper still waiting, a batch per transaction, in the order of their ids;
    return how many.

    Each batch takes a transaction-level advisory lock first, so two refreshes running at
    once (a writer's and the periodic sweep's) take turns instead of indexing the same papers
    twice; the one that waited then finds only what is still waiting.
    """
    if not search_index_enabled():
        return 0
    total = 0
    after = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(REFRESH_LOCK_SQL)
            cursor.execute(
                "INSERT INTO papers_papersearch (paper_id, search_vector) "
                f"SELECT id, {SEARCH_VECTOR_SQL} FROM papers_paper p WHERE id > %s "
                "AND NOT EXISTS (SELECT 1 FROM papers_papersearch s WHERE s.paper_id = p.id) "
                "ORDER BY id LIMIT %s "
                "ON CONFLICT (paper_id) DO UPDATE SET search_vector = EXCLUDED.search_vector "
                "RETURNING paper_id",
                [after, batch_size],
            )
            ids = [row[0] for row in cursor.fetchall()]
        total += len(ids)
        if len(ids) < batch_size:
            return total
        after = max(ids)
