"""A dump goes through a real Celery worker: Redis broker, PostgreSQL, a separate process.

Runs where the default database is PostgreSQL and CELERY_BROKER_URL is a Redis URL, as in
.ci/run; skipped on the embedded default. The worker is the `celery` command of this virtualenv,
started from the project root on the pytest test database, and killed after each test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from papers.models import Digest, DigestEntry, Dump, DumpStatus, Paper

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CELERY = Path(sys.executable).with_name("celery")
WORKER_READY_TIMEOUT = 60
DUMP_DONE_TIMEOUT = 60

# The samples, as tests/papers/test_ingestion.py counts them: aug22 lists 51 papers, nov13
# lists 62, of which 11 are aug22 papers again.
AUG22, AUG22_PAPERS = "digest-aug22-plain.txt", 51
NOV13, NOV13_PAPERS, NOV13_ALSO_IN_AUG22 = "digest-nov13-with-meta.txt", 62, 11


def _skip_reason() -> str | None:
    engine = settings.DATABASES["default"]["ENGINE"]
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if engine != "django.db.backends.postgresql":
        return f"needs PostgreSQL as the default database (DATABASE_URL), not {engine}"
    if not broker.startswith("redis://"):
        return "needs CELERY_BROKER_URL set to a redis:// URL"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "CELERY_TASK_ALWAYS_EAGER is on: tasks would not reach the worker"
    return None


pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or ""),
]


class Worker:
    def __init__(self, process: subprocess.Popen, log_path: Path, nodename: str) -> None:
        self.process = process
        self.log_path = log_path
        self.nodename = nodename

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def fail(self, message: str):
        pytest.fail(f"{message}\n--- worker log ---\n{self.log()}", pytrace=False)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        # The worker runs in its own session: the group is the worker and anything it started.
        pgid = os.getpgid(self.process.pid)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=15)


def _test_database_url() -> str:
    """The pytest test database (test_<name>), which the worker must use too."""
    from django.db import connection

    conf = connection.settings_dict
    credentials = quote(conf["USER"] or "", safe="")
    if conf["PASSWORD"]:
        credentials += ":" + quote(conf["PASSWORD"], safe="")
    host = conf["HOST"] or "127.0.0.1"
    port = conf["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(conf['NAME'], safe='')}"


def _wait_until_ready(worker: Worker) -> None:
    from config.celery import app

    deadline = time.monotonic() + WORKER_READY_TIMEOUT
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            worker.fail(f"The worker exited with status {worker.process.returncode}.")
        replies = app.control.inspect(destination=[worker.nodename], timeout=1).ping()
        if replies and worker.nodename in replies:
            return
        time.sleep(0.5)
    worker.fail(f"The worker did not answer a ping within {WORKER_READY_TIMEOUT} s.")


@pytest.fixture
def worker(transactional_db, tmp_path, monkeypatch):
    """A real worker on the test database and this test's MEDIA_ROOT, stopped afterwards.

    It depends on transactional_db so it is stopped before the tables are flushed, and so the
    rows this test writes are committed where the worker can see them. Tasks go through a queue
    of this test's own, emptied first: a message left over by an earlier run, or sent by a test
    running in parallel (pytest -n), never reaches this worker.
    """
    from config.celery import app

    queue = f"paperboard-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    with app.connection_for_write() as conn:
        bound = app.amqp.queues[queue](conn.default_channel)
        bound.declare()
        bound.purge()

    media_root = Path(settings.MEDIA_ROOT)  # the per-test folder set by tests/conftest.py
    media_root.mkdir(parents=True, exist_ok=True)
    nodename = f"{queue}@{os.uname().nodename}"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "MEDIA_ROOT": str(media_root),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    if os.environ.get("CACHE_URL"):
        env["CACHE_URL"] = os.environ["CACHE_URL"]
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "-P",
                "solo",
                "--concurrency",
                "1",
                "-l",
                "info",
                "-n",
                nodename,
                "-Q",
                queue,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    worker = Worker(process, log_path, nodename)
    try:
        _wait_until_ready(worker)
        yield worker
    finally:
        worker.stop()
        with app.connection_for_write() as conn:
            bound = app.amqp.queues[queue](conn.default_channel)
            bound.declare()  # so the channel knows the bindings the delete removes
            bound.delete()
        # Shown by pytest only when the test failed.
        print(f"--- worker log ({log_path}) ---\n{worker.log()}")


def _upload(name: str) -> Dump:
    from papers.services import dump_create

    # No transaction wraps a transactional_db test: the on_commit enqueue fires at once.
    return dump_create(file=ContentFile((FIXTURES / name).read_bytes()), original_name=name)


def _wait_until_finished(worker: Worker, dump: Dump) -> Dump:
    deadline = time.monotonic() + DUMP_DONE_TIMEOUT
    while time.monotonic() < deadline:
        dump.refresh_from_db()
        if dump.status in (DumpStatus.DONE, DumpStatus.FAILED):
            return dump
        if worker.process.poll() is not None:
            worker.fail(f"The worker exited with status {worker.process.returncode}.")
        time.sleep(0.2)
    worker.fail(f"{dump} is still {dump.status} after {DUMP_DONE_TIMEOUT} s.")


def _assert_done_by_the_worker(worker: Worker, dump: Dump) -> None:
    assert (dump.status, dump.error) == (DumpStatus.DONE, "")
    assert dump.attempts == 1
    assert dump.progress_done == dump.progress_total > 0
    assert "papers.tasks.ingest_dump" in worker.log()


def test_an_uploaded_dump_is_ingested_by_the_worker(worker):
    dump = _wait_until_finished(worker, _upload(AUG22))

    _assert_done_by_the_worker(worker, dump)
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


def test_a_second_dump_finds_the_papers_it_shares_with_the_first(worker):
    first = _wait_until_finished(worker, _upload(AUG22))
    second = _wait_until_finished(worker, _upload(NOV13))

    _assert_done_by_the_worker(worker, first)
    _assert_done_by_the_worker(worker, second)
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
