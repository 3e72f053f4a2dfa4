"""Pagination of the API's lists.

Feeds (papers, the digest-day view, digests, the moderation log) are keyset pages
(config.cursors): the API reads `cursor` and `page_size` (CursorInputSerializer) and answers
the page with a `next` link (next_link). Lists whose order has no stable key use page numbers
instead: search results (a rank is not unique and changes as papers are indexed) and the tag
vocabulary (ordered by name, which a rename changes).
"""

from __future__ import annotations

from collections.abc import Sequence

from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from config.cursors import CURSOR_PARAM

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
PAGE_SIZE_PARAM = "page_size"


def next_link(request, next_cursor: str | None) -> str | None:
    """This request's address with the next page's cursor, or None after the last page."""
    if next_cursor is None:
        return None
    return replace_query_param(request.build_absolute_uri(), CURSOR_PARAM, next_cursor)


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
    ranked). One query for the page; its links come from `number` and `has_next`
    (numbered_links), so a page kept for every reader links from each reader's address."""

    def __init__(self, *, cap: int) -> None:
        self.cap = cap

    def paginate_queryset(self, queryset, request, view=None):
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


def numbered_links(
    request, number: int, *, has_next: bool, param: str = "page"
) -> tuple[str | None, str | None]:
    """The `next` and `previous` links of numbered page `number` of this request's list (the
    first page's address has no page number)."""
    url = request.build_absolute_uri()
    following = replace_query_param(url, param, number + 1) if has_next else None
    if number <= 1:
        return following, None
    if number == 2:
        return following, remove_query_param(url, param)
    return following, replace_query_param(url, param, number - 1)


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
