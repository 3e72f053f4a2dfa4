"""Parser of page-copy text dumps (see docs/DIGEST_FORMAT.md, section 1).

Pipeline: byte chunks -> decoded lines (UTF-8, or Windows-1252 for a line that is not UTF-8;
CRLF/CR/LF) -> paragraphs (runs of non-blank lines) -> blocks (chrome line, bare date, metadata
block, text) -> a small state machine: day, title, abstract, optional metadata.

Title or abstract? Titles are single lines of at most TITLE_MAX characters; anything longer,
or a paragraph of several lines (a wrapped abstract), is prose. Where a title is expected, a
short line is a title. Where an abstract is expected, a short line is a short abstract unless
the paragraph after it is prose: then it is the next paper's title and the current paper has
no abstract (a warning says so).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

from .dates import DateLine, format_day, parse_date_line, resolve_year
from .daybook import DayBook
from .errors import (
    MSG_LINE_TOO_LONG,
    MSG_NO_DIGEST_DAY,
    MSG_NO_PAPERS,
    W_ABSTRACT_CONTINUED,
    W_ABSTRACT_TOO_LONG,
    W_BEFORE_FIRST_DAY,
    W_DIGEST_DATE_MISSING,
    W_DUPLICATE,
    W_EMPTY_DAY,
    W_INVALID_DAY,
    W_INVALID_PUBLISHED,
    W_NO_ABSTRACT,
    W_ORPHAN_TEXT,
    W_STRAY_META,
    DumpFormatError,
    ParsedEntry,
    ParseWarning,
    short,
    warning,
)
from .limits import MAX_ABSTRACT, MAX_WARNINGS_PER_PAPER, WarningTally
from .normalize import clean_text, strip_invisible

TITLE_MAX = 300  # longest title seen in real digests is ~170 characters
LONG_TITLE_MAX = 1000  # a longer single line is taken as a title only when prose follows it
MAX_LINE = 1 << 20
MAX_PARAGRAPH = 1 << 20  # characters of one paragraph held at once
_SPECIAL_MAX = 80  # chrome, date and metadata lines are short

_CHROME_KEYS = frozenset(
    {
        "new",
        "gettrendingpapersinyouremailinbox",
        "subscribe",
        "dailypapers",
        "byakandtheresearchcommunity",
    }
)
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
_AUTHORS_RE = re.compile(r"[•·∙⋅*\-]?\s*(\d{1,6})\s+authors?", re.I)
_DOTS = frozenset({"·", "•", "∙", "⋅"})

_CHROME, _DATE, _AUTHORS, _DOT, _OTHER = range(5)


# --- lines and paragraphs ----------------------------------------------------------------------


def _line_batches(chunks: Iterable[bytes]) -> Iterator[list[str]]:
    """Decoded lines, a chunk's worth at a time (CRLF, CR and LF all end a line)."""
    carry = b""
    done = 0  # lines yielded so far
    for chunk in chunks:
        data = carry + chunk if carry else chunk
        if data.endswith(b"\r"):  # may be the first half of a CRLF
            data, carry_cr = data[:-1], b"\r"
        else:
            carry_cr = b""
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        cut = data.rfind(b"\n")
        if cut < 0:
            carry = data + carry_cr
            if len(carry) > 4 * MAX_LINE:
                raise DumpFormatError(MSG_LINE_TOO_LONG.format(line=done + 1), line=done + 1)
            continue
        carry = data[cut + 1 :] + carry_cr
        lines = _decode_lines(data[:cut])
        done += len(lines)
        yield lines
        # Let the batch go before the next is made: a read of short lines is held as several
        # times its size in line objects (1 MB of 8-byte lines: about 7.5 MB).
        del lines
    if carry:
        carry = carry.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        yield _decode_lines(carry)


def _decode_lines(data: bytes) -> list[str]:
    try:
        return data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        pass
    lines = []
    for raw in data.split(b"\n"):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("cp1252", errors="replace"))
    return lines


