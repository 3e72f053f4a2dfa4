"""The version of what lists of papers show, for caches shared between readers.

A list page (a feed, a digest day, a tag, a search) is the same for every reader but for the
reader's own marks on it (their vote, read, not interested), so signed-in readers can share
its rows (frontend's list pages keep them a few seconds in the Django cache) if a write that
changes what a list shows is seen at once: a vote's count, a comment's count, a tag, a
paper published, hidden or edited, a dump ingested, search indexed. Such writes call
`listings_changed`, which moves the LISTINGS_GENERATION counter (config.generations) on now
and again once their transaction has committed; the shared rows are kept under its value,
so none read before the write is served after it.
"""

from __future__ import annotations

from config.generations import generation_bump_on_commit, generations_get

LISTINGS_GENERATION = "listings"


def listing_version() -> int:
    return generations_get(LISTINGS_GENERATION)[LISTINGS_GENERATION]


def listings_changed() -> None:
    """Move the version on now, so that what this transaction reads next is read again, and
    once more when it commits, so that rows read by others while it committed are not kept
    either."""
    generation_bump_on_commit(LISTINGS_GENERATION)
