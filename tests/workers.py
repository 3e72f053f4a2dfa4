"""Real Celery workers for the tests that need them (integration and faults).

A worker is the `celery` command of this virtualenv, started from the project root on the
pytest test database, in a session of its own (so killing its process group kills it and
anything it started, such as the parser child of a large dump). Its PostgreSQL connections
carry an application_name of their own, so a test can find them in pg_stat_activity.

Every test gets a queue of its own, emptied first: a message left over by an earlier run, or
sent by a test running in parallel (pytest -n), never reaches its workers. Tests needing this
are skipped on the embedded default (SQLite, no broker).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from papers.models import Dump, DumpStatus
from tests.live import POSTGRESQL_ENGINES, live_database_url

ROOT = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).with_name("celery")
WORKER_READY_TIMEOUT = 60
DUMP_DONE_TIMEOUT = 90


def skip_reason() -> str | None:
    """Why real workers cannot run here, or None when they can."""
    engine = settings.DATABASES["default"]["ENGINE"]
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if engine not in POSTGRESQL_ENGINES:
        return f"needs PostgreSQL as the default database (DATABASE_URL), not {engine}"
    if not broker.startswith("redis://"):
        return "needs CELERY_BROKER_URL set to a redis:// URL"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "CELERY_TASK_ALWAYS_EAGER is on: tasks would not reach the worker"
    return None


requires_workers = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")


class Worker:
    def __init__(
        self, process: subprocess.Popen, log_path: Path, nodename: str, application_name: str
    ) -> None:
        self.process = process
        self.log_path = log_path
        self.nodename = nodename
        self.application_name = application_name

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def fail(self, message: str):
        pytest.fail(f"{message}\n--- worker log ---\n{self.log()}", pytrace=False)

    def succeeded(self, task: str) -> int:
        """How many runs of the task this worker logged as succeeded (its start-up banner
        lists the task names too, so a bare name proves nothing)."""
        return sum(
            1
            for line in self.log().splitlines()
            if f"Task {task}[" in line and " succeeded in " in line
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker's whole process group: what a lost machine or an OOM kill does."""
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:
        if not self.alive():
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal_group(self, signum: int) -> None:
        # The worker leads its own session: its group is the worker and all it started.
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


def _test_database_url(application_name: str) -> str:
    """The pytest test database (test_<name>), which the worker must use too, under a name of
    its own in pg_stat_activity."""
    return f"{live_database_url()}?application_name={application_name}"


class WorkerQueue:
    """A queue of one test's own, and the workers it starts on it (one at a time or more)."""

    def __init__(self, log_dir: Path) -> None:
        self.name = f"paperboard-test-{uuid.uuid4().hex[:12]}"
        self.log_dir = log_dir
        self.workers: list[Worker] = []

    def start(self, *args: str, **env: str) -> Worker:
        """Start a worker (with these extra arguments of `celery worker`, such as -B for an
        embedded beat, and environment variables) and wait until it answers. A beat sends to
        the queue CELERY_TASK_DEFAULT_QUEUE names: this one's `name` for this queue's workers."""
        n = len(self.workers) + 1
        nodename = f"{self.name}-w{n}@{os.uname().nodename}"
        application_name = f"{self.name}-w{n}"
        media_root = Path(settings.MEDIA_ROOT)  # the per-test folder set by tests/conftest.py
        media_root.mkdir(parents=True, exist_ok=True)
        full_env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(application_name),
            "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
            "MEDIA_ROOT": str(media_root),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        log_path = self.log_dir / f"worker-{n}.log"
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
                    self.name,
                    "--without-gossip",
                    "--without-mingle",
                    *args,
                ],
                cwd=ROOT,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        worker = Worker(process, log_path, nodename, application_name)
        self.workers.append(worker)
        self._wait_until_ready(worker)
        return worker

    def fail(self, message: str):
        logs = "\n".join(f"--- {w.nodename} ---\n{w.log()}" for w in self.workers)
        pytest.fail(f"{message}\n{logs}", pytrace=False)

    @staticmethod
    def _wait_until_ready(worker: Worker) -> None:
        from config.celery import app

        deadline = time.monotonic() + WORKER_READY_TIMEOUT
        while time.monotonic() < deadline:
            if not worker.alive():
                worker.fail(f"The worker exited with status {worker.process.returncode}.")
            replies = app.control.inspect(destination=[worker.nodename], timeout=1).ping()
            if replies and worker.nodename in replies:
                return
            time.sleep(0.5)
        worker.fail(f"The worker did not answer a ping within {WORKER_READY_TIMEOUT} s.")

    def answers(self, worker: Worker) -> bool:
        from config.celery import app

        replies = app.control.inspect(destination=[worker.nodename], timeout=2).ping()
        return bool(replies) and worker.nodename in replies


@contextmanager
def worker_queue(log_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerQueue]:
    """Route this test's tasks to a fresh queue; stop its workers and drop it afterwards.

    The caller's fixture must depend on transactional_db, so the workers are stopped before
    the tables are flushed, and so the rows the test writes are committed where they see them.
    """
    from config.celery import app

    queue = WorkerQueue(log_dir)
    monkeypatch.setitem(app.conf, "task_default_queue", queue.name)
    # Sent to the broker whatever an earlier test left in the app's configuration.
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    with app.connection_for_write() as conn:
        bound = app.amqp.queues[queue.name](conn.default_channel)
        bound.declare()
        bound.purge()
    try:
        yield queue
    finally:
        for worker in queue.workers:
            worker.stop()
        with app.connection_for_write() as conn:
            bound = app.amqp.queues[queue.name](conn.default_channel)
            bound.declare()  # so the channel knows the bindings the delete removes
            bound.delete()
        # Shown by pytest only when the test failed.
        for worker in queue.workers:
            print(f"--- worker log ({worker.log_path}) ---\n{worker.log()}")


def upload(content: bytes, name: str) -> Dump:
    """Upload through the service, which enqueues the dump for the workers."""
    from papers.services import dump_create

    # No transaction wraps a transactional_db test: the on_commit enqueue fires at once.
    return dump_create(file=ContentFile(content), original_name=name)


def wait_for(
    condition: Callable[[], object],
    *,
    timeout: float,
    what: str,
    queue: WorkerQueue,
    interval: float = 0.1,
    watch: Worker | None = None,
):
    """Poll `condition` until it is truthy and return its value; fail with the workers' logs
    after `timeout` seconds, or at once if the watched worker exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if watch is not None and not watch.alive():
            queue.fail(f"The worker exited with status {watch.process.returncode} while {what}.")
        time.sleep(interval)
    queue.fail(f"Still not {what} after {timeout} s.")


def wait_until_finished(
    queue: WorkerQueue, dump: Dump, *, timeout: float = DUMP_DONE_TIMEOUT, watch=None
) -> Dump:
    def finished() -> bool:
        dump.refresh_from_db()
        return dump.status in (DumpStatus.DONE, DumpStatus.FAILED)

    wait_for(finished, timeout=timeout, what=f"finished {dump}", queue=queue, watch=watch)
    return dump


def wait_until_succeeded(queue: WorkerQueue, worker: Worker, task: str, *, runs: int) -> int:
    """Wait until the worker logged `runs` successful runs of the task (the line comes just
    after the task has committed its work); return how many it logged."""
    wait_for(
        lambda: worker.succeeded(task) >= runs,
        timeout=30,
        what=f"{runs} run(s) of {task} logged by {worker.nodename}",
        queue=queue,
    )
    return worker.succeeded(task)
