"""The inbox's recorders on the hooks of the apps below (registered in apps.py): each event
that makes work for the inbox is kept as a pending event in the transaction that caused it
(notifications.services.outbox), handled by a task once that commits, and by beat's sweep if
the task was lost. The request that caused it neither waits for the inbox nor fails with
it, and a committed event is never lost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from curation.events import CurationEvent, CurationEventKind
from lists.events import ListEvent, ListEventKind
from notifications.services.outbox import pending_events_record
from readinggroup.events import SessionEvent, SessionEventKind


def curation_events_recorded(events: Sequence[CurationEvent]) -> None:
    pending: list[tuple[str, dict[str, Any]]] = []
    for event in events:
        if event.kind in (CurationEventKind.COMMENT_POSTED, CurationEventKind.COMMENT_EDITED):
            edited = event.kind == CurationEventKind.COMMENT_EDITED
            pending.append(("comment", {"comment_id": event.comment_id, "edited": edited}))
        elif event.kind == CurationEventKind.PAPER_TAGGED:
            pending.append(
                (
                    "paper_tagged",
                    {
                        "paper_id": event.paper_id,
                        "tag_id": event.tag_id,
                        "actor_id": event.actor_id,
                    },
                )
            )
    pending_events_record(pending)


def list_events_recorded(events: Sequence[ListEvent]) -> None:
    pending_events_record(
        [
            ("list_paper_added", {"item_id": event.item_id})
            for event in events
            if event.kind == ListEventKind.PAPER_ADDED and event.item_id is not None
        ]
    )


def session_events_recorded(events: Sequence[SessionEvent]) -> None:
    # SESSION_CHANGED makes no item: members learn of changes from the session's page and
    # their calendar feed.
    pending_events_record(
        [
            (
                "made_presenter",
                {
                    "session_id": event.session_id,
                    "paper_id": event.paper_id,
                    "member_id": event.member_id,
                    "actor_id": event.actor_id,
                },
            )
            for event in events
            if event.kind == SessionEventKind.MADE_PRESENTER and event.member_id is not None
        ]
    )
