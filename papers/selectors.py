"""Every non-trivial read of the papers app, shared by the API, the admin and the commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.core.cache import cache
from django.db.models import Count, QuerySet

from papers.models import Digest, Dump, DumpStatus, PaperSearch
from papers.services.dumps import progress_key

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def dump_progress(dump: Dump) -> tuple[int, int]:
    """(done, total) of a dump's ingestion, in the unit dump_ingest counts (bytes of the file).

    While the dump is processing, the live figure is in the cache (the ingestion writes it
    inside a transaction nobody else can see); otherwise, or before the first figure is
    cached, the figure stored on the row.
    """
    if dump.status == DumpStatus.PROCESSING:
        live = cache.get(progress_key(dump.pk))
        if live is not None:
            done, total = live
            return int(done), int(total)
    return dump.progress_done, dump.progress_total


def progress_percent(*, done: int, total: int, status: str) -> int:
    """Whole percent of the ingestion; a finished dump is at 100 even with nothing to count."""
    if total:
        return min(100, done * 100 // total)
    return 100 if status == DumpStatus.DONE else 0


def dumps_list() -> QuerySet[Dump]:
    """Dumps, newest first, ready to be shown in a list.

    Each row shows its uploader's name and the digest days it touched: the uploader is one
    join, the digests one extra query for the whole page, so a page costs the same number of
    queries whatever its size.
    """
    return Dump.objects.select_related("uploaded_by").prefetch_related("digests")


def dump_choices(*, limit: int = 20) -> list[dict[str, Any]]:
    """The newest dumps as {"id", "original_name", "uploaded_at"}: a filter's choices, one query."""
    dumps = Dump.objects.order_by("-uploaded_at", "-id")
    return [dict(row) for row in dumps.values("id", "original_name", "uploaded_at")[:limit]]


def dump_get(*, pk: int) -> Dump | None:
    return dumps_list().filter(pk=pk).first()


class DigestCounts(TypedDict):
    entry_count: int


def digests_list() -> QuerySet[WithAnnotations[Digest, DigestCounts]]:
    """Digest days with `entry_count` and their dumps (one query for the dumps of a page)."""
    return Digest.objects.annotate(entry_count=Count("entries")).prefetch_related("dumps")


def paper_search_error(*, paper_id: int) -> str | None:
    """Where a paper stands in the search index: None while it waits to be indexed, else
    why it could not be indexed ("" when it was; papers.services.search_index)."""
    return PaperSearch.objects.filter(paper_id=paper_id).values_list("error", flat=True).first()
