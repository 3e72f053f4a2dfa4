"""The pages of the curation lists, for the API and the web pages alike: which key orders each
list, how a cursor is read back, and what comes after a row (config.cursors does the rest).
Each function takes the list's queryset as its selector built it and returns a KeysetPage
(rows, next_cursor); the API turns the cursor into a `next` link, the web pages into their
"Load more"."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import F, Q, QuerySet

from config.cursors import (
    BadCursor,
    KeysetPage,
    keyset_page,
    nullable,
    parse_date,
    parse_datetime,
    parse_float,
    parse_int,
)
from curation.selectors import FEED_ORDERINGS, feed_after

__all__ = [
    "BadCursor",
    "KeysetPage",
    "day_page",
    "digests_page",
    "feed_page",
    "log_page",
    "queue_page",
    "thread_page",
]

# How each feed's key is read from a row and read back from a cursor.
FEED_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "hot": ("hot_score", parse_float),
    "new": ("first_digest_on", parse_date),
    "top": ("vote_count", parse_int),
}
# Keys that are NULL for papers never published (no digest day): only moderators' status
# views list such papers.
NULLABLE_KEYS = {"hot_score", "first_digest_on"}


def feed_page(
    papers: QuerySet, *, order: str, status_view: bool, page_size: int, cursor: str | None
) -> KeysetPage:
    """A page of a feed ordered by FEED_ORDERINGS[order] (keyset on (key, id)).
    status_view: a moderator's list of papers in some state, where pending papers may have no
    digest day, so no key: they come last on every database (PostgreSQL and SQLite disagree
    by default), paged by id."""
    assert order in FEED_ORDERINGS
    field_name, parse_key = FEED_KEYS[order]
    nulls_last = status_view and field_name in NULLABLE_KEYS
    if nulls_last:
        papers = papers.order_by(F(field_name).desc(nulls_last=True), "-id")
        parse_key = nullable(parse_key)
    return keyset_page(
        papers,
        kind=order,
        page_size=page_size,
        cursor=cursor,
        key_of=lambda paper: getattr(paper, field_name),
        parse_key=parse_key,
        after=lambda qs, key, pk: feed_after(
            qs, order=order, key=key, pk=pk, nulls_last=nulls_last
        ),
    )


def day_page(
    papers: QuerySet, *, date: datetime.date, page_size: int, cursor: str | None
) -> KeysetPage:
    """A page of one digest day's papers (selectors.papers_for_digest_day), in the digest's
    order."""
    return keyset_page(
        papers,
        kind=f"day-{date.isoformat()}",
        page_size=page_size,
        cursor=cursor,
        key_of=lambda paper: paper.position,
        parse_key=parse_int,
        # position >= key in front: an index condition (see selectors.feed_after).
        after=lambda qs, key, pk: qs.filter(
            Q(position__gte=key) & (Q(position__gt=key) | Q(position=key, pk__gt=pk))
        ),
    )


def log_page(events: QuerySet, *, page_size: int, cursor: str | None) -> KeysetPage:
    """A page of the moderation log (selectors.moderation_log), newest first."""
    return keyset_page(
        events,
        kind="log",
        page_size=page_size,
        cursor=cursor,
        key_of=lambda event: event.created_at,
        parse_key=parse_datetime,
        after=lambda qs, key, pk: qs.filter(Q(created_at__lt=key) | Q(created_at=key, pk__lt=pk)),
    )


def digests_page(days: QuerySet, *, page_size: int, cursor: str | None) -> KeysetPage:
    """A page of digest days (selectors.digest_days), newest first."""
    return keyset_page(
        days,
        kind="digests",
        page_size=page_size,
        cursor=cursor,
        key_of=lambda digest: digest.date,
        parse_key=parse_date,
        after=lambda qs, key, pk: qs.filter(Q(date__lt=key) | Q(date=key, pk__lt=pk)),
    )


def queue_page(papers: QuerySet, *, page_size: int, cursor: str | None) -> KeysetPage:
    """A page of the pending papers of the moderation queue (selectors.moderation_queue),
    oldest first."""
    return keyset_page(
        papers,
        kind="queue",
        page_size=page_size,
        cursor=cursor,
        key_of=lambda paper: paper.created_at,
        parse_key=parse_datetime,
        after=lambda qs, key, pk: qs.filter(Q(created_at__gt=key) | Q(created_at=key, pk__gt=pk)),
    )


def thread_page(roots: list, *, paper_id: int, page_size: int, cursor: str | None) -> KeysetPage:
    """A page of a paper's top-level threads (selectors.comment_tree), oldest first, cut in
    memory: the whole thread is read in one query."""

    def after(nodes, key, pk):
        return [node for node in nodes if (node.comment.created_at, node.comment.pk) > (key, pk)]

    return keyset_page(
        roots,
        kind=f"thread-{paper_id}",
        page_size=page_size,
        cursor=cursor,
        key_of=lambda node: node.comment.created_at,
        pk_of=lambda node: node.comment.pk,
        parse_key=parse_datetime,
        after=after,
    )
