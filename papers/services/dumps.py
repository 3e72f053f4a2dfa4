"""Dumps: taking an upload in, and running its ingestion from start to finish.

The life of a dump: `dump_create` stores the file and queues it; the task calls `dump_ingest`,
which reads the file once and writes everything in ONE transaction, batch by batch, marking
the dump done inside that same transaction. So a dump is either done with all its rows, or
has written nothing: a bad file rolls back, and a crashed or killed run leaves no trace but
the dump's `processing` status, and simply runs again. What ends a dump failed, and with which
sentence, is decided in `dump_ingest` alone, for the task and the command alike.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
from typing import TypedDict

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    reset_queries,
    transaction,
)
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.errors import DomainError
from config.units import human_size
from papers.listing_version import listings_changed
from papers.models import Dump, DumpStatus
from papers.parsing import DumpFormatError, ParsedEntry, ParseWarning
from papers.parsing.stream import ParseProcess, parse_batches
from papers.services.changes import papers_changed_schedule
from papers.services.ingestion import IngestionWriter
from papers.services.search_index import search_index_schedule

logger = logging.getLogger(__name__)

MSG_TOO_LARGE = "The file is {size} but uploads are limited to {limit}."
MSG_DUPLICATE = "This file was already uploaded as dump #{id} ({name}) on {date}."
MSG_FILE_MISSING = "The uploaded file is no longer on the server; upload it again."
MSG_TOO_MANY_ATTEMPTS = (
    "Ingestion was started {n} times without finishing (the worker stopped each time), so the "
    "dump was set aside; the administrators have the details."
)
MSG_INTERNAL = "Ingestion stopped on an internal error; the administrators have the details."
MSG_GAVE_UP = (
    "The database or the broker stayed unreachable after {n} tries; upload the file again."
)
MSG_UNREACHABLE = "The database or the broker became unreachable; upload the file again."
MSG_TOO_SLOW = "Ingestion took longer than the time limit of the worker and was stopped."

# Stored warnings are capped so a file with a warning on every line stays small; the count
# is always exact. The parser's summaries of the warnings it left out are always stored.
MAX_STORED_WARNINGS = 1000
# A dump queued this long without a worker taking it is sent again by the periodic sweep.
STALE_QUEUED_AFTER = datetime.timedelta(minutes=2)
# What sending a task raises when the broker is unreachable.
BROKER_ERRORS = (KombuOperationalError, RedisConnectionError, ConnectionError)
# Errors that can pass: the database or the broker went away for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, RedisTimeoutError, *BROKER_ERRORS)
BATCH_SIZE = 2000
PROGRESS_TTL = 24 * 3600


class DumpTooLarge(DomainError):
    status_code = 413
    code = "too_large"


class DuplicateDump(DomainError):
    status_code = 409
    code = "duplicate"

    def __init__(self, existing: Dump) -> None:
        super().__init__(
            MSG_DUPLICATE.format(
                id=existing.pk,
                name=existing.original_name,
                date=timezone.localdate(existing.uploaded_at).isoformat(),
            ),
            extra={"dump": existing.pk},
        )
        self.existing = existing


def progress_key(dump_id: int) -> str:
    return f"papers:dump:{dump_id}:progress"


def dump_create(
    *,
    file: File,
    original_name: str,
    uploaded_by=None,
    digest_date: datetime.date | None = None,
    publish: bool = False,
    enqueue: bool = True,
) -> Dump:
    """Store an uploaded file as a queued dump and enqueue its ingestion once committed.

    With `enqueue=False` nothing is queued: the caller runs `dump_ingest` itself (the
    `ingest_digest --sync` command), so the dump is never ingested twice.

    Raises DumpTooLarge above the configured limit and DuplicateDump for a byte-identical file
    already uploaded (unless that earlier upload failed).
    """
    limit = settings.DUMP_MAX_UPLOAD_BYTES
    too_large = MSG_TOO_LARGE.format(size="{size}", limit=human_size(limit))
    if file.size is not None and file.size > limit:
        raise DumpTooLarge(too_large.format(size=human_size(file.size)))

    # Hash and measure in one read: `file.size` is not known for every kind of File.
    digest = hashlib.sha256()
    size = 0
    for chunk in file.chunks():
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            raise DumpTooLarge(too_large.format(size=f"over {human_size(limit)}"))
    sha256 = digest.hexdigest()
    file.seek(0)

    existing = Dump.objects.filter(sha256=sha256).exclude(status=DumpStatus.FAILED).first()
    if existing is not None:
        raise DuplicateDump(existing)

    dump = Dump(
        original_name=(original_name or "upload")[:255],
        sha256=sha256,
        size=size,
        uploaded_by=uploaded_by,
        digest_date=digest_date,
        publish=publish,
    )
    dump.file.save(sha256, file, save=False)
    try:
        with transaction.atomic():
            dump.save()
    except BaseException as exc:
        dump.file.delete(save=False)  # no row, no file
        if isinstance(exc, IntegrityError):
            winner = Dump.objects.filter(sha256=sha256).exclude(status=DumpStatus.FAILED).first()
            if winner is not None:
                # Another upload of the same bytes won the race; it is the one that counts.
                raise DuplicateDump(winner) from None
        raise

    listings_changed()  # the moderation queue's filter offers it
    if enqueue:
        transaction.on_commit(lambda: dump_enqueue(dump_id=dump.pk))
    return dump


def dump_enqueue(*, dump_id: int) -> bool:
    """Send a dump to the workers. False when the broker cannot be reached: the dump stays
    queued, the upload is not lost, and `dumps_enqueue_stale` sends it once the broker is back.
    """
    from papers.tasks import ingest_dump  # the task module imports this one

    try:
        ingest_dump.delay(dump_id)
    except BROKER_ERRORS:
        logger.warning("dump %s: broker unreachable, left queued for the sweep", dump_id)
        return False
    return True


def dumps_enqueue_stale(*, older_than: datetime.timedelta = STALE_QUEUED_AFTER) -> int:
    """Send again the dumps still queued after `older_than` (the broker was down when they were
    uploaded, or their message was lost). A dump sent twice is ingested once: the task is
    re-runnable by design. Returns how many were sent."""
    cutoff = timezone.now() - older_than
    sent = 0
    stale = Dump.objects.filter(status=DumpStatus.QUEUED, uploaded_at__lt=cutoff)
    for dump_id in stale.order_by("id").values_list("id", flat=True):
        if not dump_enqueue(dump_id=dump_id):
            break  # still no broker: the next sweep tries again
        sent += 1
    return sent


def dump_mark_failed(*, dump: Dump, error: str) -> Dump:
    """Record that a dump cannot be ingested. Nothing it would have written is kept."""
    Dump.objects.filter(pk=dump.pk).update(
        status=DumpStatus.FAILED, error=error, finished_at=timezone.now()
    )
    cache.delete(progress_key(dump.pk))
    dump.refresh_from_db()
    return dump


def _claim(dump: Dump) -> bool:
    """Move a queued (or interrupted) dump to processing. False if it is already finished, or
    if it has been started too often: a dump that kills its worker every time (a poison
    message, redelivered because of acks_late) ends failed instead of looping forever."""
    with transaction.atomic():
        locked = Dump.objects.select_for_update().get(pk=dump.pk)
        if locked.status in (DumpStatus.DONE, DumpStatus.FAILED):
            return False
        if locked.attempts >= settings.DUMP_MAX_ATTEMPTS:
            locked.status = DumpStatus.FAILED
            locked.error = MSG_TOO_MANY_ATTEMPTS.format(n=locked.attempts)
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "error", "finished_at"])
            logger.error("dump %s: set aside after %s attempts", locked.pk, locked.attempts)
            return False
        locked.status = DumpStatus.PROCESSING
        locked.attempts += 1
        locked.started_at = timezone.now()
        locked.error = ""
        locked.save(update_fields=["status", "attempts", "started_at", "error"])
    return True


def _serialize_ingestions() -> None:
    """Ingestions run one at a time, so two dumps never race to create the same paper."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('paperboard.ingestion'))")
    # SQLite: the IMMEDIATE transaction already holds the database's only write lock.


