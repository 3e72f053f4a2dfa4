"""Parser of JSON dumps in the shape of the Hugging Face daily papers API.

The top-level array is decoded item by item with `json.JSONDecoder.raw_decode` over a buffer
that holds only the unread rest of the current read; when an item is cut by the end of the
buffer, more is read (in growing reads) and the item is decoded again. Line numbers come from
counting the newlines that are dropped from the front of the buffer.
"""

from __future__ import annotations

import codecs
import datetime
import json
import re
from collections.abc import Iterable, Iterator

from .dates import format_day
from .daybook import DayBook
from .errors import (
    MSG_JSON_BROKEN,
    MSG_JSON_EMPTY,
    MSG_JSON_ENCODING,
    MSG_JSON_ITEM_NOT_OBJECT,
    MSG_JSON_ITEM_TOO_LARGE,
    MSG_JSON_NO_PAPERS,
    MSG_JSON_TOO_DEEP,
    MSG_JSON_TRAILING,
    W_ABSTRACT_TOO_LONG,
    W_DIGEST_DATE_MISSING,
    W_DUPLICATE,
    W_JSON_AUTHOR_NAME_TOO_LONG,
    W_JSON_BAD_PUBLISHED,
    W_JSON_NO_DATE,
    W_JSON_NO_TITLE,
    W_JSON_TITLE_TOO_LONG,
    W_JSON_TOO_MANY_AUTHORS,
    DumpFormatError,
    ParsedEntry,
    ParseWarning,
    short,
    warning,
)
from .json_fields import source_fields
from .limits import CHUNK_SIZE, MAX_ABSTRACT, MAX_AUTHOR_NAME, MAX_AUTHORS
from .normalize import arxiv_id_parts, clean_text

MAX_ITEM = 10 << 20
MAX_TITLE = 1000  # the width of Paper.title; a text dump's longest title line is the same
MAX_COUNT = 2**31 - 1  # the extras' counts (DigestEntry.metadata) fit an integer column
# Python will not read an integer of more than 4,300 digits (sys.get_int_max_str_digits) and
# json then raises a plain ValueError, which would end the whole dump on an internal error.
# Such a number is read as this one instead: out of every bound, so it is left out with a
# warning where a count was expected, and ignored elsewhere.
_INT_DIGITS_MAX = 4300
_HUGE = 10**_INT_DIGITS_MAX
_WS_RE = re.compile(r"[ \t\r\n\ufeff]*")
_MAX_KEYWORDS = 20
_MAX_EXTRA_CHARS = 300