def _paragraphs(chunks: Iterable[bytes]) -> Iterator[list[tuple[int, str]]]:
    """Runs of non-blank lines as (line number, stripped text); a line of spaces/NBSP is blank."""
    lineno = 0
    para: list[tuple[int, str]] = []
    size = 0
    for batch in _line_batches(chunks):
        for line in batch:
            lineno += 1
            if not line.isascii():
                line = strip_invisible(line)
            text = line.strip()
            if not text.isprintable():  # tabs, or control characters: clean text drops those
                text = clean_text(text)
            if not text:
                if para:
                    yield para
                    para = []
                    size = 0
                continue
            if len(text) > MAX_LINE:
                raise DumpFormatError(MSG_LINE_TOO_LONG.format(line=lineno), line=lineno)
            size += len(text) + 64  # + what a held line costs beyond its characters
            if size > MAX_PARAGRAPH and para:
                # Only a copy without blank lines gets here; hand it on in pieces so memory
                # stays flat (its full-length lines are read one by one anyway).
                yield para
                para = []
                size = len(text) + 64
            para.append((lineno, text))
        del batch  # see _line_batches
    if para:
        yield para


# --- blocks --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Block:
    kind: str  # "chrome" | "day" | "meta" | "text"
    line: int
    text: str = ""
    nlines: int = 1
    date: DateLine | None = None
    authors: int | None = None
    dot_last: bool = False  # a metadata block ending in "·": its date may follow

    @property
    def title_like(self) -> bool:
        return self.kind == "text" and self.nlines == 1 and len(self.text) <= TITLE_MAX

    @property
    def prose(self) -> bool:
        return self.kind == "text" and not self.title_like


def _line_kind(text: str) -> tuple[int, DateLine | int | None]:
    """The line's kind and what it says: a DateLine for _DATE, the count for _AUTHORS, else
    None (_blocks relies on it)."""
    if len(text) > _SPECIAL_MAX:
        return _OTHER, None
    if _NON_ALNUM_RE.sub("", text.casefold()) in _CHROME_KEYS:
        return _CHROME, None
    date = parse_date_line(text)
    if date is not None:
        return _DATE, date
    m = _AUTHORS_RE.fullmatch(text)
    if m is not None:
        return _AUTHORS, int(m[1])
    if text in _DOTS:
        return _DOT, None
    return _OTHER, None


def _blocks(paragraphs: Iterable[list[tuple[int, str]]]) -> Iterator[_Block]:
    for para in paragraphs:
        if len(para) == 1 and len(para[0][1]) > _SPECIAL_MAX:  # the common case: prose
            line, text = para[0]
            yield _Block("text", line, clean_text(text))
            continue
        kinds = [_line_kind(text) for _, text in para]
        i, n = 0, len(para)
        while i < n:
            kind, info = kinds[i]
            line = para[i][0]
            if kind == _CHROME:
                yield _Block("chrome", line)
                i += 1
            elif isinstance(info, DateLine) and info.bare:  # a _DATE line
                yield _Block("day", line, para[i][1], date=info)
                i += 1
            elif kind in (_AUTHORS, _DOT, _DATE):
                block = _Block("meta", line)
                while i < n and kinds[i][0] in (_AUTHORS, _DOT):
                    if kinds[i][0] == _AUTHORS:
                        block.authors = cast(int, kinds[i][1])
                        block.dot_last = False
                    else:
                        block.dot_last = True
                    i += 1
                if i < n and kinds[i][0] == _DATE:
                    block.date = cast(DateLine, kinds[i][1])
                    block.dot_last = False
                    i += 1
                yield block
            else:
                j = i
                while j < n and kinds[j][0] == _OTHER:
                    j += 1
                run = para[i:j]
                if len(run) > 1 and any(len(text) > TITLE_MAX for _, text in run):
                    # Lines of full length: one paragraph per line (a copy without blank lines).
                    for line, text in run:
                        yield _Block("text", line, clean_text(text))
                else:  # a paragraph wrapped over several lines
                    joined = clean_text(" ".join(text for _, text in run))
                    yield _Block("text", line, joined, nlines=len(run))
                i = j


def _continues(paper: _Paper, block: _Block) -> bool:
    """Is this prose the rest of the abstract (cut by a blank line) rather than an abstract
    whose title is missing? Only when the abstract stops mid-sentence or the prose goes on in
    lower case."""
    ends = paper.abstract_end.endswith((".", "!", "?", ")", '"', "'"))
    return not ends or block.text[0].islower()


# --- the state machine -------------------------------------------------------------------------


@dataclass(slots=True)
class _Day:
    date: datetime.date | None  # None: not a valid date, its papers are skipped
    line: int
    label: str
    done: int = 0  # papers finished in this day (kept or not)
    with_meta: int = 0


