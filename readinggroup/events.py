"""What the reading group's services tell others about: the events notifications will use.

Two kinds for now:

- MADE_PRESENTER: a member became the presenter of a paper of a session (they volunteered,
  or the organizer or a moderator assigned them);
- SESSION_CHANGED: a session's details changed (which, in `changed`) or it was cancelled
  (`changed` is ("status",)).

Every write service of readinggroup.services returns the events it made (the `events` of its
outcome), and emits them to `session_events` (config.hooks) inside its transaction: the
inbox (notifications.apps) records them there, with the change, and handles them once it
has committed (never for a refused or rolled-back change).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from config.hooks import CommittedHook


class SessionEventKind(StrEnum):
    MADE_PRESENTER = "made_presenter"
    SESSION_CHANGED = "session_changed"


@dataclass(frozen=True)
class SessionEvent:
    kind: SessionEventKind
    session_id: int
    actor_id: int | None  # who did it
    member_id: int | None = None  # MADE_PRESENTER: the new presenter
    paper_id: int | None = None  # MADE_PRESENTER: the paper they present
    changed: tuple[str, ...] = ()  # SESSION_CHANGED: the fields that changed


# The apps above the reading group listen here (they may not be imported from it).
session_events: CommittedHook[SessionEvent] = CommittedHook("readinggroup.session_events")
