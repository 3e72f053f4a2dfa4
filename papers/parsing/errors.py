"""Result types, the format error and every user-facing message of the dump parser.

Messages are module constants (``str.format`` templates where they carry a line number) so
tests and callers can assert them. Each one is a single sentence ending with a full stop.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

# --- DumpFormatError messages: the file is refused -------------------------------------------
MSG_EMPTY = "The file is empty."
MSG_BLANK = "The file contains only blank space."
MSG_LEADING_BLANK = (
    "The file starts with more than 1 MB of blank space, so it is not a digest dump."
)
MSG_BINARY = "The file holds binary data, not the text or JSON of a digest dump."
MSG_ARCHIVE = "The file is a {kind}, not a digest dump; upload the text or JSON file itself."
MSG_HTML = "The file is an HTML page, not a digest dump; copy the text of the page instead."
MSG_LINE_TOO_LONG = "Line {line} is longer than 1 MB, so the file is not a digest dump."
MSG_NO_DIGEST_DAY = (
    'The file has no digest day (a line such as "Aug 22"), so it is not a digest dump.'
)
MSG_NO_PAPERS = "The file has a digest header but no papers."
MSG_JSON_BROKEN = "The JSON dump is broken at line {line} ({detail})."
MSG_JSON_ENCODING = "The JSON dump is not valid UTF-8 text at line {line}."
MSG_JSON_NOT_ARRAY = "The JSON dump is a single object, but it must be an array of papers."
MSG_JSON_ITEM_NOT_OBJECT = (
    "The JSON item at line {line} is not an object, so the file is not a list of papers."
)
MSG_JSON_TOO_DEEP = "The JSON dump is nested too deeply at line {line} to be a list of papers."
MSG_JSON_ITEM_TOO_LARGE = "The JSON item starting at line {line} is larger than 10 MB."
MSG_JSON_TRAILING = "The JSON dump has unexpected content after its closing bracket at line {line}."
MSG_JSON_EMPTY = "The JSON dump is an empty array, so it has no papers."
MSG_JSON_NO_PAPERS = "The JSON dump has no item with a usable title and digest date."

# --- ParseWarning messages: the file is read, something was skipped or guessed ---------------
W_BEFORE_FIRST_DAY = (
    "Lines {first} to {last} come before the first digest day, so they were ignored."
)
W_EMPTY_DAY = "The digest day {day} at line {line} has no papers."
W_INVALID_DAY = (
    'The digest day "{text}" at line {line} is not a valid date, so its papers were skipped.'
)
W_INVALID_PUBLISHED = (
    'The publication date "{text}" at line {line} is not a valid date, so it was left empty.'
)
W_NO_ABSTRACT = (
    'The paper "{title}" at line {line} has no abstract, so it was kept with an empty one.'
)
W_ORPHAN_TEXT = (
    "The paragraph at line {line} looks like an abstract without a title, so it was skipped."
)
W_ABSTRACT_CONTINUED = (
    "The paragraph at line {line} was read as a continuation of the abstract before it."
)
W_STRAY_META = "The metadata block at line {line} does not follow a paper, so it was ignored."
W_DUPLICATE = (
    'The paper "{title}" at line {line} is already listed in the {day} digest, '
    "so this second listing was skipped."
)
W_DIGEST_DATE_MISSING = (
    "No digest day in the file matches the expected digest date {date}, "
    "although the file has a digest day at line {line}."
)
W_JSON_NO_TITLE = "The JSON item at line {line} has no usable title, so it was skipped."
W_JSON_TITLE_TOO_LONG = (
    "The JSON item at line {line} has a title longer than {limit} characters, so it was skipped."
)
W_JSON_NO_DATE = (
    "The JSON item at line {line} has no usable digest date (publishedAt), so it was skipped."
)
W_JSON_BAD_PUBLISHED = (
    "The JSON item at line {line} has an unreadable paper.publishedAt, "
    "so its publication date was left empty."
)
W_ABSTRACT_TOO_LONG = (
    'The abstract of "{title}" at line {line} is longer than {limit} characters, '
    "so it was cut there."
)
W_JSON_TOO_MANY_AUTHORS = (
    "The JSON item at line {line} lists {count} authors, so only the first {limit} names were "
    "kept (the count is kept whole)."
)
W_JSON_AUTHOR_NAME_TOO_LONG = (
    "The JSON item at line {line} has author names longer than {limit} characters, "
    "so they were cut there."
)
# The source's own figures and links (json_fields.py); {field} is the key as the file spells
# it, "paper.githubStars" for a key of the item's paper.
W_JSON_NOT_A_COUNT = (
    "The JSON item at line {line} has a {field} that is not a whole number, so it was left out."
)
W_JSON_COUNT_OUT_OF_RANGE = (
    "The JSON item at line {line} has a {field} outside 0 to {limit}, so it was left out."
)
W_JSON_NOT_TEXT = "The JSON item at line {line} has a {field} that is not text, so it was left out."
W_JSON_TEXT_TOO_LONG = (
    "The JSON item at line {line} has a {field} longer than {limit} characters, so it was left out."
)
W_JSON_TEXT_CUT = (
    "The JSON item at line {line} has a {field} longer than {limit} characters, "
    "so it was cut there."
)
W_JSON_NOT_A_URL = (
    "The JSON item at line {line} has a {field} that is not an http or https address, "
    "so it was left out."
)
W_JSON_NO_NAME = (
    "The JSON item at line {line} has a {field} without a usable name, so it was left out."
)
W_JSON_NOT_KEYWORDS = (
    "The JSON item at line {line} has a {field} that is not a list of keywords, so it was left out."
)
W_JSON_BAD_KEYWORDS = (
    "The JSON item at line {line} has {count} entries in {field} that are not text of at most "
    "{limit} characters, so they were left out."
)
W_JSON_TOO_MANY_KEYWORDS = (
    "The JSON item at line {line} lists {count} keywords in {field}, so only the first {limit} "
    "were kept."
)
# The summary of the warnings of one kind left out beyond a limit (see limits.py).
W_MORE_WARNINGS = (
    'There are {count} more warnings like "{example}" from line {line} on, '
    "left out to keep the list short."
)


class DumpFormatError(ValueError):
    """The file is not a digest dump.

    ``str(err)`` is one clear sentence for the user, ending with a full stop.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class ParseWarning:
    line: int  # 1-based line number in the file
    message: str  # one sentence
    # The W_ template the message was made from: warnings of one kind are summarized together
    # beyond a limit. Not compared: two warnings with the same line and message are equal.
    kind: str = field(default="", compare=False, repr=False)
    # A summary (W_MORE_WARNINGS) stands for this many warnings that were left out.
    omitted: int = 0


def warning(template: str, line: int, **values) -> ParseWarning:
    """The warning made from a W_ template, which may name `line` as {line}."""
    return ParseWarning(line, template.format(line=line, **values), kind=template)


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    digest_date: datetime.date
    position: int
    line: int
    title: str
    abstract: str
    arxiv_id: str | None = None
    arxiv_version: int | None = None  # the version the id was given with, if any
    authors: tuple[str, ...] = ()
    author_count: int | None = None
    published_on: datetime.date | None = None
    upvotes: int | None = None
    # What the source says of the paper beyond that (JSON only, see json_fields.py): its own
    # comment count, links, AI summary and keywords, organization and submitter.
    comments: int | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    thumbnail_url: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    organization: str | None = None
    source_submitted_by: str | None = None
    metadata: dict = field(default_factory=dict)
    title_key: str = ""  # normalize_title(title), as the parser computed it


def short(text: str, limit: int = 80) -> str:
    """A title shortened for a message."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
