"""The reading group's pages (members): the sessions (/sessions/), a session with its
programme and the forms each reader may use, scheduling and editing a session, the private
calendar feed (/sessions/calendar/<token>.ics); and the parts other pages include: a paper's
sessions (its page) and the member's time zone and calendar address (My page).

Writes are plain forms posted with the CSRF token to the readinggroup services, as the form
pages do (frontend/form_pages.py): a refusal shows the service's sentence on its form with what
was typed kept (answered 200, the page whole); a success redirects with a message. Times show
in the reader's time zone (accounts.time_zones), with the session's own when it differs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import Viewer, is_member
from accounts.services import member_time_zone_set
from accounts.time_zones import member_time_zone, time_zone_names
from config.cursors import parse_id, parse_whole
from config.errors import DomainError
from frontend.errors import PageBadRequest, PageNotFound
from papers.listing_version import listing_shared
from papers.models import Paper, PaperStatus
from readinggroup import permissions as rules
from readinggroup.calendar import sessions_calendar
from readinggroup.models import ReadingSession, SessionPaper
from readinggroup.selectors import (
    WHEN_PAST,
    WHEN_UPCOMING,
    PaperSession,
    calendar_feed_of,
    calendar_feed_owner,
    member_named,
    paper_from_reference,
    session_detail,
    session_of,
    session_paper_of,
    sessions_for_calendar,
    sessions_list,
    sessions_open_for_proposals,
    sessions_version,
    sessions_with_paper,
)
from readinggroup.services import (
    MSG_SESSION_CANCELLED,
    MSG_SESSION_STARTED,
    session_cancel,
    session_create,
    session_paper_confirm,
    session_paper_mark_presented,
    session_paper_presenter_set,
    session_paper_propose,
    session_paper_remove,
    session_paper_step_down,
    session_paper_volunteer,
    session_update,
)
from readinggroup.services.sessions import (
    DESCRIPTION_MAX_CHARS,
    DURATION_MAX_MINUTES,
    DURATION_MIN_MINUTES,
)

PAST_PAGE_SIZE = 20
UPCOMING_LIMIT = 100
DEFAULT_DURATION = 60
OPEN_SESSIONS_SHOWN = 20
# Bounds of the numbers typed in (the services hold the real limits and their sentences).
MAX_PAGE_NUMBER = 10**6
MAX_FORM_NUMBER = 10**6

MSG_NO_SUCH_SESSION = "There is no such session."
MSG_NO_CALENDAR = "There is no calendar at this address: it may have been replaced or stopped."
MSG_MANAGERS_ONLY = "Only the session's organizer or a moderator can edit it."
MSG_UNKNOWN_ACTION = "This form asks for something the page does not do."
MSG_PAPER_GONE = "This paper is not on this session's programme any more."
MSG_NO_PAPER = (
    "No paper here matches “{reference}”: give its number, its address on this site or its "
    "arXiv id."
)
MSG_NO_MEMBER = "There is no member named “{name}”."
MSG_CONFIRM_CANCEL = "Tick the box to confirm: a cancelled session cannot be scheduled again."
MSG_CREATED = "Scheduled “{title}”."
MSG_SAVED = "Saved “{title}”."
MSG_CANCELLED = "Cancelled “{title}”."
MSG_PROPOSED = "Proposed “{paper}” for “{session}”."
MSG_VOLUNTEERED = "You present “{paper}”."
MSG_STEPPED_DOWN = "You no longer present “{paper}”."
MSG_CONFIRMED = "Confirmed “{paper}”."
MSG_PRESENTER_SET = "“{paper}” is presented by {name}."
MSG_PRESENTER_CLEARED = "“{paper}” has no presenter now."
MSG_PRESENTED = "Marked “{paper}” presented."
MSG_REMOVED = "Removed “{paper}” from the programme."
MSG_TIME_ZONE_SET = "Times now show in {zone}."
MSG_TIME_ZONE_DEFAULT = "Times now show in the site's time zone, {zone}."

PAGE_FORM = "page"


def _zone_render(request: HttpRequest, template: str, context: dict, **kwargs) -> HttpResponse:
    """Render with every time in the reader's time zone."""
    zone = member_time_zone(request.user)
    context = {**context, "viewer_zone": zone.key}
    with timezone.override(zone):
        return render(request, template, context, **kwargs)


