"""Telling the apps above papers that papers were written.

Apps above this one (the recommendations, which give every new paper a vector and its
related papers) have work to do once papers arrive, change or are published; papers may not
import them (the layers, pyproject.toml). So the writers call `papers_changed_schedule`, which
sends the Celery tasks named (by their dotted paths) in settings.PAPERS_CHANGED_TASKS once the
transaction commits: the wiring is in the settings, where a reader finds it, and each task is
re-runnable and finds its own work (what waits), so a task sent twice, or lost, costs nothing
(its beat entry sends it again).

Caches of what papers show (recommendations.selectors: a paper's related papers) key their
entries by the PAPERS_GENERATION counter (config.generations), which every such write bumps
when it commits, `papers_changed_schedule` and `papers_states_changed` alike: a paper hidden
or deleted is out of every cached list at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from config.generations import generation_bump_on_commit
from papers.listing_version import listings_changed

logger = logging.getLogger(__name__)

PAPERS_GENERATION = "papers"


def papers_states_changed() -> None:
    """Papers' states (published, hidden...) or what they show changed, or papers were
    deleted, in the current transaction: bump PAPERS_GENERATION (now and on commit)."""
    generation_bump_on_commit(PAPERS_GENERATION)


def papers_changed_schedule() -> None:
    """Send the tasks of PAPERS_CHANGED_TASKS once the current transaction commits (and
    bump PAPERS_GENERATION and the lists' shared version, papers.listing_version)."""
    papers_states_changed()
    listings_changed()
    if not settings.PAPERS_CHANGED_TASKS:
        return
    batch = _batch.get()
    if batch is None:
        transaction.on_commit(_send_changed_tasks, robust=True)
    else:
        batch.append(True)  # papers_changed_batched sends them once, when it ends


_batch: ContextVar[list[bool] | None] = ContextVar("papers_changed_batch", default=None)


@contextmanager
def papers_changed_batched() -> Iterator[None]:
    """A block of writes that each commit on their own (a moderator's bulk move: a
    transaction per paper): within it, papers_changed_schedule sends PAPERS_CHANGED_TASKS
    once, when the block ends, if any write in it asked for them; not once per transaction
    (500 papers published at once were 1,000 tasks, 998 of them finding nothing left to do).
    The counters are still bumped by each write. Sent at once outside a transaction, and
    when it commits inside one; a write of the block rolled back alone costs at most one
    task with nothing to do (each finds its own work)."""
    batch: list[bool] = []
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
        if batch:
            transaction.on_commit(_send_changed_tasks, robust=True)


def _send_changed_tasks() -> None:
    for name in settings.PAPERS_CHANGED_TASKS:
        try:
            # A task's name is its dotted path; imported here, since a web process has not
            # imported the tasks of every app (Celery discovers them in workers).
            import_string(name).delay()
        except Exception:  # a broker down: the task's beat entry sends it again
            logger.warning("could not send %s after papers changed", name, exc_info=True)
