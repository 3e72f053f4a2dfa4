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

One paper never keeps the others out: its vector is made of the first TITLE_CHARS and
ABSTRACT_CHARS characters only, and a batch that fails on a paper's text is indexed again a
paper at a time, the failing one recorded as not indexable (PaperSearch.error, an empty
vector, a warning in the log, shown in the admin) and left alone until its text changes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import DatabaseError, connection, transaction

from papers.listing_version import listings_changed

logger = logging.getLogger(__name__)

# What of a paper goes into its vector: the first characters of its title and abstract. A
# tsvector holds at most 1 MB, and a 3.2 MB abstract of distinct words stopped every later
# refresh. The worst text measured (distinct one-character words of 4-byte characters) makes
# 6 bytes of vector a character: 100,000 characters of abstract make at most about 600 KB.
# Abstracts are a few thousand characters; the rest of a longer one is not searched.
TITLE_CHARS = 1000  # the whole title (Paper.title)
ABSTRACT_CHARS = 100_000
SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('english', left(coalesce(title, ''), %(title_chars)s)), 'A') || "
    "setweight(to_tsvector('english', left(coalesce(abstract, ''), %(abstract_chars)s)), 'B')"
)
# Errors a paper's own text can cause (SQLSTATE classes): a data exception, a limit of
# PostgreSQL's. Any other (a dropped connection, a lock timeout) is not the paper's fault and
# goes up to the task, which retries.
ROW_ERROR_CLASSES = ("22", "54")
MSG_NOT_INDEXABLE = "paper %s cannot be indexed for search: %s"


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
    return how many were indexed (not counting those found not indexable).

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
            try:
                with transaction.atomic():
                    cursor.execute(INDEX_WAITING_SQL, _params(after=after, limit=batch_size))
                    ids = [row[0] for row in cursor.fetchall()]
                indexed = len(ids)
            except DatabaseError as exc:
                if not _caused_by_a_row(exc):
                    raise
                ids, indexed = _index_one_by_one(cursor, after=after, limit=batch_size)
        total += indexed
        if indexed:
            listings_changed()  # these papers now come up in searches
        if len(ids) < batch_size:
            return total
        after = max(ids)


WAITING = (
    "FROM papers_paper p WHERE id > %(after)s "
    "AND NOT EXISTS (SELECT 1 FROM papers_papersearch s WHERE s.paper_id = p.id) "
)
INDEX_WAITING_SQL = (
    "INSERT INTO papers_papersearch (paper_id, search_vector) "
    f"SELECT id, {SEARCH_VECTOR_SQL} {WAITING} ORDER BY id LIMIT %(limit)s "
    "ON CONFLICT (paper_id) DO UPDATE SET search_vector = EXCLUDED.search_vector, error = '' "
    "RETURNING paper_id"
)
INDEX_ONE_SQL = (
    "INSERT INTO papers_papersearch (paper_id, search_vector) "
    f"SELECT id, {SEARCH_VECTOR_SQL} FROM papers_paper WHERE id = %(id)s "
    "ON CONFLICT (paper_id) DO UPDATE SET search_vector = EXCLUDED.search_vector, error = ''"
)
# A paper that cannot be indexed gets an empty vector and the reason: it is no longer waiting
# (so later refreshes skip it) until its text changes (search_index_invalidate).
NOT_INDEXABLE_SQL = (
    "INSERT INTO papers_papersearch (paper_id, search_vector, error) "
    "VALUES (%(id)s, ''::tsvector, %(error)s) "
    "ON CONFLICT (paper_id) DO UPDATE SET search_vector = EXCLUDED.search_vector, "
    "error = EXCLUDED.error"
)


def _params(**values) -> dict:
    return {"title_chars": TITLE_CHARS, "abstract_chars": ABSTRACT_CHARS, **values}


def _caused_by_a_row(exc: DatabaseError) -> bool:
    sqlstate = getattr(exc.__cause__, "sqlstate", None) or ""
    return sqlstate.startswith(ROW_ERROR_CLASSES)


def _index_one_by_one(cursor, *, after: int, limit: int) -> tuple[list[int], int]:
    """A batch that failed, again a paper at a time, each in a savepoint: one paper's text
    never keeps the others out. Returns the batch's ids and how many were indexed."""
    cursor.execute(
        f"SELECT id {WAITING} ORDER BY id LIMIT %(limit)s", _params(after=after, limit=limit)
    )
    ids = [row[0] for row in cursor.fetchall()]
    indexed = 0
    for paper_id in ids:
        try:
            with transaction.atomic():
                cursor.execute(INDEX_ONE_SQL, _params(id=paper_id))
            indexed += 1
        except DatabaseError as exc:
            if not _caused_by_a_row(exc):
                raise
            error = str(exc).strip().splitlines()[0][:300]
            logger.warning(MSG_NOT_INDEXABLE, paper_id, error)
            cursor.execute(NOT_INDEXABLE_SQL, {"id": paper_id, "error": error})
    return ids, indexed


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
