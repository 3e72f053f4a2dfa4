"""Keyset ("cursor") pages: one page of an ordered list after a given row, and the opaque
cursor that names that row. Shared by the API and the web pages; no web framework here.

A list ordered by an indexed, immutable key with the id as tie-breaker is read a page at a
time after the last row of the previous page. The cursor is URL-safe base64 of the JSON array
`[kind, key, id]` of that row, where `kind` names the ordering it belongs to ("hot", "new",
"top", "day-2024-08-22", "digests", "log", ...): a cursor of one ordering is refused when sent
with another. A page reads `page_size + 1` rows to learn whether a next page exists: no
COUNT, and the cost of a page does not grow with its depth.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from config.errors import DomainError

CURSOR_PARAM = "cursor"
MSG_BAD_CURSOR = "This cursor is not valid here; start again from the first page."
MAX_ID = 2**63 - 1  # the largest id (and integer key) the database holds
# The longest cursor cursor_encode writes is about 150 characters (a thread's kind, a datetime
# key, a 19-digit id). A longer one is refused unread: JSON nested a thousand levels deep,
# which fits in 1,400 characters, would exhaust Python's recursion before any check.
MAX_CURSOR_CHARS = 300


class BadCursor(DomainError):
    """A cursor this list did not make: a 400 naming the `cursor` parameter."""

    def __init__(self) -> None:
        super().__init__(
            MSG_BAD_CURSOR, code="invalid", extra={"fields": {CURSOR_PARAM: [MSG_BAD_CURSOR]}}
        )


def cursor_encode(kind: str, key: Any, pk: int) -> str:
    if isinstance(key, datetime.datetime | datetime.date):
        key = key.isoformat()
    raw = json.dumps([kind, key, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str, kind: str, parse_key: Callable[[Any], Any]) -> tuple[Any, int]:
    """(key, id) of a cursor made by cursor_encode for `kind`; BadCursor otherwise."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise BadCursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        got_kind, key, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if got_kind != kind or isinstance(pk, bool) or not isinstance(pk, int):
            raise ValueError(kind)
        if not 0 < pk <= MAX_ID:
            raise ValueError(pk)
        return parse_key(key), pk
    except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error, UnicodeError):
        raise BadCursor() from None


def parse_id(text: str | None) -> int | None:
    """The id a form or address field names (ASCII digits, 1 to MAX_ID), or None for any
    other text: what a page answers 404 or 400 to, never a 500 (Python's int() takes "²"
    and other digits, a number past the database's integers, and raises past 4,300
    digits)."""
    return parse_whole(text, maximum=MAX_ID, minimum=1)


def parse_whole(text: str | None, *, maximum: int, minimum: int = 0) -> int | None:
    """A whole number typed in a field (ASCII digits) between `minimum` and `maximum`, or
    None."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def parse_float(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(value)
    return float(value)


def parse_int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_ID:
        raise ValueError(value)
    return value


def parse_date(value) -> datetime.date:
    return datetime.date.fromisoformat(value)


def parse_datetime(value) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(value)
    parsed.astimezone(datetime.UTC)  # OverflowError beyond the years 1 to 9999 in UTC
    return parsed


def nullable(parse_key: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """parse_key for an ordering whose key may be NULL (a cursor's key is then null)."""
    return lambda value: None if value is None else parse_key(value)


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None  # None on the last page


def keyset_page(
    queryset,
    *,
    kind: str,
    page_size: int,
    cursor: str | None,
    key_of: Callable[[Any], Any],
    parse_key: Callable[[Any], Any],
    after: Callable[[Any, Any, int], Any],
    pk_of: Callable[[Any], int] = lambda row: row.pk,
) -> KeysetPage:
    """One page of `queryset` (already ordered by its key, then id) after `cursor`.

    `key_of(row)` reads a row's key; `after(queryset, key, pk)` keeps the rows after the
    row (key, pk) in the queryset's order. One query (plus the queryset's prefetches)."""
    if cursor:
        key, pk = cursor_decode(cursor, kind, parse_key)
        queryset = after(queryset, key, pk)
    rows = list(queryset[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last = rows[-1]
        next_cursor = cursor_encode(kind, key_of(last), pk_of(last))
    return KeysetPage(rows=rows, next_cursor=next_cursor)
