"""The inbox's outbox: events of the apps below, kept from the transaction that caused them
until the inbox has handled them.

A comment, a tag put on a paper, a paper put on a team list and a new presenter each make work
for the inbox (items, webhook deliveries). The hooks' recorders (notifications.handlers) call
`pending_events_record` inside the causing transaction: a PendingEvent row per event, and,
once that commits, a task that handles them (`handle_pending_events`). If the broker was
down at that moment, or the worker died, beat's sweep handles every row older than
`PENDING_EVENT_GRACE` (`pending_events_sweep`): a committed event is never lost.

Handling one is one transaction: the work and the row's delete commit together, the row
locked (skipped by a second handler on PostgreSQL). The services it calls record an item
once per event and recipient, and a webhook delivery once per event and webhook, so an
event handled twice (SQLite has no row locks) adds nothing. One whose handling fails on an
error that is not transient is tried again by the sweep, up to `PENDING_EVENT_MAX_ATTEMPTS`
times, then kept (and logged) for a person to look at.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import PendingEvent
from notifications.services.events import comment_notify, paper_tagged_notify, presenter_notify
from notifications.services.webhooks import webhooks_list_paper_added
from papers.services import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)

PENDING_EVENT_MAX_ATTEMPTS = 5
SWEEP_BATCH = 500


def _comment(*, comment_id: int, edited: bool = False) -> int:
    return comment_notify(comment_id=comment_id, edited=edited)


# What each kind of event does: the service called with the row's payload.
HANDLERS: dict[str, Callable[..., int]] = {
    "comment": _comment,
    "paper_tagged": paper_tagged_notify,
    "list_paper_added": webhooks_list_paper_added,
    "made_presenter": presenter_notify,
}


def pending_events_record(events: Sequence[tuple[str, dict[str, Any]]]) -> list[int]:
    """Keep `events` ((kind, payload) pairs) in the current transaction, and have them
    handled once it commits (a task; the sweep if it cannot be sent). Their ids."""
    for kind, _ in events:
        if kind not in HANDLERS:
            raise ValueError(f"no handler for pending events of kind {kind!r}")
    rows = PendingEvent.objects.bulk_create(
        PendingEvent(kind=kind, payload=payload) for kind, payload in events
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: _send(ids), robust=True)
    return ids


def _send(ids: list[int]) -> None:
    from notifications.tasks import handle_pending_events

    try:
        handle_pending_events.delay(ids)
    except Exception:
        # The rows wait for the sweep (beat): the event is kept, not lost.
        logger.warning("pending events %s wait for the sweep: their task was not sent", ids)


def pending_event_handle(pk: int) -> bool:
    """Handle pending event `pk`: its service called and its row deleted in one transaction.
    False when another handler has it or it is gone (handled already). A transient error
    (the database) is raised for the task to retry; any other is counted and logged, and
    the row left to the sweep."""
    try:
        with transaction.atomic():
            row = PendingEvent.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:
                return False
            HANDLERS[row.kind](**row.payload)
            row.delete()
            return True
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        PendingEvent.objects.filter(pk=pk).update(attempts=F("attempts") + 1)
        logger.exception("pending event %s failed; the sweep will try it again", pk)
        return False


def pending_events_handle(ids: Iterable[int]) -> int:
    """Handle each of `ids` (pending_event_handle); how many this call handled."""
    return sum(pending_event_handle(pk) for pk in ids)


def pending_events_due(*, now: datetime.datetime | None = None) -> list[int]:
    """The pending events older than the grace (their task lost, or failed), oldest first,
    those that failed too often left out."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.PENDING_EVENT_GRACE_SECONDS)
    return list(
        PendingEvent.objects.filter(created_at__lt=cutoff, attempts__lt=PENDING_EVENT_MAX_ATTEMPTS)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def pending_events_sweep(*, now: datetime.datetime | None = None) -> int:
    """Handle the pending events whose task was lost (beat); how many were handled."""
    return pending_events_handle(pending_events_due(now=now))
