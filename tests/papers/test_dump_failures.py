"""Ingestion's failure policy, all in `dump_ingest`: which errors end a dump failed and with
which sentence, and which ones are raised for the task to try again. The task and the command
only pass on which try this is.

In-process on the real database, with the error raised from the writer in the middle of the
dump's transaction. Real workers, killed and cut off from PostgreSQL, are in test_faults.py.
"""

import ast
import logging
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from papers.management.commands.ingest_digest import LINE_FAILED
from papers.models import Digest, DigestEntry, Dump, DumpStatus, Paper
from papers.services import dump_create, dump_ingest
from papers.services.dumps import (
    MSG_FILE_MISSING,
    MSG_GAVE_UP,
    MSG_INTERNAL,
    MSG_TOO_SLOW,
    MSG_UNREACHABLE,
)
from papers.services.ingestion import IngestionWriter
from papers.tasks import MAX_RETRIES, ingest_dump
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db

SAMPLE = "digest-aug22-plain.txt"


@pytest.fixture
def dump():
    content = (FIXTURES / SAMPLE).read_bytes()
    return dump_create(file=ContentFile(content, name=SAMPLE), original_name=SAMPLE)


@pytest.fixture
def writer_fails(monkeypatch):
    """Make the writer raise `error` at its first `times` batches (every batch: None)."""

    def _fail(error: BaseException, times: int | None = None):
        calls = {"n": 0}
        write = IngestionWriter.write

        def failing_write(self, entries):
            calls["n"] += 1
            if times is None or calls["n"] <= times:
                raise error
            return write(self, entries)

        monkeypatch.setattr(IngestionWriter, "write", failing_write)
        return calls

    return _fail


def assert_nothing_written():
    assert Paper.objects.count() == Digest.objects.count() == DigestEntry.objects.count() == 0


def assert_failed(dump: Dump, error: str):
    dump.refresh_from_db()
    assert (dump.status, dump.error) == (DumpStatus.FAILED, error)
    assert dump.finished_at is not None
    assert_nothing_written()


def test_an_unexpected_error_fails_the_dump_with_the_internal_error_sentence(
    dump, writer_fails, caplog
):
    writer_fails(RuntimeError("a bug"))

    with caplog.at_level(logging.ERROR, logger="papers.services.dumps"):
        returned = dump_ingest(dump=dump)

    assert (returned.status, returned.error) == (DumpStatus.FAILED, MSG_INTERNAL)
    assert_failed(dump, MSG_INTERNAL)
    assert "a bug" in caplog.text  # the traceback is for the administrators, not the uploader


def test_a_transient_error_is_raised_while_tries_are_left(dump, writer_fails):
    writer_fails(OperationalError("the server closed the connection"))

    with pytest.raises(OperationalError):
        dump_ingest(dump=dump, try_number=1, tries=3)

    dump.refresh_from_db()
    assert (dump.status, dump.attempts, dump.error) == (DumpStatus.PROCESSING, 1, "")
    assert_nothing_written()


def test_a_transient_error_on_the_last_try_fails_the_dump(dump, writer_fails):
    writer_fails(OperationalError("the server closed the connection"))

    dump_ingest(dump=dump, try_number=3, tries=3)

    assert_failed(dump, MSG_GAVE_UP.format(n=3))


def test_a_transient_error_with_a_single_try_fails_the_dump(dump, writer_fails):
    writer_fails(OperationalError("the server closed the connection"))

    dump_ingest(dump=dump)

    assert_failed(dump, MSG_UNREACHABLE)


def test_the_soft_time_limit_fails_the_dump_as_too_slow(dump, writer_fails):
    writer_fails(SoftTimeLimitExceeded())

    dump_ingest(dump=dump)

    assert_failed(dump, MSG_TOO_SLOW)


def test_a_file_gone_from_the_server_fails_the_dump(dump):
    Path(dump.file.path).unlink()

    dump_ingest(dump=dump)

    assert_failed(dump, MSG_FILE_MISSING)


# --- the doors -------------------------------------------------------------------------------


def test_the_task_retries_a_transient_error_and_finishes(dump, writer_fails):
    calls = writer_fails(OperationalError("the server closed the connection"), times=1)

    ingest_dump.delay(dump.pk)

    dump.refresh_from_db()
    assert (dump.status, dump.error, dump.attempts) == (DumpStatus.DONE, "", 2)
    assert calls["n"] > 1
    assert Paper.objects.count() == 51


def test_the_task_gives_up_after_its_retries(dump, writer_fails):
    calls = writer_fails(OperationalError("the server closed the connection"))

    ingest_dump.delay(dump.pk)

    assert_failed(dump, MSG_GAVE_UP.format(n=MAX_RETRIES + 1))
    assert calls["n"] == dump.attempts == MAX_RETRIES + 1


def test_the_task_fails_the_dump_on_an_unexpected_error(dump, writer_fails):
    writer_fails(RuntimeError("a bug"))

    ingest_dump.delay(dump.pk)

    assert_failed(dump, MSG_INTERNAL)
    assert dump.attempts == 1


def test_the_command_reports_an_unexpected_error_with_the_same_sentence(writer_fails, capsys):
    writer_fails(RuntimeError("a bug"))

    with pytest.raises(CommandError):
        call_command("ingest_digest", str(FIXTURES / SAMPLE), "--sync")

    assert LINE_FAILED.format(name=SAMPLE, error=MSG_INTERNAL) in capsys.readouterr().out
    assert_failed(Dump.objects.get(), MSG_INTERNAL)


@pytest.mark.parametrize(
    "module", ["papers/tasks.py", "papers/management/commands/ingest_digest.py"]
)
def test_the_doors_use_only_the_public_face_of_the_services(module):
    tree = ast.parse((Path(__file__).resolve().parents[2] / module).read_text())
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("papers.services")
    }
    assert imported == {"papers.services"}
