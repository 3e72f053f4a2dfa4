"""With no broker and TASKS_IN_THREADS on (the embedded default), a task sent runs in a
thread of its own: the sender goes on at once and the task's work lands soon after, in the
same process (config.celery.PaperboardTask). Off, it runs inside the call, as tests expect."""

import threading

import pytest
from django.core.files.base import ContentFile

from papers.models import Dump, DumpStatus
from papers.services import dump_create

pytestmark = pytest.mark.django_db(transaction=True)

DUMP = b"Daily Papers\n\nMar 5\n\nA paper on threads\n\nWe study threads.\n"


def _wait_for_status(dump_id: int, status: str, timeout: float = 30.0) -> Dump:
    done = threading.Event()
    for _ in range(int(timeout / 0.05)):
        dump = Dump.objects.get(pk=dump_id)
        if dump.status == status:
            return dump
        done.wait(0.05)
    raise AssertionError(f"dump {dump_id} still {dump.status}")


@pytest.mark.tasks_in_threads
def test_a_task_sent_runs_in_a_thread_of_its_own(settings, monkeypatch):
    assert settings.TASKS_IN_THREADS is True
    from papers.services import dumps

    started = threading.Event()
    release = threading.Event()
    ran_in = []
    real_ingest = dumps.dump_ingest

    def slow_ingest(**kwargs):
        ran_in.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        return real_ingest(**kwargs)

    monkeypatch.setattr("papers.tasks.dump_ingest", slow_ingest)
    dump = dump_create(file=ContentFile(DUMP, name="d.txt"), original_name="d.txt")
    # dump_create returned while the task waits in its thread: the dump is not done yet.
    assert started.wait(10)
    assert Dump.objects.get(pk=dump.pk).status != DumpStatus.DONE
    release.set()
    assert _wait_for_status(dump.pk, DumpStatus.DONE).stats["new_papers"] == 1
    # In the task's own thread (tried again there if the test database was busy: the task
    # retries passing database errors).
    assert set(ran_in) == {"task papers.tasks.ingest_dump"}


def test_under_tests_a_task_runs_inside_the_call(settings):
    assert settings.TASKS_IN_THREADS is False
    dump = dump_create(file=ContentFile(DUMP, name="d.txt"), original_name="d.txt")
    assert Dump.objects.get(pk=dump.pk).status == DumpStatus.DONE
