"""The version of what lists of papers show, for caches shared between readers.

A list page (a feed, a digest day, a tag, a search) is the same for every reader but for the
reader's own marks on it (their vote, read, not interested), so signed-in readers can share
its rows (frontend's list pages keep them a few seconds in the Django cache) if a write that
changes what a list shows is seen at once: a vote's count, a comment's count, a tag, a
paper published, hidden or edited, a dump ingested, search indexed. Such writes call
`listings_changed`, which moves this version on once their transaction has committed; the
shared rows are kept under the version, so none read before the write is served after it.

Moved on when the write is made and again after its commit: a reader who read the version
while the write was committing may keep rows without it, but under a version that nobody
asks for any more. The version lives in the cache itself (one counter, `incr` is atomic in Redis and
in the per-process memory cache); if it is evicted it starts again from the clock, above any
value it held.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

KEY = "papers:listing-version"


def listing_version() -> int:
    version = cache.get(KEY)
    if version is None:
        cache.add(KEY, time.time_ns())
        version = cache.get(KEY, 0)
    return int(version)


def _bump() -> None:
    try:
        cache.incr(KEY)
    except ValueError:  # not there (evicted, or never read): start from the clock
        cache.add(KEY, time.time_ns())


def listings_changed() -> None:
    """Move the version on now, so that what this transaction reads next is read again, and
    once more when it commits (at once outside a transaction), so that rows read by others
    while it committed are not kept either."""
    _bump()
    transaction.on_commit(_bump, robust=True)
