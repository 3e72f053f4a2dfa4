"""Generation counters in the Django cache: a number that writers bump when what a cache
entry was made from changes, and that readers put in the entry's key. Bumping never deletes
anything: entries of an older generation are no longer asked for and expire.

Shared by every process when the cache is (Redis, production); with the embedded default's
in-process cache a bump reaches only the process that made it, which is the one process that
serves pages and runs the tasks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

KEY_PREFIX = "generation:"

T = TypeVar("T")


def _key(name: str) -> str:
    return KEY_PREFIX + name


def _fresh() -> int:
    # A counter lost (evicted, Redis restarted) starts again from the clock, never from a
    # number whose entries may still be kept.
    return time.time_ns()


def generations_get(*names: str) -> dict[str, int]:
    """The current value of each counter, in one round trip to the cache."""
    keys = {_key(name): name for name in names}
    found = cache.get_many(list(keys))
    values = {keys[key]: value for key, value in found.items()}
    for name in names:
        if name not in values:
            start = _fresh()
            cache.add(_key(name), start, timeout=None)
            values[name] = cache.get(_key(name), start)
    return values


def generation_bump(name: str) -> None:
    """Move counter `name` on: entries keyed by its former value are not read again."""
    try:
        cache.incr(_key(name))
    except ValueError:  # not there: any fresh value is new
        cache.set(_key(name), _fresh(), timeout=None)


def generation_bump_on_commit(name: str) -> None:
    """Bump counter `name` now and again once the current transaction commits: now, so that
    reads in this transaction see its writes; again, as a reader of another transaction may
    have kept the rows from before the commit under the number of the first bump."""
    generation_bump(name)
    transaction.on_commit(partial(generation_bump, name), robust=True)


def generation_kept(key: str, build: Callable[[], T], seconds: int) -> T:
    """`build()`'s value kept in the cache under `key` (which carries the generations it was
    made under) for `seconds` at most; a kept None, empty or false value counts as kept."""
    kept = cache.get(key)
    if kept is not None:
        return kept[0]
    value = build()
    cache.set(key, (value,), seconds)
    return value
