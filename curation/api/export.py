"""Papers for API consumers, in bulk: CSV, JSON Lines, BibTeX or RIS, with the filters of
the list; and one paper's citation.

Streamed, not capped: rows are read with `.iterator(chunk_size=EXPORT_CHUNK_SIZE)` (tags
prefetched once per chunk for CSV and JSON Lines; citations read only their columns,
selectors.papers_citable) and written as they come, so memory stays flat however many
papers match. Each request counts against the read throttle like any other. Citations are
written by curation.citations.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return) are prefixed with an apostrophe (OWASP's advice on CSV injection). JSON
Lines carry the strings as they are.
"""

from __future__ import annotations

import csv
import json

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from config.api.schema import E400, E403, E404, E429
from curation import citations
from curation.api import serializers as s
from curation.api.papers import MSG_PAPER_NOT_FOUND, filters_from
from curation.selectors import paper_citable, papers_citable, papers_list

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
    # What the source says of it, apart from the team's own figures.
    "arxiv_version",
    "source_upvotes",
    "source_comment_count",
    "github_repo",
    "github_stars",
    "project_page",
    "organization",
    "ai_keywords",
]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    **citations.CONTENT_TYPES,
}
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", **citations.EXTENSIONS}
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
        "arxiv_version": paper.arxiv_version,
        "source_upvotes": paper.upvotes,
        "source_comment_count": paper.source_comment_count,
        "github_repo": paper.github_repo or None,
        "github_stars": paper.github_stars,
        "project_page": paper.project_page or None,
        "organization": paper.organization or None,
        "ai_keywords": list(paper.ai_keywords or []),
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


def _media_type(content_type: str) -> str:
    return content_type.split(";")[0]


CITATION_RESPONSES = {
    (200, _media_type(citations.BIBTEX_CONTENT_TYPE)): OpenApiResponse(
        OpenApiTypes.STR, description="BibTeX, UTF-8: one `@misc` entry per paper."
    ),
    (200, _media_type(citations.RIS_CONTENT_TYPE)): OpenApiResponse(
        OpenApiTypes.STR, description="RIS, UTF-8, lines ending in CR LF: one record per paper."
    ),
}
CITATIONS_DESCRIPTION = (
    "BibTeX entries are `@misc`, keyed `<family name><year><first title word>:<arXiv id or "
    "paper<id>>` (ASCII, unique to the paper), authors in order (“Last, First” where a name "
    "splits cleanly, else the name as given in braces), `eprint`, `archivePrefix` and `url` "
    "when the arXiv id is known, year and month of publication (else of the first digest "
    "day), every special character escaped. RIS records are `JOUR` with an arXiv id, else "
    "`GEN`: `AU` per author, `TI`, `PY`, `DA`, `AB`, `UR`, `ER`."
)


class PaperExportView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FormatIsOurs

    @extend_schema(
        tags=["papers"],
        summary="Export papers (CSV, JSON Lines, BibTeX or RIS)",
        description="Every paper the list would show with the same filters (every match of "
        "a search), in one streamed file (not capped, not paginated). CSV and JSON Lines "
        "columns: " + ", ".join(COLUMNS) + ". "
        "In CSV, authors and tags are joined with “; ” and cells that a spreadsheet would "
        "run as a formula are prefixed with an apostrophe.\n\n" + CITATIONS_DESCRIPTION,
        parameters=[s.PaperExportInputSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, a header."),
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR, description="One JSON object per line."
            ),
            **CITATION_RESPONSES,
            400: E400,
            403: E403,
            429: E429,
        },
    )
    def get(self, request):
        params = s.PaperExportInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        fmt = data["format"]
        if fmt in s.CITATION_FORMATS:
            papers = papers_citable(viewer=request.user, **filters_from(data))
            rows = papers.iterator(chunk_size=EXPORT_CHUNK_SIZE)
            lines = citations.citations(rows, fmt=fmt)
        else:
            papers = papers_list(viewer=request.user, every_match=True, **filters_from(data))
            rows = papers.iterator(chunk_size=EXPORT_CHUNK_SIZE)
            lines = csv_lines(rows, request) if fmt == "csv" else jsonl_lines(rows, request)
        response = StreamingHttpResponse(lines, content_type=CONTENT_TYPES[fmt])
        stamp = timezone.localdate().isoformat()
        name = f"papers-{stamp}.{EXTENSIONS[fmt]}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class PaperCitationView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FormatIsOurs

    @extend_schema(
        tags=["papers"],
        summary="One paper's citation (BibTeX or RIS)",
        description="The paper's citation, as in the export. " + CITATIONS_DESCRIPTION,
        parameters=[s.PaperCitationInputSerializer],
        responses={**CITATION_RESPONSES, 400: E400, 404: E404, 429: E429},
    )
    def get(self, request, pk: int):
        params = s.PaperCitationInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        fmt = params.validated_data["format"]
        paper = paper_citable(pk=pk, viewer=request.user)
        if paper is None:
            raise NotFound(MSG_PAPER_NOT_FOUND)
        response = HttpResponse(citations.citation(paper, fmt=fmt), content_type=CONTENT_TYPES[fmt])
        name = f"{citations.file_stem(paper)}.{EXTENSIONS[fmt]}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