# --- The sessions -------------------------------------------------------------------------


@login_required
def sessions_page(request: HttpRequest) -> HttpResponse:
    """Upcoming sessions (all of them, the soonest first) and past ones, by pages."""
    number = parse_whole(request.GET.get("page", "1"), maximum=MAX_PAGE_NUMBER)
    if number is None:
        raise PageBadRequest("The page number is a whole number.")
    number = max(1, number)
    now = timezone.now()
    upcoming = list(
        sessions_list(viewer=request.user, when=WHEN_UPCOMING, now=now)[:UPCOMING_LIMIT]
    )
    offset = (number - 1) * PAST_PAGE_SIZE
    past = list(
        sessions_list(viewer=request.user, when=WHEN_PAST, now=now)[
            offset : offset + PAST_PAGE_SIZE + 1
        ]
    )
    context = {
        "upcoming": upcoming,
        "past": past[:PAST_PAGE_SIZE],
        "past_page": number,
        "older_url": f"?page={number + 1}#past-h" if len(past) > PAST_PAGE_SIZE else None,
        "newer_url": f"?page={number - 1}#past-h" if number > 1 else None,
        "now": now,
    }
    return _zone_render(request, "frontend/sessions/list.html", context)


# --- Schedule and edit --------------------------------------------------------------------

FORM_FIELDS = ("title", "date", "time", "time_zone", "duration_minutes", "place", "video_url")


def _form_values(session: ReadingSession | None, zone_name: str) -> dict[str, str]:
    if session is None:
        return {"time_zone": zone_name, "duration_minutes": str(DEFAULT_DURATION)}
    local = session.local_starts_at
    return {
        "title": session.title,
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "time_zone": session.time_zone,
        "duration_minutes": str(session.duration_minutes),
        "place": session.place,
        "video_url": session.video_url,
        "description": session.description,
    }


def _posted_details(request: HttpRequest) -> tuple[dict[str, str], dict[str, Any]]:
    """What the form holds (kept as typed), and the services' arguments made of it: a date and
    time that do not read as such are no start at all, and a duration that is no whole
    number is passed on as it is, for the service to refuse."""
    typed = {name: request.POST.get(name, "") for name in (*FORM_FIELDS, "description")}
    try:
        local_start: datetime.datetime | None = datetime.datetime.combine(
            datetime.date.fromisoformat(typed["date"].strip()),
            datetime.time.fromisoformat(typed["time"].strip()),
        )
    except ValueError:
        local_start = None
    duration = typed["duration_minutes"].strip()
    minutes = parse_whole(duration, maximum=MAX_FORM_NUMBER)
    values: dict[str, Any] = {
        "title": typed["title"],
        "local_start": local_start,
        "time_zone": typed["time_zone"],
        # Not a whole number: passed as typed, for the service's sentence.
        "duration_minutes": duration if minutes is None else minutes,
        "place": typed["place"],
        "video_url": typed["video_url"],
        "description": typed["description"],
    }
    return typed, values


def _form_context(values: dict[str, str], errors: dict, **extra) -> dict:
    return {
        "values": values,
        "errors": errors,
        "time_zones": time_zone_names(),
        "duration_min": DURATION_MIN_MINUTES,
        "duration_max": DURATION_MAX_MINUTES,
        "description_max": DESCRIPTION_MAX_CHARS,
        **extra,
    }


def _refusal_fields(error: DomainError) -> tuple[dict, str]:
    fields = error.extra.get("fields") or {}
    return fields, "" if fields else error.message


