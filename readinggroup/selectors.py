"""Every read of the reading group: the session lists, a session with its programme, the
sessions a paper is in, a calendar feed's owner, a paper named in a form.

Sessions are seen by members only (permissions.can_see_sessions); which of a session's papers
a reader sees is curation's rule (papers_visible_to), so a paper hidden after it was proposed
drops out of every list here for whoever may no longer open it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.private_feeds import private_feed_of, private_feed_owner
from accounts.roles import MSG_SIGN_IN, Viewer
from config.cursors import MAX_ID, parse_id
from config.errors import DomainError
from config.generations import generations_get
from curation.selectors import papers_visible_to
from papers.models import Paper
from papers.parsing.normalize import normalize_arxiv_id
from readinggroup.models import CalendarFeed, ReadingSession, SessionPaper, SessionStatus
from readinggroup.permissions import can_see_sessions

WHEN_UPCOMING = "upcoming"
WHEN_PAST = "past"
WHEN_CHOICES = (WHEN_UPCOMING, WHEN_PAST)
# The calendar feed keeps sessions this long after they end, so they stay in calendars that
# refresh from it instead of vanishing the moment they are over.
CALENDAR_KEEPS_PAST = datetime.timedelta(days=30)


def sessions_visible_to(viewer: Viewer) -> QuerySet[ReadingSession]:
    """Every session, for members; anonymous readers are refused (401)."""
    if not can_see_sessions(viewer):
        raise DomainError(MSG_SIGN_IN, code="not_authenticated", status_code=401)
    return ReadingSession.objects.all()


def programme_of(viewer: Viewer) -> Prefetch:
    """Each session's papers that `viewer` may open, in the order they were proposed, with
    the paper, the presenter and who proposed it: one query for a whole list of sessions
    (select_related: each row shows all three)."""
    return Prefetch(
        "session_papers",
        queryset=SessionPaper.objects.filter(paper__in=papers_visible_to(viewer))
        .select_related("paper", "presenter", "proposed_by")
        .order_by("created_at", "id"),
        to_attr="programme",
    )


def sessions_list(
    *, viewer: Viewer, when: str = WHEN_UPCOMING, now: datetime.datetime | None = None
) -> QuerySet[ReadingSession]:
    """Upcoming sessions (not yet ended, the soonest first: one under way is still here) or
    past ones (the latest first). Each with its organizer (select_related, shown on every
    row) and `programme` (programme_of: one query per page)."""
    now = now or timezone.now()
    sessions = sessions_visible_to(viewer).select_related("organizer")
    if when == WHEN_PAST:
        sessions = sessions.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    else:
        sessions = sessions.filter(ends_at__gt=now).order_by("starts_at", "id")
    return sessions.prefetch_related(programme_of(viewer))


def _is_id(value: int) -> bool:
    """Whether `value` may be an id the database holds (an address may carry any integer)."""
    return 0 < value <= MAX_ID


def session_detail(*, pk: int, viewer: Viewer) -> ReadingSession | None:
    """A session with its organizer and `programme` (two queries), or None."""
    sessions = sessions_visible_to(viewer)
    if not _is_id(pk):
        return None
    return (
        sessions.filter(pk=pk)
        .select_related("organizer")
        .prefetch_related(programme_of(viewer))
        .first()
    )


def session_of(*, pk: int, viewer: Viewer) -> ReadingSession | None:
    """A session alone (no programme), or None."""
    sessions = sessions_visible_to(viewer)
    return sessions.filter(pk=pk).first() if _is_id(pk) else None


def session_paper_by_pk(*, pk: int) -> SessionPaper:
    """A programme row with what its answer shows (the paper, presenter, proposer)."""
    return SessionPaper.objects.select_related("paper", "presenter", "proposed_by").get(pk=pk)


def session_paper_of(*, session: ReadingSession, paper_id: int, viewer: Viewer):
    """The session's row for that paper, if `viewer` may open the paper; else None."""
    if not _is_id(paper_id):
        return None
    return (
        SessionPaper.objects.filter(
            session=session, paper_id=paper_id, paper__in=papers_visible_to(viewer)
        )
        .select_related("paper", "presenter")
        .first()
    )


