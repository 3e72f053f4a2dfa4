"""Papers for API consumers, in bulk: CSV or JSON Lines, with the filters of the list.

Streamed, not capped: rows are read with `.iterator(chunk_size=EXPORT_CHUNK_SIZE)` (tags
prefetched once per chunk) and written as they come, so memory stays flat however many
papers match. Each request counts against the read throttle like any other.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return) are prefixed with an apostrophe (OWASP's advice on CSV injection). JSON
Lines carry the strings as they are.
"""

from __future__ import annotations

import csv
import json

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from config.api.schema import E400, E403, E429
from curation.api import serializers as s
from curation.api.papers import filters_from
from curation.selectors import papers_list

EXPORT_CHUNK_SIZE = 500
COLUMNS = [
    "id",
    "url",
    "title",
    "arxiv_id",
    "authors",
    "published_on",
    "first_digest_on",
    "vote_count",
    "comment_count",
    "tags",
]
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FormatIsOurs(BaseContentNegotiation):
    """DRF reads `?format=` to choose a renderer; here it chooses the file format, and
    errors are always answered in JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def paper_row(paper, request) -> dict:
    return {
        "id": paper.pk,
        "url": s.paper_url(pk=paper.pk, request=request),
        "title": paper.title,
        "arxiv_id": paper.arxiv_id,
        "authors": list(paper.authors or []),
        "published_on": paper.published_on.isoformat() if paper.published_on else None,
        "first_digest_on": paper.first_digest_on.isoformat() if paper.first_digest_on else None,
        "vote_count": paper.vote_count,
        "comment_count": paper.comment_count,
        # .all() reads the tags prefetched for the chunk (selectors.with_tags).
        "tags": [pt.tag.slug for pt in paper.paper_tags.all()],
    }


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _Line:
    """csv.writer writes into this and gets the line back."""

    def write(self, value: str) -> str:
        return value


def csv_lines(papers, request):
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    for paper in papers:
        row = paper_row(paper, request)
        yield writer.writerow([csv_cell(row[column]) for column in COLUMNS])


def jsonl_lines(papers, request):
    for paper in papers:
        yield json.dumps(paper_row(paper, request), ensure_ascii=False) + "\n"


class PaperExportView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FormatIsOurs

    @extend_schema(
        tags=["papers"],
        summary="Export papers (CSV or JSON Lines)",
        description="Every paper the list would show with the same filters, in one "
        "streamed file (not capped, not paginated). Columns: " + ", ".join(COLUMNS) + ". "
        "In CSV, authors and tags are joined with “; ” and cells that a spreadsheet would "
        "run as a formula are prefixed with an apostrophe.",
        parameters=[s.PaperExportInputSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, a header."),
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR, description="One JSON object per line."
            ),
            400: E400,
            403: E403,
            429: E429,
        },
    )
    def get(self, request):
        params = s.PaperExportInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        papers = papers_list(viewer=request.user, **filters_from(data))
        rows = papers.iterator(chunk_size=EXPORT_CHUNK_SIZE)
        fmt = data["format"]
        lines = csv_lines(rows, request) if fmt == "csv" else jsonl_lines(rows, request)
        response = StreamingHttpResponse(lines, content_type=CONTENT_TYPES[fmt])
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="papers-{stamp}.{fmt}"'
        return response