@login_required
def session_new(request: HttpRequest) -> HttpResponse:
    """Members schedule a session, which they organize."""
    zone = member_time_zone(request.user)
    values = _form_values(None, zone.key)
    errors: dict = {}
    form_error = ""
    if request.method == "POST":
        values, arguments = _posted_details(request)
        try:
            session = session_create(organizer=request.user, **arguments)
        except DomainError as error:
            errors, form_error = _refusal_fields(error)
        else:
            messages.success(request, MSG_CREATED.format(title=session.title))
            return redirect("session", pk=session.pk)
    context = _form_context(values, errors, form_error=form_error, session=None)
    return _zone_render(request, "frontend/sessions/form.html", context)


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The organizer or a moderator changes an upcoming session's details."""
    session = session_of(pk=pk, viewer=request.user)
    if session is None:
        raise PageNotFound(MSG_NO_SUCH_SESSION)
    if not rules.can_manage_session(request.user, session):
        raise PermissionDenied(MSG_MANAGERS_ONLY)
    values = _form_values(session, session.time_zone)
    errors: dict = {}
    form_error = ""
    if request.method == "POST":
        values, arguments = _posted_details(request)
        try:
            session_update(session=session, actor=request.user, changes=arguments)
        except DomainError as error:
            errors, form_error = _refusal_fields(error)
        else:
            messages.success(request, MSG_SAVED.format(title=arguments["title"].strip()))
            return redirect("session", pk=session.pk)
    elif rules.ACTION_EDIT not in rules.session_actions(request.user, session, timezone.now()):
        form_error = session_closed_message(session)
    context = _form_context(values, errors, form_error=form_error, session=session)
    return _zone_render(request, "frontend/sessions/form.html", context)


def session_closed_message(session: ReadingSession) -> str:
    return MSG_SESSION_CANCELLED if session.is_cancelled else MSG_SESSION_STARTED


# --- A session and its programme ----------------------------------------------------------


@dataclass
class Refusal:
    form: str  # "propose", "cancel", "<action>-<paper id>" or PAGE_FORM
    message: str


@dataclass
class ProgrammeRow:
    row: SessionPaper
    actions: frozenset[str]
    refusal: str = ""
    refused_action: str = ""
    presenter_typed: str = ""


@dataclass
class SessionView:
    session: ReadingSession
    actions: frozenset[str]
    rows: list[ProgrammeRow] = field(default_factory=list)
    started: bool = False


def _paper_row(request: HttpRequest, session: ReadingSession) -> SessionPaper:
    paper_id = parse_id(request.POST.get("paper"))
    row = None
    if paper_id is not None:
        row = session_paper_of(session=session, paper_id=paper_id, viewer=request.user)
    if row is None:
        raise DomainError(MSG_PAPER_GONE, code="not_found", status_code=404)
    row.session = session
    return row


def _propose(request: HttpRequest, session: ReadingSession) -> str:
    reference = request.POST.get("reference", "").strip()
    paper = paper_from_reference(reference=reference, viewer=request.user)
    if paper is None:
        raise DomainError(MSG_NO_PAPER.format(reference=reference[:200]))
    session_paper_propose(
        session=session,
        paper_id=paper.pk,
        actor=request.user,
        volunteer=request.POST.get("volunteer") == "yes",
    )
    return MSG_PROPOSED.format(paper=paper.title, session=session.title)


def _row_action(service, message: str):
    def act(request: HttpRequest, session: ReadingSession) -> str:
        row = _paper_row(request, session)
        service(session_paper=row, actor=request.user)
        return message.format(paper=row.paper.title)

    return act


def _presenter(request: HttpRequest, session: ReadingSession) -> str:
    row = _paper_row(request, session)
    name = request.POST.get("presenter", "").strip()
    presenter = None
    if name:
        presenter = member_named(name)
        if presenter is None:
            raise DomainError(MSG_NO_MEMBER.format(name=name[:150]))
    session_paper_presenter_set(session_paper=row, actor=request.user, presenter=presenter)
    if presenter is None:
        return MSG_PRESENTER_CLEARED.format(paper=row.paper.title)
    return MSG_PRESENTER_SET.format(paper=row.paper.title, name=presenter.get_username())