class _Buffer:
    """The unread text of the stream, with the line number of its first character."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.pos = 0
        self.eof = False
        # Line numbers: text[mark] is on line mark_line; positions before mark are never asked.
        self.mark = 0
        self.mark_line = 1

    def line_at(self, index: int) -> int:
        return self.mark_line + self.text.count("\n", self.mark, index)

    def set_mark(self, index: int) -> int:
        self.mark_line = self.line_at(index)
        self.mark = index
        return self.mark_line

    def more(self, at_least: int = 0) -> bool:
        """Drop the consumed text and read at least `at_least` more bytes; False at the end."""
        if self.eof:
            return False
        if self.pos:
            self.set_mark(self.pos)
            self.text = self.text[self.pos :]
            self.pos = self.mark = 0
        parts = []
        size = 0
        while True:
            chunk = next(self._chunks, None)
            if chunk is None:
                self.eof = True
                break
            parts.append(chunk)
            size += len(chunk)
            if size >= at_least:
                break
        data = b"".join(parts)
        try:
            decoded = self._decoder.decode(data, final=self.eof)
        except UnicodeDecodeError as err:
            # Bytes held back by the decoder from the previous read are not counted: they hold
            # no newline.
            line = self.line_at(len(self.text)) + data.count(b"\n", 0, max(err.start, 0))
            raise DumpFormatError(MSG_JSON_ENCODING.format(line=line), line=line) from err
        self.text += decoded
        return bool(parts)

    def skip_ws(self) -> str:
        """The next non-blank character ("" at the end of the file), without consuming it."""
        while True:
            blank = _WS_RE.match(self.text, self.pos)
            assert blank is not None  # the pattern matches the empty string too
            self.pos = blank.end()
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def broken(self, index: int, detail: str) -> DumpFormatError:
        line = self.line_at(index)
        return DumpFormatError(MSG_JSON_BROKEN.format(line=line, detail=detail), line=line)


def _maybe_cut(err: json.JSONDecodeError, text: str) -> bool:
    """Could this error come from the item being cut by the end of the buffer?"""
    return err.pos >= len(text) - 16 or err.msg.startswith("Unterminated string")


def _parse_int(digits: str) -> int:
    if len(digits) <= _INT_DIGITS_MAX:
        return int(digits)
    return -_HUGE if digits.startswith("-") else _HUGE


def _items(buf: _Buffer) -> Iterator[tuple[int, dict]]:
    """(line of the item's first character, decoded item) for each item of the top array."""
    decoder = json.JSONDecoder(parse_int=_parse_int)
    if buf.skip_ws() != "[":  # pragma: no cover - the sniffer saw "[" already
        raise buf.broken(buf.pos, "the file does not start with [")
    buf.pos += 1
    first = True
    while True:
        char = buf.skip_ws()
        if char == "":
            raise buf.broken(buf.pos, "the file ends before the closing ]")
        if char == "]":
            if first:
                raise DumpFormatError(MSG_JSON_EMPTY)
            buf.pos += 1
            break
        if not first:
            if char != ",":
                raise buf.broken(buf.pos, "expecting , or ] between items")
            buf.pos += 1
            if buf.skip_ws() == "":
                raise buf.broken(buf.pos, "the file ends before the closing ]")
        first = False
        read_size = CHUNK_SIZE
        while True:
            try:
                item, end = decoder.raw_decode(buf.text, buf.pos)
                break
            except RecursionError:
                line = buf.line_at(buf.pos)
                raise DumpFormatError(MSG_JSON_TOO_DEEP.format(line=line), line=line) from None
            except json.JSONDecodeError as err:
                if buf.eof or not _maybe_cut(err, buf.text):
                    # json's "Unterminated string starting at" expects a position after it.
                    detail = err.msg.removesuffix(" starting at").removesuffix(" at")
                    raise buf.broken(err.pos, detail) from None
                if len(buf.text) - buf.pos > MAX_ITEM:
                    line = buf.line_at(buf.pos)
                    raise DumpFormatError(
                        MSG_JSON_ITEM_TOO_LARGE.format(line=line), line=line
                    ) from None
                buf.more(read_size)
                read_size *= 2
        line = buf.set_mark(buf.pos)
        if end - buf.pos > MAX_ITEM:
            raise DumpFormatError(MSG_JSON_ITEM_TOO_LARGE.format(line=line), line=line)
        if not isinstance(item, dict):
            raise DumpFormatError(MSG_JSON_ITEM_NOT_OBJECT.format(line=line), line=line)
        buf.pos = end
        yield line, item
    if buf.skip_ws() != "":
        line = buf.line_at(buf.pos)
        raise DumpFormatError(MSG_JSON_TRAILING.format(line=line), line=line)


def _date_of(value: object) -> datetime.date | None:
    """The UTC date of an ISO 8601 timestamp (or of a plain ISO date)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            moment = moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):  # Overflow: an offset that leaves year 1 or 9999
        return None
    return moment.date()


def _int(value: object) -> int | None:
    """A count: an integer that is not negative and fits the database's integer columns."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
        return value
    return None


# The extras that are addresses, and the source field (json_fields) that read each: an
# extra keeps the address as read there, never one it refused (not http or https).
_EXTRA_URLS = {"githubRepo": "github_repo", "projectPage": "project_page"}


def _extras(paper: dict, item: dict, source: dict) -> dict:
    """A few small, useful extras of the item; never the abstract. `source`: the item's
    source fields (json_fields.source_fields)."""
    extras: dict = {}
    for key, field in _EXTRA_URLS.items():
        if source.get(field):
            extras[key] = source[field][:_MAX_EXTRA_CHARS]
    for key in ("githubStars", "ai_keywords", "submittedOnDailyAt"):
        value = paper.get(key, item.get(key))
        if isinstance(value, str) and clean_text(value):
            extras[key] = clean_text(value)[:_MAX_EXTRA_CHARS]
        elif _int(value) is not None:
            extras[key] = value
        elif isinstance(value, list):
            words = [clean_text(v)[:100] for v in value if isinstance(v, str) and clean_text(v)]
            if words:
                extras[key] = words[:_MAX_KEYWORDS]
    comments = _int(item.get("numComments"))
    if comments is not None:
        extras["numComments"] = comments
    return extras


def _authors(value: object, line: int, warnings: list[ParseWarning]):
    """The author names (at most MAX_AUTHORS, each at most MAX_AUTHOR_NAME characters) and
    how many the item lists; (), None when it has no list of authors. An author the source
    marks `"hidden": true` is counted but not named, as the source's page leaves the name
    out; an empty name is not an author."""
    if not isinstance(value, list):
        return (), None
    names: list[str] = []
    count = 0
    cut = False
    for author in value:
        hidden = isinstance(author, dict) and author.get("hidden") is True
        name = author.get("name") if isinstance(author, dict) else author
        if not isinstance(name, str):
            continue
        name = clean_text(name)
        if not name:
            continue
        count += 1
        if hidden:
            continue
        if len(names) < MAX_AUTHORS:
            if len(name) > MAX_AUTHOR_NAME:
                name = name[:MAX_AUTHOR_NAME].rstrip()
                cut = True
            names.append(name)
    if count > MAX_AUTHORS:
        warnings.append(
            warning(W_JSON_TOO_MANY_AUTHORS, line, count=f"{count:,}", limit=f"{MAX_AUTHORS:,}")
        )
    if cut:
        warnings.append(warning(W_JSON_AUTHOR_NAME_TOO_LONG, line, limit=MAX_AUTHOR_NAME))
    return tuple(names), count


def _entry_fields(item: dict, line: int) -> tuple[dict | None, list[ParseWarning]]:
    paper = item.get("paper")
    if not isinstance(paper, dict):
        paper = {}
    warnings: list[ParseWarning] = []
    title = paper.get("title")
    if not isinstance(title, str) or not clean_text(title):
        title = item.get("title")
    title = clean_text(title) if isinstance(title, str) else ""
    if not title:
        return None, [warning(W_JSON_NO_TITLE, line)]
    if len(title) > MAX_TITLE:
        return None, [warning(W_JSON_TITLE_TOO_LONG, line, limit=MAX_TITLE)]
    digest_date = _date_of(item.get("publishedAt"))
    if digest_date is None:
        return None, [warning(W_JSON_NO_DATE, line)]
    summary = paper.get("summary")
    if not isinstance(summary, str):
        summary = item.get("summary")
        if not isinstance(summary, str):
            summary = ""
    abstract = clean_text(summary)
    if len(abstract) > MAX_ABSTRACT:
        abstract = abstract[:MAX_ABSTRACT].rstrip()
        warnings.append(warning(W_ABSTRACT_TOO_LONG, line, title=short(title), limit=MAX_ABSTRACT))
    arxiv_parts = arxiv_id_parts(paper["id"]) if isinstance(paper.get("id"), str) else None
    authors, author_count = _authors(paper.get("authors"), line, warnings)
    published = paper.get("publishedAt")
    published_on = _date_of(published)
    if published is not None and published_on is None:
        warnings.append(warning(W_JSON_BAD_PUBLISHED, line))
    source = source_fields(item, paper, line, warnings)
    fields = {
        **source,
        "digest_date": digest_date,
        "title": title,
        "abstract": abstract,
        "arxiv_id": arxiv_parts[0] if arxiv_parts else None,
        "arxiv_version": arxiv_parts[1] if arxiv_parts else None,
        "authors": authors,
        "author_count": author_count,
        "published_on": published_on,
        "metadata": _extras(paper, item, source),
    }
    return fields, warnings


def parse_json(
    chunks: Iterable[bytes], *, digest_date: datetime.date | None
) -> Iterator[ParsedEntry | ParseWarning]:
    book = DayBook()
    first_line = None
    seen_digest_date = False
    for line, item in _items(_Buffer(chunks)):
        if first_line is None:
            first_line = line
        fields, warnings = _entry_fields(item, line)
        if fields is not None:
            day = fields["digest_date"]
            position, title_key = book.admit(day, fields["title"])
            if position is None:
                title = short(fields["title"])
                yield warning(W_DUPLICATE, line, title=title, day=format_day(day))
                continue
            seen_digest_date = seen_digest_date or day == digest_date
            yield ParsedEntry(position=position, line=line, title_key=title_key, **fields)
        yield from warnings
    if book.total == 0:
        raise DumpFormatError(MSG_JSON_NO_PAPERS)
    if digest_date is not None and not seen_digest_date:
        assert first_line is not None  # some paper was read
        yield warning(W_DIGEST_DATE_MISSING, first_line, date=format_day(digest_date))
