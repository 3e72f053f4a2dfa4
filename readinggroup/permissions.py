"""Who may see and manage sessions: the predicates the services enforce and the pages use to
choose which forms to show (one rule, one place)."""

from __future__ import annotations

from typing import TypeGuard

from django.contrib.auth.models import User

from accounts.roles import Viewer, is_member, is_moderator
from readinggroup.models import ReadingSession, SessionPaper, SessionPaperStatus


def can_see_sessions(viewer: Viewer) -> TypeGuard[User]:
    """Sessions are the team's: members see them all, anonymous readers none (a video link
    is not for the whole web)."""
    return is_member(viewer)


def can_manage_session(viewer: Viewer, session: ReadingSession) -> bool:
    """Its organizer and moderators edit and cancel a session and manage its papers."""
    return is_moderator(viewer) or (is_member(viewer) and session.organizer_id == viewer.pk)


def can_withdraw_paper(viewer: Viewer, session_paper: SessionPaper) -> bool:
    """Besides the managers, the member who proposed a paper may take it back while it is only
    proposed."""
    return (
        is_member(viewer)
        and session_paper.proposed_by_id == viewer.pk
        and session_paper.status == SessionPaperStatus.PROPOSED
    )


# What the pages offer each reader: the services' rules, read from the same predicates (the
# services still check everything themselves).
ACTION_EDIT = "edit"
ACTION_CANCEL = "cancel"
ACTION_PROPOSE = "propose"
ACTION_VOLUNTEER = "volunteer"
ACTION_STEP_DOWN = "step_down"
ACTION_CONFIRM = "confirm"
ACTION_PRESENTER = "presenter"
ACTION_PRESENTED = "presented"
ACTION_REMOVE = "remove"


def session_actions(viewer: Viewer, session: ReadingSession, now) -> frozenset[str]:
    """What `viewer` may do to the session itself at `now`."""
    if not can_see_sessions(viewer) or session.is_cancelled or session.starts_at <= now:
        return frozenset()
    actions = {ACTION_PROPOSE}
    if can_manage_session(viewer, session):
        actions |= {ACTION_EDIT, ACTION_CANCEL}
    return frozenset(actions)


def programme_actions(
    viewer: Viewer, session: ReadingSession, row: SessionPaper, now
) -> frozenset[str]:
    """What `viewer` may do to one paper of the session's programme at `now`."""
    if not can_see_sessions(viewer) or session.is_cancelled:
        return frozenset()
    manager = can_manage_session(viewer, session)
    if session.starts_at <= now:
        started = manager and row.status == SessionPaperStatus.CONFIRMED
        return frozenset({ACTION_PRESENTED} if started else ())
    actions = set()
    if row.presenter_id is None:
        actions.add(ACTION_VOLUNTEER)
    elif row.presenter_id == viewer.pk:
        actions.add(ACTION_STEP_DOWN)
    if manager:
        actions |= {ACTION_PRESENTER, ACTION_REMOVE}
        if row.status == SessionPaperStatus.PROPOSED:
            actions.add(ACTION_CONFIRM)
    elif can_withdraw_paper(viewer, row):
        actions.add(ACTION_REMOVE)
    return frozenset(actions)