def _cancel(request: HttpRequest, session: ReadingSession) -> str:
    if request.POST.get("confirm") != "yes":
        raise DomainError(MSG_CONFIRM_CANCEL)
    session_cancel(session=session, actor=request.user)
    return MSG_CANCELLED.format(title=session.title)


SESSION_ACTIONS = {
    rules.ACTION_PROPOSE: _propose,
    rules.ACTION_VOLUNTEER: _row_action(session_paper_volunteer, MSG_VOLUNTEERED),
    rules.ACTION_STEP_DOWN: _row_action(session_paper_step_down, MSG_STEPPED_DOWN),
    rules.ACTION_CONFIRM: _row_action(session_paper_confirm, MSG_CONFIRMED),
    rules.ACTION_PRESENTED: _row_action(session_paper_mark_presented, MSG_PRESENTED),
    rules.ACTION_REMOVE: _row_action(session_paper_remove, MSG_REMOVED),
    rules.ACTION_PRESENTER: _presenter,
    rules.ACTION_CANCEL: _cancel,
}
# Forms that belong to the session, not to one of its papers.
SESSION_FORMS = (rules.ACTION_PROPOSE, rules.ACTION_CANCEL)


def _refusal(action: str, request: HttpRequest, error: DomainError) -> Refusal:
    if action in SESSION_FORMS:
        return Refusal(form=action, message=error.message)
    if error.status_code == 404:
        return Refusal(form=PAGE_FORM, message=error.message)  # the paper's row is gone
    return Refusal(form=f"{action}-{request.POST.get('paper', '')}", message=error.message)


def _session_view(request: HttpRequest, pk: int) -> SessionView:
    session = session_detail(pk=pk, viewer=request.user)
    if session is None:
        raise PageNotFound(MSG_NO_SUCH_SESSION)
    now = timezone.now()
    return SessionView(
        session=session,
        actions=rules.session_actions(request.user, session, now),
        rows=[
            ProgrammeRow(row=row, actions=rules.programme_actions(request.user, session, row, now))
            for row in session.programme  # type: ignore[attr-defined]
        ],
        started=session.starts_at <= now,
    )


@login_required
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: when and where, its organizer, its papers with their states and presenters,
    and the forms the reader may use."""
    refusal: Refusal | None = None
    posted: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        handler = SESSION_ACTIONS.get(action)
        if handler is None:
            raise PageBadRequest(MSG_UNKNOWN_ACTION)
        session = session_of(pk=pk, viewer=request.user)
        if session is None:
            raise PageNotFound(MSG_NO_SUCH_SESSION)
        try:
            done = handler(request, session)
        except DomainError as error:
            refusal = _refusal(action, request, error)
            posted = {
                name: request.POST.get(name, "")
                for name in ("reference", "volunteer", "presenter", "paper")
            }
        else:
            messages.success(request, done)
            paper = parse_id(request.POST.get("paper"))
            anchor = f"#paper-{paper}" if paper is not None else ""
            return redirect(reverse("session", kwargs={"pk": pk}) + anchor)
    view = _session_view(request, pk)
    if refusal is not None:
        for item in view.rows:
            action, _, paper_id = refusal.form.rpartition("-")
            if paper_id == str(item.row.paper_id):
                item.refusal, item.refused_action = refusal.message, action
                item.presenter_typed = posted.get("presenter", "")
    context = {"view": view, "session": view.session, "refusal": refusal, "posted": posted}
    return _zone_render(request, "frontend/sessions/detail.html", context)


# --- The calendar feed --------------------------------------------------------------------


def session_calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's private iCalendar feed: the token in the address is the only key (a wrong,
    replaced or stopped one is a 404)."""
    member = calendar_feed_owner(token=token)
    if member is None:
        raise PageNotFound(MSG_NO_CALENDAR)
    host = split_domain_port(request.get_host())[0] or "paperboard"

    def page_url(session: ReadingSession) -> str:
        return request.build_absolute_uri(reverse("session", kwargs={"pk": session.pk}))

    body = sessions_calendar(sessions_for_calendar(member=member), host=host, page_url=page_url)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="paperboard-sessions.ics"'
    # Private to its owner: kept by no shared cache, and indexed by no search engine.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- Parts of other pages -----------------------------------------------------------------


