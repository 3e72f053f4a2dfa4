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
import queue
import threading
from collections.abc import Iterable

from django.conf import settings
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


# Refreshes take turns, a batch at a time (see search_index_refresh): each batch holds this
# advisory lock for its transaction, the writers of a large refresh share it (RANGE_LOCK_SQL).
REFRESH_LOCK = "hashtext('paperboard.search_index')"
REFRESH_LOCK_SQL = f"SELECT pg_advisory_xact_lock({REFRESH_LOCK})"
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
GIN_INDEX = "paper_search_gin_idx"  # papers migration 0003
GIN_INDEX_SQL = (
    f"CREATE INDEX CONCURRENTLY {GIN_INDEX} ON papers_papersearch USING gin (search_vector)"
)
# The GIN index is what search matches with while the RUM index is away, so it is dropped
# only when the papers waiting are many against those indexed (from this share, a first
# large dump among them): a GIN entry written row by row costs several times its share of
# a build, and search falls back to reading every vector until it is back.
GIN_REBUILD_FROM_SHARE = 1 / 2
# Memory for building the two indexes (PostgreSQL's maintenance_work_mem, for the session).
INDEX_BUILD_MEMORY = "256MB"
# A large refresh writes its papers on this many connections at once (each a range of ids per
# transaction): stemming is most of its work, and PostgreSQL runs a statement on one core.
WRITERS = settings.SEARCH_INDEX_WRITERS
RANGE_BATCHES = 10  # a range: this many batches' worth of papers


def search_index_refresh(*, batch_size: int = 500) -> int:
    """Index every paper still waiting, a batch per transaction, in the order of their ids;
    return how many were indexed (not counting those found not indexable).

    Each batch takes a transaction-level advisory lock first, so two refreshes running at
    once (a writer's and the periodic sweep's) take turns instead of indexing the same papers
    twice; the one that waited then finds only what is still waiting.

    Many papers waiting (a large dump: REBUILD_FROM_SHARE of those indexed) are indexed with
    the RUM index dropped (papers migration 0003, where PostgreSQL has the extension), and
    the GIN index too when they are very many (GIN_REBUILD_FROM_SHARE), each built again
    afterwards (CONCURRENTLY, so searches and writers go on meanwhile; search is slower
    until they are back, the GIN index first); their vectors are made on WRITERS connections
    at once (_index_in_parallel). 100,000 new papers took 46 s written one batch after the
    other with the GIN index kept, 140 s with both. That needs the session's own
    transactions, so it is done only outside a transaction, by one refresh at a time; that
    refresh also builds an index again if an earlier one died without.
    """
    if not search_index_enabled():
        return 0
    if connection.in_atomic_block:
        return _index_waiting(batch_size)
    rum = search_ranks_in_index()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_try_advisory_lock({REBUILD_LOCK})")
        if not cursor.fetchone()[0]:
            return _index_waiting(batch_size)  # another refresh owns the indexes
        try:
            indexed = _indexed_rows(cursor)
            threshold = max(REBUILD_FROM_PAPERS, int(indexed * REBUILD_FROM_SHARE))
            gin_threshold = max(REBUILD_FROM_PAPERS, int(indexed * GIN_REBUILD_FROM_SHARE))
            waiting = _count_waiting(cursor, up_to=max(threshold, gin_threshold) + 1)
            large = waiting > threshold
            if large and rum:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {RUM_INDEX}")
            if waiting > gin_threshold:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {GIN_INDEX}")
            try:
                if not waiting:
                    return 0
                written = _index_in_parallel(cursor, batch_size) if large else 0
                return written + _index_waiting(batch_size)  # and what the writers left
            finally:
                _indexes_ensure(cursor, rum=rum)
        finally:
            cursor.execute(f"SELECT pg_advisory_unlock({REBUILD_LOCK})")


