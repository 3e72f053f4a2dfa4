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

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from config.generations import generation_bump_on_commit, generation_kept, generations_get

LISTINGS_GENERATION = "listings"
# How long a shared value is kept at most: it bounds only a change the writes do not say (one
# made in the database by hand); a write says it, and moves the version on.
SHARED_SECONDS = 5
SHARED_PREFIX = "listings:shared:v1:"

T = TypeVar("T")


def listing_version() -> int:
    return generations_get(LISTINGS_GENERATION)[LISTINGS_GENERATION]


def listings_changed() -> None:
    """Move the version on now, so that what this transaction reads next is read again, and
    once more when it commits, so that rows read by others while it committed are not kept
    either."""
    generation_bump_on_commit(LISTINGS_GENERATION)


def listing_shared(
    name: str, parts: object, build: Callable[[], T], *, version: int | None = None
) -> T:
    """`build()`'s value, kept SHARED_SECONDS for every reader under the listing version (the
    current one unless given) and `name` and `parts` (a JSON-able description of what it
    depends on). The value must not depend on who reads: build it for no one."""
    version = listing_version() if version is None else version
    raw = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    key = f"{SHARED_PREFIX}{version}:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"
    return generation_kept(key, build, SHARED_SECONDS)
