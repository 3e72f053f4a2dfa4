"""Ingestion survives real faults: workers killed with SIGKILL, database connections cut.

Real Celery workers (tests/workers.py) on Redis and PostgreSQL, a large dump generated here
(30,000 entries over ten digest days, one in ten a paper of an earlier day), and the faults
done to real processes: the worker's process group killed mid-ingest, its PostgreSQL backend
terminated with pg_terminate_backend. What must hold:

- a dump whose worker was killed is delivered again (acks_late, the broker's visibility
  timeout) and the next worker takes it over: it ends done with exactly the rows and counters
  the parser says an undisturbed run writes, no duplicate, nothing missing;
- a dropped database connection is retried with backoff and the dump ends done the same; cut
  at every try, the dump ends failed after the task's retries (MSG_GAVE_UP), nothing
  written;
- a dump that kills its worker at every delivery is set aside as failed after
  DUMP_MAX_ATTEMPTS starts, and the worker goes on with the next dump.

The workers run with short limits set through the environment, as a deployment would set
them: CELERY_TASK_TIME_LIMIT (the visibility timeout follows from it, config/settings.py),
TASK_RETRY_BACKOFF_MAX and DUMP_MAX_ATTEMPTS. Skipped on the embedded default.
"""

from __future__ import annotations

import datetime
import functools
import io
from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import timezone

from papers.models import Digest, DigestEntry, Dump, DumpStatus, Paper
from papers.parsing import ParsedEntry, normalize_title, parse_dump
from papers.parsing.render import RenderDay, RenderPaper, render_text
from papers.selectors import dump_progress
from papers.services.dumps import MSG_GAVE_UP, MSG_TOO_MANY_ATTEMPTS
from papers.tasks import MAX_RETRIES
from tests.conftest import FIXTURES
from tests.workers import (
    Worker,
    WorkerQueue,
    requires_workers,
    upload,
    wait_for,
    wait_until_finished,
    wait_until_succeeded,
    worker_queue,
)

pytestmark = [pytest.mark.integration, pytest.mark.faults, requires_workers]

DAYS, PER_DAY, REPEAT_EVERY = 10, 3000, 10
# The dump is about 3.5 MB: parsed in a child process from 1 MB on, as a large dump is in
# production (from 8 MB), so a killed worker takes its parser child down with it.
PARSE_IN_CHILD = {"DUMP_PARSE_IN_CHILD_BYTES": str(1 << 20)}
FAST_RETRIES = {"TASK_RETRY_BACKOFF_MAX": "2"}
# Long enough for the dump's whole ingestion on a busy 2-core machine; the visibility timeout
# derived from it (about half a minute) is how long a killed worker's dump waits.
KILL_ENV = {"CELERY_TASK_TIME_LIMIT": "20", **FAST_RETRIES, **PARSE_IN_CHILD}
# The poison dump never gets past its first batch: a short time limit brings each lost
# delivery back within about ten seconds.
POISON_ATTEMPTS = 3
POISON_ENV = {
    "CELERY_TASK_TIME_LIMIT": "6",
    "DUMP_MAX_ATTEMPTS": str(POISON_ATTEMPTS),
    **FAST_RETRIES,
    **PARSE_IN_CHILD,
}
INGEST_TIMEOUT = 120  # a whole ingestion of the dump, with room for a loaded machine