# Shared between the writers of a large refresh, exclusive for a refresh's batch: they take
# turns with other refreshes, not with each other.
RANGE_LOCK_SQL = f"SELECT pg_advisory_xact_lock_shared({REFRESH_LOCK})"
# A paper `p` waiting: without a row in the index's table.
NOT_INDEXED = "NOT EXISTS (SELECT 1 FROM papers_papersearch s WHERE s.paper_id = p.id)"
INDEX_RANGE_SQL = (
    "INSERT INTO papers_papersearch (paper_id, search_vector) "
    f"SELECT id, {SEARCH_VECTOR_SQL} FROM papers_paper p "
    f"WHERE id BETWEEN %(first)s AND %(last)s AND {NOT_INDEXED} "
    "ORDER BY id ON CONFLICT (paper_id) DO NOTHING RETURNING paper_id"
)


def _index_in_parallel(cursor, batch_size: int) -> int:
    """The papers waiting in a large refresh, written by WRITERS threads on connections of
    their own, each taking the next range of RANGE_BATCHES batches' worth of ids and writing
    it in one transaction (read committed: the text each paper has then). A range that fails
    on a paper's text is left whole to _index_waiting, which indexes it a paper at a time.
    Any other error stops the writers and is raised here. Returns how many were written."""
    cursor.execute(f"SELECT id {WAITING} ORDER BY id", _params(after=0))
    ids = [row[0] for row in cursor.fetchall()]
    size = batch_size * RANGE_BATCHES
    ranges: queue.SimpleQueue[tuple[int, int]] = queue.SimpleQueue()
    for start in range(0, len(ids), size):
        ranges.put((ids[start], ids[min(start + size, len(ids)) - 1]))
    results: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
    stop = threading.Event()
    count = max(1, min(WRITERS, -(-len(ids) // size)))
    writers = [
        threading.Thread(target=_write_ranges, args=(ranges, results, stop), daemon=True)
        for _ in range(count)
    ]
    for writer in writers:
        writer.start()
    total, finished, error = 0, 0, None
    try:
        while finished < count:
            kind, value = results.get()
            if kind == "written":
                total += value  # type: ignore[operator]
                if value:
                    listings_changed()  # these papers now come up in searches
            else:
                finished += 1
                if kind == "error" and error is None:
                    error = value
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    if error is not None:
        raise error  # type: ignore[misc]
    return total


def _write_ranges(ranges, results, stop) -> None:
    try:
        while not stop.is_set():
            try:
                first, last = ranges.get_nowait()
            except queue.Empty:
                break
            results.put(("written", _write_range(first, last)))
        results.put(("done", None))
    except BaseException as exc:  # noqa: BLE001 - raised again by the thread that waits
        stop.set()
        results.put(("error", exc))
    finally:
        connection.close()  # this thread's own


def _write_range(first: int, last: int) -> int:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(RANGE_LOCK_SQL)
            cursor.execute(INDEX_RANGE_SQL, _params(first=first, last=last))
            return len(cursor.fetchall())
    except DatabaseError as exc:
        if not _caused_by_a_row(exc):
            raise
        return 0


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


WAITING = f"FROM papers_paper p WHERE id > %(after)s AND {NOT_INDEXED} "
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


def _indexed_rows(cursor) -> int:
    """About how many papers are indexed (the planner's count of the table's rows)."""
    cursor.execute(
        "SELECT greatest(reltuples, 0) FROM pg_class WHERE relname = 'papers_papersearch'"
    )
    return int(cursor.fetchone()[0])


def _count_waiting(cursor, *, up_to: int) -> int:
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM papers_paper p WHERE {NOT_INDEXED} LIMIT %s) "
        "AS waiting",
        [up_to],
    )
    return cursor.fetchone()[0]


def _indexes_ensure(cursor, *, rum: bool) -> None:
    """The GIN index, and the RUM index where PostgreSQL has the extension, there and valid
    (a refresh that died after dropping one left it away; a failed CONCURRENTLY build leaves
    an invalid one): built again, with INDEX_BUILD_MEMORY."""
    wanted = [(GIN_INDEX, GIN_INDEX_SQL)] + ([(RUM_INDEX, RUM_INDEX_SQL)] if rum else [])
    missing = []
    for name, sql in wanted:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
            "WHERE c.relname = %s",
            [name],
        )
        row = cursor.fetchone()
        if row is not None and row[0]:
            continue
        if row is not None:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        missing.append(sql)
    if not missing:
        return
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, false)", [INDEX_BUILD_MEMORY])
    try:
        for sql in missing:
            cursor.execute(sql)
    finally:
        cursor.execute("RESET maintenance_work_mem")
