"""Checks and bookkeeping shared by the reading group's services."""

from __future__ import annotations

import datetime

from accounts.roles import Viewer, require_member
from config.errors import DomainError
from config.generations import generation_bump_on_commit
from readinggroup.events import SessionEvent, session_events
from readinggroup.models import ReadingSession
from readinggroup.permissions import can_manage_session
from readinggroup.selectors import SESSIONS_GENERATION

MSG_MANAGERS_ONLY = "Only the session's organizer or a moderator can do this."
MSG_SESSION_GONE = "This session is not here any more."
MSG_SESSION_CANCELLED = "This session is cancelled: it does not change any more."
MSG_SESSION_STARTED = (
    "This session has started: the only change left is marking its papers presented."
)


def invalid(field: str, message: str, *, code: str = "invalid") -> DomainError:
    """A 400 naming the field at fault, in the shape of a serializer's validation error."""
    return DomainError(message, code=code, extra={"fields": {field: [message]}})


def session_locked(session: ReadingSession) -> ReadingSession:
    """The session's row, locked for this transaction: every change of a session or its papers
    takes it, so two of them never interleave (no paper twice, one SEQUENCE per change)."""
    locked = ReadingSession.objects.select_for_update().filter(pk=session.pk).first()
    if locked is None:
        raise DomainError(MSG_SESSION_GONE, code="not_found", status_code=404)
    return locked


def require_manager(session: ReadingSession, actor: Viewer) -> None:
    actor = require_member(actor)
    if not can_manage_session(actor, session):
        raise DomainError(MSG_MANAGERS_ONLY, code="permission_denied", status_code=403)


def require_not_cancelled(session: ReadingSession) -> None:
    if session.is_cancelled:
        raise DomainError(MSG_SESSION_CANCELLED, code="cancelled", status_code=409)


def require_upcoming(session: ReadingSession, now: datetime.datetime) -> None:
    """Refuse any change but "presented" once the session has started, or was cancelled."""
    require_not_cancelled(session)
    if session.starts_at <= now:
        raise DomainError(MSG_SESSION_STARTED, code="started", status_code=409)


def session_touch(
    session: ReadingSession, now: datetime.datetime, *, fields: tuple[str, ...] = ()
) -> None:
    """Save a change of the session (its `fields`) or of its papers: the calendar feed's
    SEQUENCE goes up and its DTSTAMP moves, so calendars take the new version. The caller
    holds the row lock."""
    session.sequence += 1
    session.updated_at = now
    session.save(update_fields=[*fields, "sequence", "updated_at"])
    sessions_changed()


def sessions_changed() -> None:
    """What pages show of the sessions changed: the copies shared under the sessions'
    generation (readinggroup.selectors.SESSIONS_GENERATION) are read again, now and once
    this transaction commits."""
    generation_bump_on_commit(SESSIONS_GENERATION)


def events_emit(events: tuple[SessionEvent, ...]) -> None:
    """Hand the events to the hook (events.py), inside this transaction: its recorders keep
    them with the change, its listeners hear of them once it commits."""
    session_events.emit(events)
