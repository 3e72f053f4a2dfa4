"""The inbox's listeners on the hooks of the apps below (registered in apps.py): each event
becomes a task, sent after the write committed, so the request that caused it neither
waits for the inbox nor fails with it (config.hooks logs a task that could not be sent)."""

from __future__ import annotations

from collections.abc import Sequence

from curation.events import CurationEvent, CurationEventKind
from lists.events import ListEvent, ListEventKind
from notifications import tasks
from readinggroup.events import SessionEvent, SessionEventKind


def curation_events_committed(events: Sequence[CurationEvent]) -> None:
    for event in events:
        if event.kind in (CurationEventKind.COMMENT_POSTED, CurationEventKind.COMMENT_EDITED):
            edited = event.kind == CurationEventKind.COMMENT_EDITED
            tasks.notify_comment.delay(event.comment_id, edited)
        elif event.kind == CurationEventKind.PAPER_TAGGED:
            tasks.notify_paper_tagged.delay(event.paper_id, event.tag_id, event.actor_id)


def list_events_committed(events: Sequence[ListEvent]) -> None:
    for event in events:
        if event.kind == ListEventKind.PAPER_ADDED and event.item_id is not None:
            tasks.notify_list_paper_added.delay(event.item_id)


def session_events_committed(events: Sequence[SessionEvent]) -> None:
    for event in events:
        # SESSION_CHANGED makes no item (yet): members learn of changes from the session's
        # page and their calendar feed.
        if event.kind == SessionEventKind.MADE_PRESENTER and event.member_id is not None:
            tasks.notify_presenter.delay(
                event.session_id, event.paper_id, event.member_id, event.actor_id
            )
