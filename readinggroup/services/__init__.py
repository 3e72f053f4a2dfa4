"""Every write of the reading group. Import from here: `from readinggroup.services import
session_create`.

Each service checks the actor's role and the session's state itself and raises
config.errors.DomainError with one sentence (module constants, MSG_*), a `code` and an HTTP
`status_code`: 401 not signed in, 403 not allowed, 404 gone, 409 wrong state or duplicate,
400 invalid input (with `fields` naming the field at fault).

Who may do what:

- members: create sessions (they organize them), propose papers for an upcoming session,
  volunteer to present a paper that has no presenter, step down as its presenter, withdraw a
  paper they proposed while it is only proposed; make, rotate and revoke their calendar feed;
- a session's organizer, and moderators: edit and cancel it, confirm papers, assign or change
  presenters, remove papers, mark papers presented.

A session that has started (or was cancelled) no longer changes, except that its confirmed
papers are marked presented once it has started.
"""

from readinggroup.services._guards import (
    MSG_MANAGERS_ONLY,
    MSG_SESSION_CANCELLED,
    MSG_SESSION_STARTED,
)
from readinggroup.services.calendar_feeds import (
    calendar_feed_issue,
    calendar_feed_revoke,
)
from readinggroup.services.programme import (
    PAPER_TRANSITIONS,
    ProgrammeChange,
    session_paper_confirm,
    session_paper_mark_presented,
    session_paper_presenter_set,
    session_paper_propose,
    session_paper_remove,
    session_paper_step_down,
    session_paper_transition,
    session_paper_volunteer,
)
from readinggroup.services.sessions import (
    SessionChange,
    session_cancel,
    session_create,
    session_update,
)

__all__ = [
    "MSG_MANAGERS_ONLY",
    "MSG_SESSION_CANCELLED",
    "MSG_SESSION_STARTED",
    "PAPER_TRANSITIONS",
    "ProgrammeChange",
    "SessionChange",
    "calendar_feed_issue",
    "calendar_feed_revoke",
    "session_cancel",
    "session_create",
    "session_paper_confirm",
    "session_paper_mark_presented",
    "session_paper_presenter_set",
    "session_paper_propose",
    "session_paper_remove",
    "session_paper_step_down",
    "session_paper_transition",
    "session_paper_volunteer",
    "session_update",
]
