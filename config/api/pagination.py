"""Pagination of the curation API.

Feeds (papers, the digest-day view, digests, the moderation log) use keyset ("cursor")
pagination on an indexed, immutable ordering key with the id as tie-breaker. The cursor is
opaque to clients: URL-safe base64 of the JSON array `[kind, key, id]` of the last row of the
page, where `kind` names the ordering it belongs to ("hot", "new", "top", "day", "digests",
"log", ...), so a cursor of one ordering is refused (400) when sent with another. A page
reads `page_size + 1` rows to learn whether a next page exists: no COUNT, and the cost of a
page does not grow with its depth.

Lists whose order has no stable key use page numbers instead: search results (a rank is not
unique and changes as papers are indexed) and the tag vocabulary (ordered by name, which
a rename changes).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
CURSOR_PARAM = "cursor"
PAGE_SIZE_PARAM = "page_size"

MSG_BAD_CURSOR = "This cursor is not valid here; start again from the first page."
MAX_ID = 2**63 - 1  # the largest id (and integer key) the database holds


def cursor_encode(kind: str, key: Any, pk: int) -> str:
    if isinstance(key, datetime.datetime | datetime.date):
        key = key.isoformat()
    raw = json.dumps([kind, key, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str, kind: str, parse_key: Callable[[Any], Any]) -> tuple[Any, int]:
    """(key, id) of a cursor made by cursor_encode for `kind`; ValidationError otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        got_kind, key, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if got_kind != kind or isinstance(pk, bool) or not isinstance(pk, int):
            raise ValueError(kind)
        if not 0 < pk <= MAX_ID:
            raise ValueError(pk)
        return parse_key(key), pk
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeError):
        raise ValidationError({CURSOR_PARAM: [MSG_BAD_CURSOR]}) from None


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


class PageSizeInputSerializer(serializers.Serializer):
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        default=DEFAULT_PAGE_SIZE,
        help_text=f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
    )


class CursorInputSerializer(PageSizeInputSerializer):
    cursor = serializers.CharField(
        required=False,
        max_length=500,
        help_text="Opaque: the `next` link of the previous page carries it.",
    )


@dataclass
class CursorPage:
    rows: list
    next_url: str | None


def cursor_paginate(
    queryset,
    *,
    request,
    kind: str,
    page_size: int,
    cursor: str | None,
    key_of: Callable[[Any], Any],
    parse_key: Callable[[Any], Any],
    after: Callable[[Any, Any, int], Any],
    pk_of: Callable[[Any], int] = lambda row: row.pk,
) -> CursorPage:
    """One page of `queryset` (already ordered by its key, then id) after `cursor`.

    `key_of(row)` reads a row's key; `after(queryset, key, pk)` keeps the rows after the
    row (key, pk) in the queryset's order. One query (plus the queryset's prefetches)."""
    if cursor:
        key, pk = cursor_decode(cursor, kind, parse_key)
        queryset = after(queryset, key, pk)
    rows = list(queryset[: page_size + 1])
    next_url = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last = rows[-1]
        url = request.build_absolute_uri()
        next_url = replace_query_param(
            url, CURSOR_PARAM, cursor_encode(kind, key_of(last), pk_of(last))
        )
    return CursorPage(rows=rows, next_url=next_url)


class CursorPageOutputSerializer(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True, help_text="The next page, or null on the last one."
    )


def cursor_page_serializer(name: str, item: type[serializers.Serializer], **fields):
    """An output serializer {next, results: [item], **fields} for the schema and answers."""
    attrs = {"results": item(many=True), **fields}
    return type(name, (CursorPageOutputSerializer,), attrs)


class NumberedPagination(PageNumberPagination):
    """Page numbers (?page=N), for lists without a stable cursor key (see the module doc)."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        # A bad page_size is a 400 in the API's shape, not a silent default.
        data = PageSizeInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        return data.validated_data[PAGE_SIZE_PARAM]


class SearchPagination(NumberedPagination):
    """Numbered pages without a count (search results).

    A page reads `page_size + 1` rows at its offset to learn whether a next page exists. No
    COUNT: counting the matches reads every one of them from the table, several times what
    the page costs when the RUM index hands the best rows over in order
    (curation.selectors.papers_search). Pages stop at `cap` rows (the number of matches
    ranked). One query for the page."""

    def __init__(self, *, cap: int) -> None:
        self.cap = cap

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param) or 1
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message=""))
        offset = (number - 1) * page_size
        end = min(offset + page_size, self.cap)
        rows = list(queryset[offset : end + 1]) if offset < self.cap else []
        if not rows and number > 1:
            raise NotFound(
                self.invalid_page_message.format(page_number=raw, message="That page is empty.")
            )
        self.has_next = len(rows) > end - offset and end < self.cap
        self.number = number
        self.page_size = page_size
        return rows[: end - offset]

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)


class NumberedPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


def numbered_page_serializer(name: str, item: type[serializers.Serializer]):
    return type(name, (NumberedPageOutputSerializer,), {"results": item(many=True)})


def without_params(url: str, names: Sequence[str]) -> str:
    for name in names:
        url = remove_query_param(url, name)
    return url