@dataclass
class PaperSessions:
    """The "In reading-group sessions" part of a paper's page (members)."""

    rows: list[PaperSession]
    open_sessions: list[ReadingSession]
    zone: str


def paper_sessions_context(*, paper: Paper, viewer: Viewer) -> dict[str, PaperSessions | None]:
    """The paper page's context for its sessions part: None for readers who may not see
    sessions (anonymous readers: their shared page queries nothing here)."""
    if not rules.can_see_sessions(viewer):
        return {"paper_sessions": None}
    published = paper.status == PaperStatus.PUBLISHED

    def read() -> tuple[list[PaperSession], list[ReadingSession]]:
        rows = sessions_with_paper(paper=paper, viewer=viewer)
        open_sessions: list[ReadingSession] = []
        if published:
            listed = {row.session.pk for row in rows}
            open_sessions = [
                s
                for s in sessions_open_for_proposals(viewer=viewer)[:OPEN_SESSIONS_SHOWN]
                if s.pk not in listed
            ]
        return rows, open_sessions

    # The same for every member who may see sessions: shared under the sessions' generation,
    # which every write to a session or its programme moves on (a session that starts leaves
    # the open ones within the few seconds a shared value is kept).
    rows, open_sessions = listing_shared(
        "paper-sessions", [paper.pk, published], read, version=sessions_version()
    )
    zone = member_time_zone(viewer).key
    return {"paper_sessions": PaperSessions(rows=rows, open_sessions=open_sessions, zone=zone)}


@login_required
@require_POST
def session_propose_from_paper(request: HttpRequest) -> HttpResponse:
    """The paper page's "Propose for a session" form: back to the paper, with the service's
    sentence either way."""
    paper_id = parse_id(request.POST.get("paper")) or 0
    session_id = parse_id(request.POST.get("session"))
    session = None
    if session_id is not None:
        session = session_of(pk=session_id, viewer=request.user)
    back = reverse("paper", kwargs={"pk": paper_id}) if paper_id else reverse("sessions")
    if session is None:
        messages.error(request, MSG_NO_SUCH_SESSION)
        return redirect(back + "#sessions-h")
    try:
        change = session_paper_propose(
            session=session,
            paper_id=paper_id,
            actor=request.user,
            volunteer=request.POST.get("volunteer") == "yes",
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        row = change.session_paper
        title = row.paper.title if row is not None else ""
        messages.success(request, MSG_PROPOSED.format(paper=title, session=session.title))
    return redirect(back + "#sessions-h")


def member_settings_context(*, user: User) -> dict[str, Any]:
    """My page's reading-group part: my time zone and my calendar feed."""
    if not is_member(user):
        return {}
    return {
        "session_settings": {
            "time_zone": member_time_zone(user).key,
            "time_zones": time_zone_names(),
            "calendar_feed": calendar_feed_of(member=user),
        }
    }


@login_required
@require_POST
def member_time_zone_page(request: HttpRequest) -> HttpResponse:
    """My page's time zone form."""
    try:
        name = member_time_zone_set(user=request.user, time_zone=request.POST.get("time_zone", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        zone = member_time_zone(request.user).key
        messages.success(
            request,
            MSG_TIME_ZONE_SET.format(zone=zone)
            if name
            else MSG_TIME_ZONE_DEFAULT.format(zone=zone),
        )
    return redirect(reverse("me") + "#time-zone-h")