@dataclass(slots=True)
class _Paper:
    title: str
    line: int
    # The abstract's paragraphs, joined when the paper is finished (joining at each paragraph
    # made a long run of them quadratic: 27 s for 5.4 MB), and only up to MAX_ABSTRACT.
    abstract_parts: list[str] = field(default_factory=list)
    abstract_size: int = 0  # characters of the parts joined
    abstract_end: str = ""  # the last paragraph read into the abstract, kept or not
    has_abstract: bool = False
    has_meta: bool = False
    author_count: int | None = None
    date: DateLine | None = None
    date_line: int = 0
    dot_last: bool = False
    warnings: list[ParseWarning] = field(default_factory=list)
    continued: WarningTally = field(default_factory=lambda: WarningTally(MAX_WARNINGS_PER_PAPER))

    def add_to_abstract(self, text: str) -> None:
        self.abstract_end = text
        self.has_abstract = True
        if self.abstract_size <= MAX_ABSTRACT:  # beyond it, a paragraph would be cut away
            self.abstract_size += len(text) + bool(self.abstract_parts)
            self.abstract_parts.append(text)


_Step = Generator[ParsedEntry | ParseWarning, None, _Block | None]


class _TextParser:
    """A paper is open (`paper`) in the states abstract and meta, a day (`day`) in every
    state after before."""

    def __init__(self, *, reference: datetime.date, digest_date: datetime.date | None) -> None:
        self.reference = reference
        self.digest_date = digest_date
        self.book = DayBook()
        self.day: _Day | None = None
        self.first_day_line: int | None = None
        self.day_keys: set[tuple[int, int]] = set()
        self.paper: _Paper | None = None
        self.state = "before"  # before | title | abstract | meta
        self.ignored: tuple[int, int] | None = None  # lines before the first day

    def run(self, chunks: Iterable[bytes]) -> Iterator[ParsedEntry | ParseWarning]:
        blocks = _blocks(_paragraphs(chunks))
        block = next(blocks, None)
        while block is not None:
            following = next(blocks, None)
            yield from self._step(block, following)
            block = following
        yield from self._finish()

    # Each step may hand the block on to another state, hence the loop.
    def _step(
        self, block: _Block, following: _Block | None
    ) -> Iterator[ParsedEntry | ParseWarning]:
        while block is not None:
            block = yield from getattr(self, "_in_" + self.state)(block, following)

    def _in_before(self, block: _Block, following: _Block | None) -> _Step:
        if block.kind == "day":
            if self.ignored is not None:
                first, last = self.ignored
                yield warning(W_BEFORE_FIRST_DAY, first, first=first, last=last)
            yield from self._start_day(block)
        elif block.kind != "chrome":
            first = self.ignored[0] if self.ignored else block.line
            self.ignored = (first, block.line)
        return None

    def _in_title(self, block: _Block, following: _Block | None) -> _Step:
        if block.kind == "chrome":
            return None
        if block.kind == "day":
            yield from self._start_day(block)
        elif block.kind == "meta":
            yield warning(W_STRAY_META, block.line)
        elif block.title_like or (
            block.nlines == 1
            and len(block.text) <= LONG_TITLE_MAX
            and following is not None
            and following.prose
        ):
            self.paper = _Paper(block.text, block.line)
            self.state = "abstract"
        elif block.nlines > 1 and len(block.text) <= TITLE_MAX:
            # A short paragraph wrapped over a few lines where a title belongs: a wrapped title.
            self.paper = _Paper(block.text, block.line)
            self.state = "abstract"
        else:
            yield warning(W_ORPHAN_TEXT, block.line)
        return None

    def _in_abstract(self, block: _Block, following: _Block | None) -> _Step:
        paper = self.paper
        assert paper is not None
        if block.kind == "text" and (block.prose or following is None or not following.prose):
            paper.add_to_abstract(block.text)
            self.state = "meta"
            return None
        # No abstract: a chrome line, a new day, a metadata block or the next paper's title.
        if block.kind == "meta":
            self._merge_meta(paper, block)
            self.state = "meta"
            return None
        yield from self._finish_paper()
        return block

    def _in_meta(self, block: _Block, following: _Block | None) -> _Step:
        paper = self.paper
        assert paper is not None
        if block.kind == "meta" and (
            not paper.has_meta
            or paper.dot_last
            or (paper.date is None and block.date is not None and block.authors is None)
        ):
            self._merge_meta(paper, block)
            return None
        if block.kind == "day" and paper.date is None:
            day = self.day
            assert day is not None
            # A bare "Mon D" after an abstract: a metadata block with only the date, unless this
            # day's papers come without metadata (then it is the next page copy's day).
            if paper.dot_last or day.with_meta > 0 or day.done == 0:
                self._merge_meta(paper, _Block("meta", block.line, date=block.date))
                return None
        if block.prose and paper.has_abstract and not paper.has_meta and _continues(paper, block):
            paper.add_to_abstract(block.text)
            continued = warning(W_ABSTRACT_CONTINUED, block.line)
            if paper.continued.admit(continued):
                paper.warnings.append(continued)
            return None
        yield from self._finish_paper()
        return block

    # --- helpers -----------------------------------------------------------------------------

    def _merge_meta(self, paper: _Paper, block: _Block) -> None:
        paper.has_meta = True
        if block.authors is not None and paper.author_count is None:
            paper.author_count = block.authors
        if block.date is not None and paper.date is None:
            paper.date = block.date
            paper.date_line = block.line
        paper.dot_last = block.dot_last

    def _start_day(self, block: _Block) -> Iterator[ParseWarning]:
        day = self.day
        if day is not None and day.done == 0:
            yield warning(W_EMPTY_DAY, day.line, day=day.label)
        date_line = block.date
        assert date_line is not None  # a day block has its date
        if self.first_day_line is None:
            self.first_day_line = block.line
        resolved = resolve_year(date_line.month, date_line.day, self.reference)
        label = block.text
        if resolved is None:
            yield warning(W_INVALID_DAY, block.line, text=label)
        else:
            label = format_day(resolved)
            self.day_keys.add((resolved.month, resolved.day))
        self.day = _Day(resolved, block.line, label)
        self.state = "title"

    def _finish_paper(self) -> Iterator[ParsedEntry | ParseWarning]:
        paper, day = self.paper, self.day
        assert paper is not None and day is not None
        self.paper = None
        self.state = "title"
        day.done += 1
        if paper.has_meta:
            day.with_meta += 1
        if day.date is None:
            return
        warnings = paper.warnings + paper.continued.summaries()
        if not paper.has_abstract:
            warnings.append(warning(W_NO_ABSTRACT, paper.line, title=short(paper.title)))
        abstract = " ".join(paper.abstract_parts)
        if len(abstract) > MAX_ABSTRACT:
            abstract = abstract[:MAX_ABSTRACT].rstrip()
            warnings.append(
                warning(
                    W_ABSTRACT_TOO_LONG, paper.line, title=short(paper.title), limit=MAX_ABSTRACT
                )
            )
        published = None
        metadata = {}
        upvotes = None
        if paper.date is not None:
            dl = paper.date
            metadata["published"] = dl.raw
            upvotes = dl.count
            if not dl.valid:
                warnings.append(warning(W_INVALID_PUBLISHED, paper.date_line, text=dl.raw))
            elif dl.year is not None:
                published = datetime.date(dl.year, dl.month, dl.day)
            else:
                published = resolve_year(dl.month, dl.day, day.date)
        position, title_key = self.book.admit(day.date, paper.title)
        if position is None:
            yield warning(W_DUPLICATE, paper.line, title=short(paper.title), day=day.label)
            return
        yield ParsedEntry(
            digest_date=day.date,
            position=position,
            line=paper.line,
            title=paper.title,
            title_key=title_key,
            abstract=abstract,
            author_count=paper.author_count,
            published_on=published,
            upvotes=upvotes,
            metadata=metadata,
        )
        yield from sorted(warnings, key=lambda w: w.line)

    def _finish(self) -> Iterator[ParsedEntry | ParseWarning]:
        if self.state == "before":
            raise DumpFormatError(MSG_NO_DIGEST_DAY)
        if self.paper is not None:
            yield from self._finish_paper()
        if self.book.total == 0:
            raise DumpFormatError(MSG_NO_PAPERS)
        day, first_day_line = self.day, self.first_day_line
        assert day is not None and first_day_line is not None  # the state is past before
        if day.done == 0:
            yield warning(W_EMPTY_DAY, day.line, day=day.label)
        wanted = self.digest_date
        if wanted is not None and (wanted.month, wanted.day) not in self.day_keys:
            yield warning(W_DIGEST_DATE_MISSING, first_day_line, date=format_day(wanted))


def parse_text(
    chunks: Iterable[bytes], *, reference: datetime.date, digest_date: datetime.date | None
) -> Iterator[ParsedEntry | ParseWarning]:
    return _TextParser(reference=reference, digest_date=digest_date).run(chunks)