def dump_ingest(
    *, dump: Dump, batch_size: int = BATCH_SIZE, try_number: int = 1, tries: int = 1
) -> Dump:
    """Ingest a dump from start to finish; safe to call again on the same dump at any time.

    One pass over the file inside one transaction, so whatever stops it writes nothing.
    Progress is counted in bytes of the file read. Returns the dump as stored. The failure
    policy of every caller:

    - a file that is not a digest (DumpFormatError, even at its very end) or is no longer
      there: the dump ends `failed` with one sentence for the uploader;
    - the database or the broker unreachable (TRANSIENT_ERRORS): raised while tries are left
      (`try_number` of `tries`), for the caller to run it again (the task retries with
      backoff); on the last try the dump ends `failed` (MSG_GAVE_UP, or MSG_UNREACHABLE when
      there was one try);
    - the worker's soft time limit: `failed` with MSG_TOO_SLOW;
    - any other error: logged with its traceback for the administrators, and the dump ends
      `failed` with MSG_INTERNAL.
    """
    try:
        return _ingest(dump, batch_size=batch_size)
    except TRANSIENT_ERRORS:
        if try_number < tries:
            raise
        logger.exception("dump %s: giving up after %s tries", dump.pk, tries)
        _drop_broken_connection()
        error = MSG_GAVE_UP.format(n=tries) if tries > 1 else MSG_UNREACHABLE
        return dump_mark_failed(dump=dump, error=error)
    except SoftTimeLimitExceeded:
        logger.error("dump %s: stopped at the time limit", dump.pk)
        return dump_mark_failed(dump=dump, error=MSG_TOO_SLOW)
    except Exception:
        logger.exception("dump %s: ingestion failed", dump.pk)
        _drop_broken_connection()
        return dump_mark_failed(dump=dump, error=MSG_INTERNAL)


