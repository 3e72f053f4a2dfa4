"""Ingest digest files from the command line, through the same services as uploads."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from papers import selectors
from papers.models import Dump, DumpStatus
from papers.services import DumpTooLarge, DuplicateDump, dump_create, dump_ingest

MSG_BAD_DATE = "--date must be a day written YYYY-MM-DD, such as 2024-08-22; got {value!r}."
MSG_NO_FILE = "there is no file at {path}."
MSG_IS_DIRECTORY = "{path} is a directory, not a file."
MSG_UNREADABLE = "the file {path} cannot be read ({reason})."
MSG_TIMED_OUT = (
    "still {status} after {timeout} seconds; dump #{id} goes on in the background, "
    "see it in the admin."
)
MSG_SOME_FAILED = "{failed} of {count} file(s) failed."

LINE_DONE = (
    "{name}: {digests} digest day(s), {entries} entries, {new} new papers, "
    "{existing} existing papers, {warnings} warnings"
)
LINE_FAILED = "{name}: failed: {error}"
LINE_DUPLICATE = "{name}: duplicate of dump #{id}, skipped"
LINE_WARNING = "  line {line}: {message}"
LINE_MORE_WARNINGS = "  ... and {more} more warning(s)"


def _date(value: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        day = None
    # fromisoformat also takes 20240822 and week dates: hold to the documented form.
    if day is None or len(value) != 10:
        raise CommandError(MSG_BAD_DATE.format(value=value))
    return day


class Command(BaseCommand):
    help = (
        "Ingest digest files (page copies or JSON dumps). Each file becomes a dump, as if "
        "uploaded; a file already uploaded is skipped. Exits 1 if any file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--date", help="The digest day (YYYY-MM-DD) for files that do not say it."
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish the new papers the files bring."
        )
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Ingest in this process instead of queueing to the task workers.",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=3600,
            help="Seconds to wait for each queued ingestion (default 3600).",
        )
        parser.add_argument("--poll-interval", type=float, default=0.5, help="Seconds.")

    def handle(self, *args, **options):
        # argparse's `type=` would turn a CommandError into a usage error; check it here.
        digest_date = _date(options["date"]) if options["date"] else None
        self.verbosity = options["verbosity"]
        paths: list[str] = options["paths"]
        self.bar = (
            # The bar writes to the real stream behind Django's OutputWrapper, which would add
            # a newline to each of its updates.
            tqdm(total=len(paths), unit="file", file=self.stdout._out, leave=False)
            if self.stdout.isatty()
            else None
        )
        failed = 0
        try:
            for path in paths:
                ok = self._ingest_one(
                    Path(path),
                    digest_date=digest_date,
                    publish=options["publish"],
                    sync=options["sync"],
                    timeout=options["timeout"],
                    poll_interval=options["poll_interval"],
                )
                failed += not ok
                if self.bar is not None:
                    self.bar.update(1)
        finally:
            if self.bar is not None:
                self.bar.close()
        if failed:
            raise CommandError(MSG_SOME_FAILED.format(failed=failed, count=len(paths)))

    def _say(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.stdout._out)
        else:
            self.stdout.write(line)

    def _ingest_one(self, path: Path, *, digest_date, publish, sync, timeout, poll_interval):
        name = path.name
        try:
            fh = path.open("rb")
        except FileNotFoundError:
            return self._fail(name, MSG_NO_FILE.format(path=path))
        except IsADirectoryError:
            return self._fail(name, MSG_IS_DIRECTORY.format(path=path))
        except OSError as exc:
            return self._fail(name, MSG_UNREADABLE.format(path=path, reason=exc.strerror))

        if self.bar is not None:
            self.bar.set_description(name)
        try:
            with fh:
                dump = dump_create(
                    file=File(fh, name=name),
                    original_name=name,
                    uploaded_by=None,
                    digest_date=digest_date,
                    publish=publish,
                    # --sync ingests below, in this process: queueing it too would run it twice.
                    enqueue=not sync,
                )
        except DuplicateDump as exc:
            self._say(LINE_DUPLICATE.format(name=name, id=exc.existing.pk))
            return True
        except DumpTooLarge as exc:
            return self._fail(name, exc.message)
        except OSError as exc:
            return self._fail(name, MSG_UNREADABLE.format(path=path, reason=exc.strerror))

        if sync:
            # One try: whatever stops it ends the dump failed with its sentence.
            dump = dump_ingest(dump=dump)
        else:
            dump = self._wait(dump, timeout=timeout, poll_interval=poll_interval)
            if dump.status not in (DumpStatus.DONE, DumpStatus.FAILED):
                return self._fail(
                    name,
                    MSG_TIMED_OUT.format(status=dump.status, timeout=f"{timeout:g}", id=dump.pk),
                )
        return self._report(name, dump)

    def _wait(self, dump: Dump, *, timeout: float, poll_interval: float) -> Dump:
        """Poll the dump until its ingestion is over or `timeout` seconds have passed."""
        deadline = time.monotonic() + timeout
        while True:
            dump.refresh_from_db()
            if dump.status in (DumpStatus.DONE, DumpStatus.FAILED):
                return dump
            if self.bar is not None:
                done, total = selectors.dump_progress(dump)
                percent = selectors.progress_percent(done=done, total=total, status=dump.status)
                self.bar.set_postfix_str(f"{dump.status} {percent}%")
            if time.monotonic() >= deadline:
                return dump
            time.sleep(poll_interval)

    def _report(self, name: str, dump: Dump) -> bool:
        if dump.status == DumpStatus.FAILED:
            return self._fail(name, dump.error)
        stats = dump.stats
        self._say(
            LINE_DONE.format(
                name=name,
                digests=stats.get("digests", 0),
                entries=stats.get("entries", 0),
                new=stats.get("new_papers", 0),
                existing=stats.get("existing_papers", 0),
                warnings=dump.warning_count,
            )
        )
        if self.verbosity >= 2:
            for warning in dump.warnings:
                self._say(LINE_WARNING.format(**warning))
            more = dump.warnings_unlisted
            if more > 0:
                self._say(LINE_MORE_WARNINGS.format(more=more))
        return True

    def _fail(self, name: str, error: str) -> bool:
        self._say(LINE_FAILED.format(name=name, error=error))
        return False
