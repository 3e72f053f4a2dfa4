"""A dump goes through a real Celery worker: Redis broker, PostgreSQL, a separate process.

Runs where the default database is PostgreSQL and CELERY_BROKER_URL is a Redis URL, as in
.ci/run; skipped on the embedded default. The worker (tests/workers.py) is the `celery` command
of this virtualenv, on the pytest test database, stopped after each test.
"""

from __future__ import annotations

import pytest

from papers.models import Digest, DigestEntry, Dump, DumpStatus, Paper
from tests.conftest import FIXTURES
from tests.workers import (
    Worker,
    WorkerQueue,
    requires_workers,
    upload,
    wait_until_finished,
    wait_until_succeeded,
    worker_queue,
)

# The samples, as tests/papers/test_ingestion.py counts them: aug22 lists 51 papers, nov13
# lists 62, of which 11 are aug22 papers again.
AUG22, AUG22_PAPERS = "digest-aug22-plain.txt", 51
NOV13, NOV13_PAPERS, NOV13_ALSO_IN_AUG22 = "digest-nov13-with-meta.txt", 62, 11

pytestmark = [pytest.mark.integration, requires_workers]


@pytest.fixture
def queue(transactional_db, tmp_path, monkeypatch):
    with worker_queue(tmp_path, monkeypatch) as queue:
        yield queue


@pytest.fixture
def worker(queue) -> Worker:
    return queue.start()


def _upload(name: str) -> Dump:
    return upload((FIXTURES / name).read_bytes(), name)


def _wait_until_finished(queue: WorkerQueue, dump: Dump) -> Dump:
    return wait_until_finished(queue, dump, watch=queue.workers[-1])


def _assert_done_by_the_worker(dump: Dump) -> None:
    assert (dump.status, dump.error) == (DumpStatus.DONE, "")
    assert dump.attempts == 1
    assert dump.progress_done == dump.progress_total > 0


def test_an_uploaded_dump_is_ingested_by_the_worker(queue, worker):
    dump = _wait_until_finished(queue, _upload(AUG22))

    _assert_done_by_the_worker(dump)
    assert wait_until_succeeded(queue, worker, "papers.tasks.ingest_dump", runs=1) == 1
    assert dump.stats == {
        "digests": 1,
        "entries": AUG22_PAPERS,
        "new_entries": AUG22_PAPERS,
        "new_papers": AUG22_PAPERS,
        "existing_papers": 0,
        "warnings": 0,
    }
    assert Paper.objects.count() == AUG22_PAPERS
    digest = Digest.objects.get()
    assert (digest.date.month, digest.date.day) == (8, 22)
    assert list(digest.dumps.all()) == [dump]
    assert DigestEntry.objects.filter(digest=digest, dump=dump).count() == AUG22_PAPERS
    assert sorted(DigestEntry.objects.values_list("position", flat=True)) == list(
        range(1, AUG22_PAPERS + 1)
    )


def test_a_second_dump_finds_the_papers_it_shares_with_the_first(queue, worker):
    first = _wait_until_finished(queue, _upload(AUG22))
    second = _wait_until_finished(queue, _upload(NOV13))

    _assert_done_by_the_worker(first)
    _assert_done_by_the_worker(second)
    assert wait_until_succeeded(queue, worker, "papers.tasks.ingest_dump", runs=2) == 2
    assert second.stats == {
        "digests": 1,
        "entries": NOV13_PAPERS,
        "new_entries": NOV13_PAPERS,
        "new_papers": NOV13_PAPERS - NOV13_ALSO_IN_AUG22,
        "existing_papers": NOV13_ALSO_IN_AUG22,
        "warnings": 0,
    }
    assert Paper.objects.count() == AUG22_PAPERS + NOV13_PAPERS - NOV13_ALSO_IN_AUG22
    assert Digest.objects.count() == 2
    assert DigestEntry.objects.filter(dump=first).count() == AUG22_PAPERS
    assert DigestEntry.objects.filter(dump=second).count() == NOV13_PAPERS
    # The shared papers are listed on both days, each paper once per day.
    both_days = Paper.objects.filter(digest_entries__dump=first).filter(digest_entries__dump=second)
    assert both_days.distinct().count() == NOV13_ALSO_IN_AUG22
