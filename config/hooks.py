"""Telling the apps above one that something happened, once its transaction has committed.

An app may not import the apps above it (the layers, pyproject.toml), yet they have work to
do when it writes: the inbox (notifications) learns of new comments and tags from curation
and of presenters from the reading group. So such an app keeps a `CommittedHook`: its
services hand their events to it (`emit`, inside their transaction) and the apps above
`listen` from their AppConfig.ready(), where a reader of the app above finds the wiring.

Listeners are called only after the transaction commits, never for a rolled-back change,
in the thread that committed: they should be quick (send a task). One that raises is logged
and neither fails the request that committed nor keeps the other listeners from their turn.

A message sent after commit is lost if the broker is down at that moment. What must not be
lost is kept by a `recorder` instead (`record`): it is called inside the emitting
transaction, so it can write a row that commits (or rolls back) with the change itself (an
outbox, which the app above then works through and sweeps). A recorder that raises fails
the write, as any other part of its transaction would.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Generic, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)

E = TypeVar("E")


class CommittedHook(Generic[E]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Callable[[Sequence[E]], None]] = []
        self._recorders: list[Callable[[Sequence[E]], None]] = []

    def listen(self, listener: Callable[[Sequence[E]], None]) -> None:
        """Call `listener` with the events of every transaction that commits from now on
        (once, however often it is registered)."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def record(self, recorder: Callable[[Sequence[E]], None]) -> None:
        """Call `recorder` with the events of every emit from now on, inside the emitting
        transaction (once, however often it is registered)."""
        if recorder not in self._recorders:
            self._recorders.append(recorder)

    def emit(self, events: Sequence[E]) -> None:
        """Hand `events` to the recorders now (in the transaction) and to the listeners once
        the current transaction commits."""
        if not events:
            return
        events = tuple(events)
        for recorder in list(self._recorders):
            recorder(events)
        if self._listeners:
            transaction.on_commit(partial(self.deliver, events))

    def deliver(self, events: Sequence[E]) -> None:
        """Call every listener with `events` (they committed); a failing one is logged."""
        for listener in list(self._listeners):
            try:
                listener(events)
            except Exception:
                logger.exception("a listener of %s failed on %d events", self.name, len(events))
