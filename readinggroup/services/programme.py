"""A session's programme: the papers read at it, their presenters and their states.

A paper's states, one table (PAPER_TRANSITIONS):

    proposed -> confirmed -> presented

Members propose papers (published ones they may open) for an upcoming session, and volunteer
to present one that has no presenter; the organizer or a moderator confirms a proposal, assigns
or changes its presenter, removes it, and marks confirmed papers presented once the session
has started. Nothing else changes a session that has started or was cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Viewer, is_member, require_member
from config.cursors import MAX_ID
from config.errors import DomainError
from curation.selectors import papers_visible_to
from papers.models import PaperStatus
from readinggroup.events import SessionEvent, SessionEventKind
from readinggroup.models import ReadingSession, SessionPaper, SessionPaperStatus
from readinggroup.permissions import can_manage_session, can_withdraw_paper
from readinggroup.services._guards import (
    MSG_MANAGERS_ONLY,
    events_emit,
    invalid,
    require_manager,
    require_not_cancelled,
    require_upcoming,
    session_locked,
    session_touch,
)

PAPER_TRANSITIONS: dict[str, frozenset[str]] = {
    SessionPaperStatus.PROPOSED: frozenset({SessionPaperStatus.CONFIRMED}),
    SessionPaperStatus.CONFIRMED: frozenset({SessionPaperStatus.PRESENTED}),
    SessionPaperStatus.PRESENTED: frozenset(),
}

MSG_PAPER_NOT_AVAILABLE = "Only published papers of the catalogue can be read at a session."
MSG_PAPER_TWICE = "This paper is on this session's programme already."
MSG_PAPER_GONE = "This paper is not on this session's programme any more."
MSG_TRANSITION = "A {from_state} paper cannot become {to_state}."
MSG_NOT_STARTED = "A paper is marked presented once its session has started."
MSG_HAS_PRESENTER = "This paper has a presenter already; the organizer can change presenters."
MSG_ALREADY_PRESENTER = "You present this paper already."
MSG_NOT_PRESENTER = "Only the paper's presenter can step down."
MSG_PRESENTER_NOT_MEMBER = "A presenter is a member of the site."
MSG_WITHDRAW = (
    "You can take back a paper you proposed only while it is proposed; now ask the organizer."
)


@dataclass(frozen=True)
class ProgrammeChange:
    """What a change of the programme did: the paper's row as it is now (None once removed),
    and the events it made."""

    session_paper: SessionPaper | None
    events: tuple[SessionEvent, ...] = ()


def _made_presenter(session_paper: SessionPaper, actor: User) -> SessionEvent:
    return SessionEvent(
        kind=SessionEventKind.MADE_PRESENTER,
        session_id=session_paper.session_id,
        actor_id=actor.pk,
        member_id=session_paper.presenter_id,
        paper_id=session_paper.paper_id,
    )


def _locked(session_paper: SessionPaper) -> tuple[ReadingSession, SessionPaper]:
    """The session's row (locked first, as every change of it does), then the paper's row
    as it is now: refused if it left the programme meanwhile."""
    session = session_locked(session_paper.session)
    current = SessionPaper.objects.filter(pk=session_paper.pk, session=session).first()
    if current is None:
        raise DomainError(MSG_PAPER_GONE, code="not_found", status_code=404)
    current.session = session
    return session, current


def _done(session: ReadingSession, session_paper: SessionPaper | None, events=()):
    session_touch(session, timezone.now())
    events = tuple(events)
    events_emit(events)
    return ProgrammeChange(session_paper=session_paper, events=events)


@transaction.atomic
def session_paper_propose(
    *, session: ReadingSession, paper_id: int, actor: Viewer, volunteer: bool = False
) -> ProgrammeChange:
    """A member proposes a paper for an upcoming session, and presents it if `volunteer`. The
    paper is a published one they may open (curation's papers_visible_to), on the programme
    once. A paper that is not here, not theirs to open or not published is refused with the
    same sentence: whether a hidden paper exists is not told."""
    actor = require_member(actor)
    session = session_locked(session)
    require_upcoming(session, timezone.now())
    available = papers_visible_to(actor).filter(status=PaperStatus.PUBLISHED)
    if not 0 < paper_id <= MAX_ID or not available.filter(pk=paper_id).exists():
        raise invalid("paper", MSG_PAPER_NOT_AVAILABLE)
    if SessionPaper.objects.filter(session=session, paper_id=paper_id).exists():
        raise DomainError(MSG_PAPER_TWICE, code="duplicate", status_code=409)
    try:
        with transaction.atomic():
            session_paper = SessionPaper.objects.create(
                session=session,
                paper_id=paper_id,
                proposed_by=actor,
                presenter=actor if volunteer else None,
            )
    except IntegrityError as error:  # only without the row lock (never, here): kept honest
        raise DomainError(MSG_PAPER_TWICE, code="duplicate", status_code=409) from error
    events = [_made_presenter(session_paper, actor)] if volunteer else []
    return _done(session, session_paper, events)


@transaction.atomic
def session_paper_volunteer(*, session_paper: SessionPaper, actor: Viewer) -> ProgrammeChange:
    """A member presents a paper of an upcoming session that has no presenter yet."""
    actor = require_member(actor)
    session, session_paper = _locked(session_paper)
    require_upcoming(session, timezone.now())
    if session_paper.presenter_id == actor.pk:
        raise DomainError(MSG_ALREADY_PRESENTER, code="duplicate", status_code=409)
    if session_paper.presenter_id is not None:
        raise DomainError(MSG_HAS_PRESENTER, code="has_presenter", status_code=409)
    session_paper.presenter = actor
    session_paper.save(update_fields=["presenter"])
    return _done(session, session_paper, [_made_presenter(session_paper, actor)])


@transaction.atomic
def session_paper_step_down(*, session_paper: SessionPaper, actor: Viewer) -> ProgrammeChange:
    """The presenter of a paper of an upcoming session steps down; the paper stays, with no
    presenter."""
    actor = require_member(actor)
    session, session_paper = _locked(session_paper)
    if session_paper.presenter_id != actor.pk:
        raise DomainError(MSG_NOT_PRESENTER, code="permission_denied", status_code=403)
    require_upcoming(session, timezone.now())
    session_paper.presenter = None
    session_paper.save(update_fields=["presenter"])
    return _done(session, session_paper)


@transaction.atomic
def session_paper_presenter_set(
    *, session_paper: SessionPaper, actor: Viewer, presenter
) -> ProgrammeChange:
    """The organizer or a moderator assigns, changes (or, with None, clears) the presenter
    of a paper of an upcoming session. The presenter is a member."""
    actor = require_member(actor)
    session, session_paper = _locked(session_paper)
    require_manager(session, actor)
    require_upcoming(session, timezone.now())
    if presenter is not None and not is_member(presenter):
        raise invalid("presenter", MSG_PRESENTER_NOT_MEMBER)
    new_id = presenter.pk if presenter is not None else None
    if session_paper.presenter_id == new_id:
        return ProgrammeChange(session_paper=session_paper)
    session_paper.presenter = presenter
    session_paper.save(update_fields=["presenter"])
    events = [_made_presenter(session_paper, actor)] if presenter is not None else []
    return _done(session, session_paper, events)


@transaction.atomic
def session_paper_transition(
    *, session_paper: SessionPaper, actor: Viewer, to_status: str
) -> ProgrammeChange:
    """The organizer or a moderator moves a paper along PAPER_TRANSITIONS: confirmed while the
    session is upcoming, presented once it has started (and was not cancelled)."""
    actor = require_member(actor)
    session, session_paper = _locked(session_paper)
    require_manager(session, actor)
    if to_status not in PAPER_TRANSITIONS.get(session_paper.status, frozenset()):
        raise DomainError(
            MSG_TRANSITION.format(from_state=session_paper.status, to_state=to_status),
            code="invalid_transition",
            status_code=409,
        )
    now = timezone.now()
    if to_status == SessionPaperStatus.PRESENTED:
        require_not_cancelled(session)
        if session.starts_at > now:
            raise DomainError(MSG_NOT_STARTED, code="not_started", status_code=409)
    else:
        require_upcoming(session, now)
    session_paper.status = to_status
    session_paper.save(update_fields=["status"])
    return _done(session, session_paper)


def session_paper_confirm(*, session_paper: SessionPaper, actor: User) -> ProgrammeChange:
    return session_paper_transition(
        session_paper=session_paper, actor=actor, to_status=SessionPaperStatus.CONFIRMED
    )


def session_paper_mark_presented(*, session_paper: SessionPaper, actor: User) -> ProgrammeChange:
    return session_paper_transition(
        session_paper=session_paper, actor=actor, to_status=SessionPaperStatus.PRESENTED
    )


@transaction.atomic
def session_paper_remove(*, session_paper: SessionPaper, actor: Viewer) -> ProgrammeChange:
    """The organizer or a moderator takes a paper off an upcoming session's programme; so may
    the member who proposed it, while it is only proposed."""
    actor = require_member(actor)
    session, session_paper = _locked(session_paper)
    if not (can_manage_session(actor, session) or can_withdraw_paper(actor, session_paper)):
        message = MSG_MANAGERS_ONLY if session_paper.proposed_by_id != actor.pk else MSG_WITHDRAW
        raise DomainError(message, code="permission_denied", status_code=403)
    require_upcoming(session, timezone.now())
    session_paper.delete()
    return _done(session, None)