def _drop_broken_connection() -> None:
    """Close the database connection if the error left it unusable, so the failure is written
    on a new one. Not inside a transaction of the caller's (a test's): that one owns it."""
    if not connection.in_atomic_block:
        close_old_connections()


def _ingest(dump: Dump, *, batch_size: int) -> Dump:
    if not _claim(dump):
        dump.refresh_from_db()
        return dump
    dump.refresh_from_db()

    key = progress_key(dump.pk)
    total = dump.size
    cache.set(key, (0, total), PROGRESS_TTL)
    try:
        with transaction.atomic():
            _serialize_ingestions()
            locked = Dump.objects.select_for_update().get(pk=dump.pk)
            if locked.status != DumpStatus.PROCESSING:
                return locked  # a twin delivery finished it while we waited for the lock
            _write_dump(
                locked,
                batch_size=batch_size,
                progress=lambda n: cache.set(key, (n, total), PROGRESS_TTL),
            )
    except DumpFormatError as exc:
        return dump_mark_failed(dump=dump, error=str(exc))
    except FileNotFoundError:
        return dump_mark_failed(dump=dump, error=MSG_FILE_MISSING)
    finally:
        cache.delete(key)
    search_index_schedule()
    papers_changed_schedule()
    dump.refresh_from_db()
    return dump


class _ParseOptions(TypedDict):
    upload_date: datetime.date
    digest_date: datetime.date | None
    batch_size: int


def _write_dump(dump: Dump, *, batch_size: int, progress) -> None:
    """Parse and write the whole dump; the caller holds the transaction and the dump's lock."""
    writer = IngestionWriter(dump=dump)
    parse_warnings: list[dict] = []
    summaries: list[dict] = []  # each stands for `omitted` warnings the parser left out
    parse_warning_count = 0
    options: _ParseOptions = {
        "upload_date": timezone.localdate(dump.uploaded_at),
        "digest_date": dump.digest_date,
        "batch_size": batch_size,
    }
    with contextlib.ExitStack() as stack:
        if dump.size >= settings.DUMP_PARSE_IN_CHILD_BYTES:
            # A large dump is parsed by a child process on the other core while this one
            # writes (see papers.parsing.stream).
            batches = iter(ParseProcess(dump.file.path, **options))
        else:
            batches = parse_batches(stack.enter_context(dump.file.open("rb")), **options)
        # Closed on the way out, whatever happens: that ends the child process.
        stack.enter_context(contextlib.closing(batches))
        for items, bytes_read in batches:
            batch: list[ParsedEntry] = []
            for item in items:
                if isinstance(item, ParseWarning):
                    parse_warning_count += item.omitted or 1
                    if item.omitted:
                        summaries.append(
                            {"line": item.line, "message": item.message, "omitted": item.omitted}
                        )
                    elif len(parse_warnings) < MAX_STORED_WARNINGS:
                        parse_warnings.append({"line": item.line, "message": item.message})
                else:
                    batch.append(item)
            if batch:
                writer.write(batch)
            progress(bytes_read)
            # With DEBUG on, Django keeps every query's SQL; a large dump's bulk inserts
            # would pile up hundreds of megabytes of it.
            reset_queries()

    warnings = sorted(parse_warnings + writer.warnings, key=lambda w: w["line"])
    warnings = warnings[: max(MAX_STORED_WARNINGS - len(summaries), 0)]
    warning_count = parse_warning_count + len(writer.warnings)
    dump.stats = {**writer.stats(), "warnings": warning_count}
    dump.warnings = sorted(warnings + summaries, key=lambda w: w["line"])
    dump.warning_count = warning_count
    dump.progress_done = dump.progress_total = dump.size
    dump.status = DumpStatus.DONE
    dump.finished_at = timezone.now()
    dump.error = ""
    dump.save()
