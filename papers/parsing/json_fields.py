"""The source's own figures, links and summary in a JSON item, each read and bounded.

Each value is looked for in its places, in order: the Hugging Face API is not consistent about
whether a key sits on the item or on its `paper` (the submitter is the item's `submittedBy` or
the paper's `submittedOnDailyBy`, the thumbnail is usually the item's, the links the paper's).
The first usable value is kept. A value of the wrong type or beyond its bound
(limits.MAX_SOURCE_COUNT and the others) is left out with a warning naming the key as the
file spells it ("paper.githubStars") and the item's line; an AI summary too long is cut
instead, like an abstract. null, "" and [] are simply absent. Nothing else of the item is lost.

Every field costs a few dictionary reads; only the keyword list is walked, and it is part of
the item already decoded.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from .errors import (
    W_JSON_BAD_KEYWORDS,
    W_JSON_COUNT_OUT_OF_RANGE,
    W_JSON_NO_NAME,
    W_JSON_NOT_A_COUNT,
    W_JSON_NOT_A_URL,
    W_JSON_NOT_KEYWORDS,
    W_JSON_NOT_TEXT,
    W_JSON_TEXT_CUT,
    W_JSON_TEXT_TOO_LONG,
    W_JSON_TOO_MANY_KEYWORDS,
    ParseWarning,
    warning,
)
from .limits import (
    MAX_AI_SUMMARY,
    MAX_KEYWORD,
    MAX_KEYWORDS,
    MAX_SOURCE_COUNT,
    MAX_SOURCE_NAME,
    MAX_URL,
)
from .normalize import clean_text

# What a reader makes of a value: the value to keep (None: nothing) and a warning, if any.
_Read = tuple[object, ParseWarning | None]
_Reader = Callable[[object, str, int], _Read]

_PAPER = "paper"
_ITEM = ""


def _count(value: object, field: str, line: int) -> _Read:
    # JSON has one number type: 12.0 is a whole number too. bool is an int to Python, not to us.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        return None, warning(W_JSON_NOT_A_COUNT, line, field=field)
    if not 0 <= value <= MAX_SOURCE_COUNT:
        limit = f"{MAX_SOURCE_COUNT:,}"
        return None, warning(W_JSON_COUNT_OUT_OF_RANGE, line, field=field, limit=limit)
    return value, None


def _text(limit: int, *, cut: bool = False) -> _Reader:
    def read(value: object, field: str, line: int) -> _Read:
        if not isinstance(value, str):
            return None, warning(W_JSON_NOT_TEXT, line, field=field)
        text = clean_text(value)
        if len(text) <= limit:
            return text or None, None
        if cut:
            return text[:limit].rstrip(), warning(W_JSON_TEXT_CUT, line, field=field, limit=limit)
        return None, warning(W_JSON_TEXT_TOO_LONG, line, field=field, limit=limit)

    return read


def _url(value: object, field: str, line: int) -> _Read:
    text, problem = _text(MAX_URL)(value, field, line)
    if not isinstance(text, str):
        return None, problem
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        return None, warning(W_JSON_NOT_A_URL, line, field=field)
    return text, None


_name_text = _text(MAX_SOURCE_NAME)


def _name(*keys: str) -> _Reader:
    """A name given as text, or as an object holding it under the first of `keys` present."""

    def read(value: object, field: str, line: int) -> _Read:
        if isinstance(value, dict):
            for key in keys:
                name = value.get(key)
                if isinstance(name, str) and clean_text(name):
                    return _name_text(name, field, line)
            return None, warning(W_JSON_NO_NAME, line, field=field)
        return _name_text(value, field, line)

    return read


def _keywords(value: object, field: str, line: int) -> _Read:
    if not isinstance(value, list):
        return None, warning(W_JSON_NOT_KEYWORDS, line, field=field)
    words: list[str] = []
    count = bad = 0
    for word in value:
        if not isinstance(word, str):
            bad += 1
            continue
        word = clean_text(word)
        if len(word) > MAX_KEYWORD:
            bad += 1
        elif word:
            count += 1
            if count <= MAX_KEYWORDS:
                words.append(word)
    problem = None
    if bad:
        problem = warning(W_JSON_BAD_KEYWORDS, line, field=field, count=bad, limit=MAX_KEYWORD)
    elif count > MAX_KEYWORDS:
        problem = warning(
            W_JSON_TOO_MANY_KEYWORDS, line, field=field, count=f"{count:,}", limit=MAX_KEYWORDS
        )
    return (tuple(words) or None), problem


# ParsedEntry field -> its places in the item, in order, and how its value is read.
_FIELDS: tuple[tuple[str, tuple[tuple[str, str], ...], _Reader], ...] = (
    ("upvotes", ((_PAPER, "upvotes"), (_ITEM, "upvotes")), _count),
    ("comments", ((_ITEM, "numComments"), (_PAPER, "numComments")), _count),
    ("github_repo", ((_PAPER, "githubRepo"), (_ITEM, "githubRepo")), _url),
    ("github_stars", ((_PAPER, "githubStars"), (_ITEM, "githubStars")), _count),
    ("project_page", ((_PAPER, "projectPage"), (_ITEM, "projectPage")), _url),
    ("thumbnail_url", ((_ITEM, "thumbnail"), (_PAPER, "thumbnail")), _url),
    (
        "ai_summary",
        ((_PAPER, "ai_summary"), (_ITEM, "ai_summary")),
        _text(MAX_AI_SUMMARY, cut=True),
    ),
    ("ai_keywords", ((_PAPER, "ai_keywords"), (_ITEM, "ai_keywords")), _keywords),
    (
        "organization",
        ((_PAPER, "organization"), (_ITEM, "organization")),
        _name("name", "fullname"),
    ),
    (
        "source_submitted_by",
        ((_ITEM, "submittedBy"), (_PAPER, "submittedOnDailyBy"), (_PAPER, "submittedBy")),
        _name("user", "name", "fullname"),
    ),
)


def source_fields(item: dict, paper: dict, line: int, warnings: list[ParseWarning]) -> dict:
    """The ParsedEntry fields above, read from `item` and its `paper` (a dict, {} when the
    item has none); a warning is added to `warnings` for each value left out or cut."""
    places = {_ITEM: item, _PAPER: paper}
    fields: dict = {}
    for name, keys, read in _FIELDS:
        for place, key in keys:
            raw = places[place].get(key)
            if raw is None:
                continue
            value, problem = read(raw, f"{place}.{key}" if place else key, line)
            if problem is not None:
                warnings.append(problem)
            if value is not None:
                fields[name] = value
                break
    return fields