@functools.cache
def large_dump() -> bytes:
    start = datetime.date(2025, 3, 3)
    earlier: list[RenderPaper] = []  # the papers of the days before, each once
    days = []
    for d in range(DAYS):
        listed, new = [], []
        with_meta = d % 2 == 0
        for i in range(PER_DAY):
            if earlier and i % REPEAT_EVERY == REPEAT_EVERY - 1:
                # Distinct within the day, as i // REPEAT_EVERY never repeats.
                old = earlier[(d * 97 + i // REPEAT_EVERY) % len(earlier)]
                listed.append(RenderPaper(title=old.title, abstract=old.abstract))
                continue
            n = d * PER_DAY + i
            paper = RenderPaper(
                title=f"Fault-tolerant ingestion of digest number {n}",
                abstract=f"We study paper {n}, written to be cut off half-way.",
                author_count=n % 7 + 1 if with_meta else None,
                published=start - datetime.timedelta(days=n % 300) if with_meta else None,
                upvotes=n % 41 if with_meta else None,
            )
            listed.append(paper)
            new.append(paper)
        earlier += new
        days.append(RenderDay(date=start + datetime.timedelta(days=d), papers=listed))
    return render_text(days).encode()


@dataclass(frozen=True)
class Expected:
    """What an undisturbed ingestion of a dump writes, as the parser alone tells it."""

    papers: frozenset[str]  # title keys
    entries: frozenset[tuple[datetime.date, str]]  # (digest day, title key)
    digests: frozenset[datetime.date]

    @classmethod
    def of(cls, content: bytes) -> Expected:
        upload_date = timezone.localdate()  # the day the worker resolves the digest days from
        items = list(parse_dump(io.BytesIO(content), upload_date=upload_date))
        parsed = [i for i in items if isinstance(i, ParsedEntry)]
        assert len(parsed) == len(items), "the generated dump reads without a warning"
        keys = [(e.digest_date, e.title_key or normalize_title(e.title)) for e in parsed]
        assert len(set(keys)) == len(keys) == DAYS * PER_DAY
        return cls(
            papers=frozenset(k for _, k in keys),
            entries=frozenset(keys),
            digests=frozenset(d for d, _ in keys),
        )

    def stats(self) -> dict:
        return {
            "digests": len(self.digests),
            "entries": len(self.entries),
            "new_entries": len(self.entries),
            "new_papers": len(self.papers),
            "existing_papers": 0,
            "warnings": 0,
        }


@pytest.fixture
def queue(transactional_db, tmp_path, monkeypatch):
    with worker_queue(tmp_path, monkeypatch) as queue:
        yield queue


def _visibility_timeout(worker: Worker) -> int:
    """The broker visibility timeout the worker actually runs with."""
    from config.celery import app

    conf = app.control.inspect(destination=[worker.nodename], timeout=5).conf()
    # Celery shows the configuration under the Django settings' names it was read from.
    options = conf[worker.nodename]["CELERY_BROKER_TRANSPORT_OPTIONS"]
    return int(options["visibility_timeout"])


def _wait_until_ingesting(queue: WorkerQueue, dump: Dump, *, attempt: int, worker: Worker):
    """Wait until this start of the dump's ingestion has written its first batch (its live
    progress, in bytes, is above 0)."""

    def ingesting() -> bool:
        dump.refresh_from_db()
        if dump.status != DumpStatus.PROCESSING or dump.attempts != attempt:
            return False
        return dump_progress(dump)[0] > 0

    what = f"ingesting {dump} (start {attempt})"
    wait_for(ingesting, timeout=INGEST_TIMEOUT, what=what, queue=queue, watch=worker)


def _wait_until_started(queue: WorkerQueue, dump: Dump, *, attempt: int, worker: Worker):
    """Wait until a worker has claimed the dump for this start of its ingestion."""

    def started() -> bool:
        dump.refresh_from_db()
        return dump.status == DumpStatus.PROCESSING and dump.attempts == attempt

    what = f"starting {dump} (start {attempt})"
    wait_for(started, timeout=90, what=what, queue=queue, interval=0.02, watch=worker)


def _terminate_backends(worker: Worker) -> int:
    """pg_terminate_backend on the worker's connections; how many were cut."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            [worker.application_name],
        )
        return cursor.fetchone()[0]


def _assert_ingested_exactly(dump: Dump, expected: Expected) -> None:
    assert (dump.status, dump.error) == (DumpStatus.DONE, "")
    assert dump.stats == expected.stats()
    assert (dump.warning_count, dump.warnings) == (0, [])
    assert dump.progress_done == dump.progress_total == dump.size
    assert Paper.objects.count() == len(expected.papers)
    assert set(Paper.objects.values_list("title_key", flat=True)) == expected.papers
    assert DigestEntry.objects.count() == len(expected.entries)
    assert DigestEntry.objects.filter(dump=dump).count() == len(expected.entries)
    pairs = DigestEntry.objects.values_list("digest__date", "paper__title_key")
    assert set(pairs) == expected.entries
    assert set(Digest.objects.values_list("date", flat=True)) == expected.digests
    assert set(Digest.dumps.through.objects.values_list("dump_id", flat=True)) == {dump.pk}


def _assert_nothing_written() -> None:
    assert Paper.objects.count() == 0
    assert DigestEntry.objects.count() == 0
    assert Digest.objects.count() == 0


def test_a_worker_killed_mid_ingest_leaves_the_dump_to_the_next_worker(queue):
    expected = Expected.of(large_dump())
    first = queue.start(**KILL_ENV)
    visibility = _visibility_timeout(first)
    assert 20 < visibility < 60  # longer than the time limit, short enough to wait for

    dump = upload(large_dump(), "large.txt")
    _wait_until_ingesting(queue, dump, attempt=1, worker=first)
    first.kill()

    dump.refresh_from_db()
    assert (dump.status, dump.attempts) == (DumpStatus.PROCESSING, 1)
    _assert_nothing_written()  # its transaction died with it

    # A new worker gets the message back once the visibility timeout has passed, and takes
    # over the dump the killed one left `processing`.
    second = queue.start(**KILL_ENV)
    dump = wait_until_finished(queue, dump, timeout=visibility + INGEST_TIMEOUT, watch=second)

    _assert_ingested_exactly(dump, expected)
    assert dump.attempts == 2
    assert wait_until_succeeded(queue, second, "papers.tasks.ingest_dump", runs=1) == 1


def test_a_dropped_database_connection_is_retried_and_the_dump_ends_done(queue):
    expected = Expected.of(large_dump())
    worker = queue.start(**FAST_RETRIES, **PARSE_IN_CHILD)
    dump = upload(large_dump(), "large.txt")
    _wait_until_ingesting(queue, dump, attempt=1, worker=worker)

    assert _terminate_backends(worker) == 1

    dump = wait_until_finished(queue, dump, timeout=INGEST_TIMEOUT, watch=worker)
    _assert_ingested_exactly(dump, expected)
    assert dump.attempts == 2
    assert wait_until_succeeded(queue, worker, "papers.tasks.ingest_dump", runs=1) == 1
    assert "Retry in" in worker.log()


def test_a_connection_dropped_at_every_try_fails_the_dump_after_the_retries(queue):
    worker = queue.start(**FAST_RETRIES, **PARSE_IN_CHILD)
    dump = upload(large_dump(), "large.txt")
    tries = MAX_RETRIES + 1

    for attempt in range(1, tries + 1):
        _wait_until_ingesting(queue, dump, attempt=attempt, worker=worker)
        assert _terminate_backends(worker) == 1

    dump = wait_until_finished(queue, dump, timeout=60, watch=worker)
    assert (dump.status, dump.error) == (DumpStatus.FAILED, MSG_GAVE_UP.format(n=tries))
    assert dump.attempts == tries
    assert dump.finished_at is not None
    _assert_nothing_written()
    assert worker.alive()


def test_a_dump_that_kills_its_worker_every_time_is_set_aside(queue):
    worker = queue.start(**POISON_ENV)
    poison = upload(large_dump(), "poison.txt")

    # Each worker dies as soon as it starts the dump; its message comes back to the next one
    # after the visibility timeout.
    for attempt in range(1, POISON_ATTEMPTS + 1):
        if attempt > 1:
            worker = queue.start(**POISON_ENV)
        _wait_until_started(queue, poison, attempt=attempt, worker=worker)
        worker.kill()

    survivor = queue.start(**POISON_ENV)
    poison = wait_until_finished(queue, poison, timeout=60, watch=survivor)
    assert (poison.status, poison.error) == (
        DumpStatus.FAILED,
        MSG_TOO_MANY_ATTEMPTS.format(n=POISON_ATTEMPTS),
    )
    assert poison.attempts == POISON_ATTEMPTS
    _assert_nothing_written()

    # The worker that set it aside is still up and ingests the next dump.
    name = "digest-aug22-plain.txt"
    good = upload((FIXTURES / name).read_bytes(), name)
    good = wait_until_finished(queue, good, timeout=60, watch=survivor)
    assert (good.status, good.error, good.attempts) == (DumpStatus.DONE, "", 1)
    assert Paper.objects.count() == good.stats["new_papers"] == 51
    # Both went through it: the poison dump's last delivery, which set it aside, and this one.
    assert wait_until_succeeded(queue, survivor, "papers.tasks.ingest_dump", runs=2) == 2
    assert queue.answers(survivor)
