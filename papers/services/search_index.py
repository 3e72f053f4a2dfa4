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


# Per process and database: whether PostgreSQL has the rum extension (it is not uninstalled
# under a running process).
_RUM_BY_DATABASE: dict[str, bool] = {}


def search_ranks_in_index() -> bool:
    """Whether search results are ranked by the RUM index (`ORDER BY search_vector <=> q`),
    rather than by ts_rank over the GIN index's matches: whether PostgreSQL has the rum
    extension, which papers migration 0003 creates with the index where it can. The index
    may be away for a while (search_index_refresh builds it again after a large batch): the
    same query is then answered without it, slower."""
    if not search_index_enabled():
        return False
    name = connection.settings_dict["NAME"]
    if name not in _RUM_BY_DATABASE:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'rum'")
            _RUM_BY_DATABASE[name] = cursor.fetchone() is not None
    return _RUM_BY_DATABASE[name]


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
# Held (for the session) by the refresh that may drop and build the RUM index.
REBUILD_LOCK = "hashtext('paperboard.search_index.rum')"
RUM_INDEX = "paper_search_rum_idx"  # papers migration 0003
RUM_INDEX_SQL = (
    f"CREATE INDEX CONCURRENTLY {RUM_INDEX} ON papers_papersearch "
    "USING rum (search_vector rum_tsvector_ops)"
)
# Writing a RUM entry costs about 1.4 ms, building the index about 55 µs a row: from this
# share of the rows already indexed (and at least REBUILD_FROM_PAPERS), the papers waiting are
# indexed with the RUM index dropped, and it is built again afterwards.
REBUILD_FROM_SHARE = 1 / 25
REBUILD_FROM_PAPERS = 2000


def search_index_refresh(*, batch_size: int = 500) -> int:
    """Index every paper still waiting, a batch per transaction, in the order of their ids;
    return how many.

    Each batch takes a transaction-level advisory lock first, so two refreshes running at
    once (a writer's and the periodic sweep's) take turns instead of indexing the same papers
    twice; the one that waited then finds only what is still waiting.

    Where the RUM index exists (papers migration 0003), many papers waiting (a large dump)
    are indexed with it dropped, then it is built again (CONCURRENTLY, so searches and writers
    go on meanwhile; search is slower until it is back): 100,000 new papers take about 40 s
    instead of 140. That needs the session's own transactions, so it is done only outside a
    transaction, by one refresh at a time; that refresh also builds the index again if an
    earlier one died without.
    """
    if not search_index_enabled():
        return 0
    if connection.in_atomic_block or not search_ranks_in_index():
        return _index_waiting(batch_size)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_try_advisory_lock({REBUILD_LOCK})")
        if not cursor.fetchone()[0]:
            return _index_waiting(batch_size)  # another refresh owns the RUM index
        try:
            threshold = _rebuild_threshold(cursor)
            waiting = _count_waiting(cursor, up_to=threshold + 1)
            if waiting > threshold:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {RUM_INDEX}")
            try:
                return _index_waiting(batch_size) if waiting else 0
            finally:
                _rum_index_ensure(cursor)
        finally:
            cursor.execute(f"SELECT pg_advisory_unlock({REBUILD_LOCK})")


def _index_waiting(batch_size: int) -> int:
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


def _rebuild_threshold(cursor) -> int:
    """How many papers waiting make it cheaper to build the RUM index again."""
    cursor.execute(
        "SELECT greatest(reltuples, 0) FROM pg_class WHERE relname = 'papers_papersearch'"
    )
    indexed = cursor.fetchone()[0]
    return max(REBUILD_FROM_PAPERS, int(indexed * REBUILD_FROM_SHARE))


def _count_waiting(cursor, *, up_to: int) -> int:
    cursor.execute(
        "SELECT count(*) FROM (SELECT 1 FROM papers_paper p WHERE NOT EXISTS "
        "(SELECT 1 FROM papers_papersearch s WHERE s.paper_id = p.id) LIMIT %s) AS waiting",
        [up_to],
    )
    return cursor.fetchone()[0]


def _rum_index_ensure(cursor) -> None:
    """The RUM index there and valid (a failed CONCURRENTLY build leaves an invalid one)."""
    cursor.execute(
        "SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
        "WHERE c.relname = %s",
        [RUM_INDEX],
    )
    row = cursor.fetchone()
    if row is not None and row[0]:
        return
    if row is not None:
        cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {RUM_INDEX}")
    cursor.execute(RUM_INDEX_SQL)
