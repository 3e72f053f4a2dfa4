"""Parsing a dump in batches, in this process or in a child process.

`parse_batches` groups what `parse_dump` yields into lists of up to `batch_size` entries
(warnings ride along, in file order) and tells how many bytes of the file were read so far.

Run as a program (`python -m papers.parsing.stream PATH --upload-date YYYY-MM-DD
[--digest-date YYYY-MM-DD] [--batch-size N]`) it writes those batches to standard output as a
sequence of pickles, for `ParseProcess` to read. Ingestion uses that to parse a large dump on
the second core while its own process writes to the database: parsing is pure Python work, and
in one process it would wait on the same interpreter lock as the writer.
"""

from __future__ import annotations

import argparse
import datetime
import io
import pickle
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path
from typing import BinaryIO

from .dump import parse_dump
from .errors import DumpFormatError, ParsedEntry, ParseWarning

Batch = tuple[list[ParsedEntry | ParseWarning], int]

_BATCH, _ERROR, _END = "batch", "error", "end"


class _CountingReader(io.RawIOBase):
    """A raw reader over a binary file that counts the bytes taken from it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def parse_batches(
    raw: BinaryIO,
    *,
    upload_date: datetime.date,
    digest_date: datetime.date | None = None,
    batch_size: int = 2000,
) -> Generator[Batch, None, None]:
    """Yield (items, bytes read so far) for every `batch_size` entries, and a last batch."""
    counter = _CountingReader(raw)
    stream = io.BufferedReader(counter, buffer_size=1 << 20)
    batch: list[ParsedEntry | ParseWarning] = []
    entries = 0
    for item in parse_dump(stream, upload_date=upload_date, digest_date=digest_date):
        batch.append(item)
        if isinstance(item, ParsedEntry):
            entries += 1
            if entries >= batch_size:
                yield batch, counter.count
                batch, entries = [], 0
    yield batch, counter.count


class ParseProcess:
    """Iterate the batches of a dump parsed by a child process.

    Raises DumpFormatError as the parser did; any other failure of the child is a
    RuntimeError. Leaving the iteration early (an error of the caller) ends the child.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        upload_date: datetime.date,
        digest_date: datetime.date | None = None,
        batch_size: int = 2000,
    ) -> None:
        self._args = [
            sys.executable,
            "-m",
            "papers.parsing.stream",
            str(path),
            "--upload-date",
            upload_date.isoformat(),
            "--batch-size",
            str(batch_size),
        ]
        if digest_date is not None:
            self._args += ["--digest-date", digest_date.isoformat()]

    def __iter__(self) -> Generator[Batch, None, None]:
        root = Path(__file__).resolve().parents[2]  # where the `papers` package lives
        child = subprocess.Popen(
            self._args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root
        )
        stdout, stderr = child.stdout, child.stderr
        assert stdout is not None and stderr is not None  # both are pipes
        try:
            while True:
                try:
                    kind, *payload = pickle.load(stdout)
                except EOFError:
                    child.wait()
                    detail = stderr.read().decode(errors="replace").strip()[-2000:]
                    raise RuntimeError(
                        f"The parser process ended early (exit {child.returncode}): {detail}"
                    ) from None
                if kind == _BATCH:
                    yield payload[0], payload[1]
                elif kind == _ERROR:
                    raise DumpFormatError(payload[0], line=payload[1])
                else:
                    return
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            stdout.close()
            stderr.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--upload-date", type=datetime.date.fromisoformat, required=True)
    parser.add_argument("--digest-date", type=datetime.date.fromisoformat)
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args(argv)
    out = sys.stdout.buffer
    try:
        with open(args.path, "rb") as raw:
            for items, read in parse_batches(
                raw,
                upload_date=args.upload_date,
                digest_date=args.digest_date,
                batch_size=args.batch_size,
            ):
                pickle.dump((_BATCH, items, read), out, protocol=pickle.HIGHEST_PROTOCOL)
    except DumpFormatError as exc:
        pickle.dump((_ERROR, exc.message, exc.line), out)
    pickle.dump((_END,), out)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