@dataclass(frozen=True)
class PaperSession:
    """A session a paper is on, as the paper's page lists it."""

    session: ReadingSession
    status: str
    presenter_name: str | None


# The generation counter (config.generations) of what pages show of the sessions and their
# programmes: every write to a session or its papers moves it on (services: session_touch,
# session_create), so what is shared under it (the paper page's sessions part) is read again.
SESSIONS_GENERATION = "reading-sessions"


def sessions_version() -> int:
    return generations_get(SESSIONS_GENERATION)[SESSIONS_GENERATION]


def sessions_with_paper(*, paper: Paper, viewer: Viewer) -> list[PaperSession]:
    """The sessions whose programme has `paper` (soonest first), with the paper's state and
    presenter at each: one query; none for a reader who may not see sessions."""
    if not can_see_sessions(viewer):
        return []
    rows = (
        SessionPaper.objects.filter(paper=paper)
        .select_related("session", "presenter")
        .order_by("session__starts_at", "session_id")
    )
    return [
        PaperSession(
            session=row.session,
            status=row.status,
            presenter_name=row.presenter.get_username() if row.presenter else None,
        )
        for row in rows
    ]


def sessions_open_for_proposals(*, viewer: Viewer, now: datetime.datetime | None = None):
    """Upcoming sessions not yet started nor cancelled (a paper may be proposed for them),
    soonest first; none for a reader who may not see sessions."""
    if not can_see_sessions(viewer):
        return ReadingSession.objects.none()
    now = now or timezone.now()
    return (
        ReadingSession.objects.filter(starts_at__gt=now)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("starts_at", "id")
    )


def sessions_for_calendar(
    *, member: User, now: datetime.datetime | None = None
) -> QuerySet[ReadingSession]:
    """What a member's calendar feed holds: sessions not yet ended or ended within
    CALENDAR_KEEPS_PAST (cancelled ones too, so calendars drop them), the soonest first,
    with the papers the member may open."""
    now = now or timezone.now()
    return (
        sessions_visible_to(member)
        .filter(ends_at__gt=now - CALENDAR_KEEPS_PAST)
        .select_related("organizer")
        .prefetch_related(programme_of(member))
        .order_by("starts_at", "id")
    )


def calendar_feed_of(*, member: Viewer) -> CalendarFeed | None:
    return private_feed_of(CalendarFeed, member=member)


def calendar_feed_owner(*, token: str) -> User | None:
    """The active member whose calendar address carries `token`, or None."""
    return private_feed_owner(CalendarFeed, token=token)


# A paper named in a form: its number, its address on this site, or an arXiv id in any form.
_PAPER_PATH = re.compile(r"(?:^|/)papers/(\d{1,12})/?(?:[?#].*)?$")


def paper_from_reference(*, reference: str, viewer: Viewer) -> Paper | None:
    """The paper `reference` names, if `viewer` may open it."""
    reference = (reference or "").strip()
    if not reference or "\x00" in reference or len(reference) > 1000:
        return None
    papers = papers_visible_to(viewer)
    if reference.isascii() and reference.isdigit():
        pk = parse_id(reference)
        return papers.filter(pk=pk).first() if pk is not None else None
    match = _PAPER_PATH.search(reference)
    if match:
        pk = int(match.group(1))
        return papers.filter(pk=pk).first() if _is_id(pk) else None
    arxiv_id = normalize_arxiv_id(reference)
    if arxiv_id is not None:
        return papers.filter(arxiv_id=arxiv_id).first()
    return None


def member_named(username: str):
    """The active member with this user name (case-insensitive, as names are unique so), or
    None."""
    username = (username or "").strip()
    if not username or len(username) > 150 or "\x00" in username:
        return None
    return get_user_model().objects.filter(username__iexact=username, is_active=True).first()
