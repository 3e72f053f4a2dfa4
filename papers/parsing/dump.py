"""`parse_dump`: sniff the kind of an uploaded file and stream its entries and warnings."""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from .errors import (
    MSG_ARCHIVE,
    MSG_BINARY,
    MSG_BLANK,
    MSG_EMPTY,
    MSG_HTML,
    MSG_JSON_NOT_ARRAY,
    MSG_LEADING_BLANK,
    DumpFormatError,
    ParsedEntry,
    ParseWarning,
)
from .json_dump import parse_json
from .limits import CHUNK_SIZE, bound_warnings
from .text import parse_text

MAX_LEADING_BLANK = 1 << 20
_SNIFF_SIZE = 1 << 16

_MAGIC = (
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
)
_HTML_RE = re.compile(
    rb"<(?:!doctype|html|head|body|meta|title|div|p|!--|\?xml|[a-z][a-z0-9]*[\s/>])", re.I
)
# Possessive ("*+"): a plain "*" over this group keeps backtracking state for every byte it
# matches, over a hundred bytes of memory per blank byte.
_BLANK_RE = re.compile(rb"(?:[ \t\r\n\f\v]|\xef\xbb\xbf|\xc2\xa0|\xa0|\xe2\x80[\x8b-\x8d])*+")
# Control bytes that never occur in text (tab, line ends, form feed and ^Z are allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 26)) + b"\x7f"


def _sniff(stream: BinaryIO) -> tuple[str, list[bytes]]:
    """Read up to the first non-blank byte and decide: "json" or "text".

    Returns the kind and the chunks read so far (to be parsed before the rest of the stream).
    """
    head: list[bytes] = []
    blank_size = 0
    read_any = False
    while True:
        chunk = stream.read(CHUNK_SIZE)
        if not chunk:
            if not read_any:
                raise DumpFormatError(MSG_EMPTY)
            raise DumpFormatError(MSG_BLANK)
        read_any = True
        blank = _BLANK_RE.match(chunk)
        assert blank is not None  # the pattern matches the empty string too
        start = blank.end()
        if start == len(chunk):
            blank_size += len(chunk)
            if blank_size <= MAX_LEADING_BLANK:
                head.append(chunk)
            continue
        if blank_size + start > MAX_LEADING_BLANK:
            raise DumpFormatError(MSG_LEADING_BLANK)
        head.append(chunk)
        break
    content = chunk[start : start + _SNIFF_SIZE]
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            raise DumpFormatError(MSG_ARCHIVE.format(kind=kind))
    if _looks_binary(content):
        raise DumpFormatError(MSG_BINARY)
    first = content[:1]
    if first == b"[":
        return "json", head
    if first == b"{":
        raise DumpFormatError(MSG_JSON_NOT_ARRAY)
    if first == b"<" and _HTML_RE.match(content):
        raise DumpFormatError(MSG_HTML)
    return "text", head


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls * 20 > len(sample):  # more than 5% control bytes
        return True
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start >= len(sample) - 3:  # a character cut by the end of the sample
            return False
        high = len(sample) - len(sample.translate(None, bytes(range(128, 256))))
        return high * 10 > len(sample) * 3  # more than 30% non-ASCII bytes and not UTF-8
    return False


def parse_dump(
    stream: BinaryIO,
    *,
    upload_date: datetime.date,
    digest_date: datetime.date | None = None,
) -> Iterator[ParsedEntry | ParseWarning]:
    """Stream entries and warnings in file order.

    Raises DumpFormatError when the file is not a digest dump, possibly mid-iteration (broken
    JSON late in the file). Memory stays flat: the file is read in chunks and nothing but a
    small per-day bookkeeping is kept between entries. Warnings beyond limits.MAX_WARNINGS are
    counted by kind and summarized at the end (ParseWarning.omitted says how many each
    summary stands for).
    """
    kind, head = _sniff(stream)
    chunks: Iterable[bytes] = itertools.chain(head, iter(lambda: stream.read(CHUNK_SIZE), b""))
    if kind == "json":
        items = parse_json(chunks, digest_date=digest_date)
    else:
        items = parse_text(chunks, reference=digest_date or upload_date, digest_date=digest_date)
    yield from bound_warnings(items)
