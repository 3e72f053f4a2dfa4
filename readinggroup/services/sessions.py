"""Sessions: create, edit, cancel.

A session's start is given as a wall-clock time in an IANA time zone ("2031-04-03 18:00" in
"Europe/Paris") and stored in UTC with that zone's offset on that day (16:00 UTC in April,
17:00 UTC in January): 18:00 there whatever the daylight-saving rules of the day the session
was made. A time the clocks skip that day (02:30 when summer time starts) is refused; one
they pass twice (02:30 when it ends) is the first of the two.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from accounts.roles import Viewer, require_member
from accounts.time_zones import time_zone_is_known
from readinggroup.events import SessionEvent, SessionEventKind
from readinggroup.models import (
    PLACE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    VIDEO_URL_MAX_LENGTH,
    ReadingSession,
    SessionStatus,
)
from readinggroup.services._guards import (
    events_emit,
    invalid,
    require_manager,
    require_upcoming,
    session_locked,
    session_touch,
    sessions_changed,
)

DURATION_MIN_MINUTES = 15
DURATION_MAX_MINUTES = 8 * 60
DESCRIPTION_MAX_CHARS = 5000

MSG_TITLE_REQUIRED = "A session needs a title."
MSG_TITLE_TOO_LONG = f"A session's title has at most {TITLE_MAX_LENGTH} characters."
MSG_START_REQUIRED = "A session needs a start date and time."
MSG_START_IN_PAST = "A session starts in the future: choose a later date or time."
MSG_START_SKIPPED = "{time} does not exist in {zone} that day: the clocks skip it."
MSG_TIME_ZONE_UNKNOWN = "“{name}” is not a time zone this site knows; choose one from the list."
MSG_DURATION = (
    f"A session lasts from {DURATION_MIN_MINUTES} minutes to "
    f"{DURATION_MAX_MINUTES // 60} hours (give it in minutes)."
)
MSG_PLACE_TOO_LONG = f"A place has at most {PLACE_MAX_LENGTH} characters."
MSG_VIDEO_URL_INVALID = "A video link is a web address starting with http:// or https://."
MSG_VIDEO_URL_TOO_LONG = f"A video link has at most {VIDEO_URL_MAX_LENGTH} characters."
MSG_DESCRIPTION_TOO_LONG = f"A description has at most {DESCRIPTION_MAX_CHARS:,} characters."
MSG_UNKNOWN_FIELD = "“{name}” is not a detail of a session."
MSG_START_TOO_FAR = "A session starts within the next ten years."
MSG_NUL = "Text cannot contain a NUL character."
# How far ahead a session may be scheduled: a year typed wrong (20311) is caught, and no
# time near the calendar's end overflows when it is moved to UTC.
START_HORIZON = datetime.timedelta(days=3653)

# What session_update may change, by the names the API and the forms use.
EDITABLE_FIELDS = (
    "title",
    "local_start",
    "time_zone",
    "duration_minutes",
    "place",
    "video_url",
    "description",
)

_video_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class SessionChange:
    """What a change of a session did: the session as it is now, and the events it made."""

    session: ReadingSession
    events: tuple[SessionEvent, ...] = ()


@dataclass(frozen=True)
class _Details:
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    time_zone: str
    place: str
    video_url: str
    description: str


def session_times(
    *, local_start: datetime.datetime, time_zone: str, duration_minutes: int
) -> tuple[datetime.datetime, datetime.datetime]:
    """The UTC start and end of a session starting at `local_start` (naive: a wall-clock time)
    in `time_zone`, lasting `duration_minutes`. Refuses (DomainError) an unknown zone, a time
    the clocks skip there that day, and a duration out of bounds."""
    if not time_zone_is_known(time_zone):
        raise invalid("time_zone", MSG_TIME_ZONE_UNKNOWN.format(name=time_zone[:80]))
    if local_start is None:
        raise invalid("local_start", MSG_START_REQUIRED)
    if (
        isinstance(duration_minutes, bool)
        or not isinstance(duration_minutes, int)
        or not DURATION_MIN_MINUTES <= duration_minutes <= DURATION_MAX_MINUTES
    ):
        raise invalid("duration_minutes", MSG_DURATION)
    zone = zoneinfo.ZoneInfo(time_zone)
    wall = local_start.replace(tzinfo=None, second=0, microsecond=0)
    try:
        starts_at = wall.replace(tzinfo=zone, fold=0).astimezone(datetime.UTC)
        ends_at = starts_at + datetime.timedelta(minutes=duration_minutes)
        back = starts_at.astimezone(zone).replace(tzinfo=None)
    except OverflowError as error:  # year 1 or 9999, moved past the calendar's ends
        raise invalid("local_start", MSG_START_TOO_FAR) from error
    # A skipped time does not come back from UTC as itself.
    if back != wall:
        raise invalid(
            "local_start", MSG_START_SKIPPED.format(time=wall.strftime("%H:%M"), zone=time_zone)
        )
    return starts_at, ends_at


def _clean(
    *,
    title: str,
    local_start: datetime.datetime | None,
    time_zone: str,
    duration_minutes: int,
    place: str,
    video_url: str,
    description: str,
    now: datetime.datetime,
) -> _Details:
    texts = {"title": title, "time_zone": time_zone, "place": place}
    texts.update(video_url=video_url, description=description)
    for name, value in texts.items():
        if isinstance(value, str) and "\x00" in value:
            raise invalid(name, MSG_NUL)
    title = " ".join((title or "").split())
    if not title:
        raise invalid("title", MSG_TITLE_REQUIRED)
    if len(title) > TITLE_MAX_LENGTH:
        raise invalid("title", MSG_TITLE_TOO_LONG)
    time_zone = (time_zone or "").strip()
    if local_start is None:
        raise invalid("local_start", MSG_START_REQUIRED)
    starts_at, ends_at = session_times(
        local_start=local_start, time_zone=time_zone, duration_minutes=duration_minutes
    )
    if starts_at <= now:
        raise invalid("local_start", MSG_START_IN_PAST)
    if starts_at > now + START_HORIZON:
        raise invalid("local_start", MSG_START_TOO_FAR)
    place = " ".join((place or "").split())
    if len(place) > PLACE_MAX_LENGTH:
        raise invalid("place", MSG_PLACE_TOO_LONG)
    video_url = (video_url or "").strip()
    if len(video_url) > VIDEO_URL_MAX_LENGTH:
        raise invalid("video_url", MSG_VIDEO_URL_TOO_LONG)
    if video_url:
        try:
            _video_url(video_url)
        except ValidationError as error:
            raise invalid("video_url", MSG_VIDEO_URL_INVALID) from error
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_CHARS:
        raise invalid("description", MSG_DESCRIPTION_TOO_LONG)
    return _Details(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        place=place,
        video_url=video_url,
        description=description,
    )


@transaction.atomic
def session_create(
    *,
    organizer: Viewer,
    title: str,
    local_start: datetime.datetime | None,
    time_zone: str,
    duration_minutes: int,
    place: str = "",
    video_url: str = "",
    description: str = "",
) -> ReadingSession:
    """A member schedules a session, which they organize. It starts in the future."""
    organizer = require_member(organizer)
    now = timezone.now()
    details = _clean(
        title=title,
        local_start=local_start,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        place=place,
        video_url=video_url,
        description=description,
        now=now,
    )
    session = ReadingSession.objects.create(organizer=organizer, updated_at=now, **asdict(details))
    sessions_changed()
    return session


def _current(session: ReadingSession) -> dict[str, object]:
    return {
        "title": session.title,
        "local_start": session.local_starts_at.replace(tzinfo=None),
        "time_zone": session.time_zone,
        "duration_minutes": session.duration_minutes,
        "place": session.place,
        "video_url": session.video_url,
        "description": session.description,
    }


@transaction.atomic
def session_update(
    *, session: ReadingSession, actor: Viewer, changes: Mapping[str, object]
) -> SessionChange:
    """The organizer or a moderator changes an upcoming session's details: any of
    EDITABLE_FIELDS. A new time zone alone keeps the wall-clock start (18:00 stays 18:00, in
    the new zone). Nothing changed, nothing is written and no event made."""
    actor = require_member(actor)
    for name in changes:
        if name not in EDITABLE_FIELDS:
            raise invalid(name, MSG_UNKNOWN_FIELD.format(name=name))
    session = session_locked(session)
    require_manager(session, actor)
    now = timezone.now()
    require_upcoming(session, now)
    before = _current(session)
    after = {**before, **changes}
    details = _clean(now=now, **after)  # type: ignore[arg-type]
    values = asdict(details)
    fields = [name for name, value in values.items() if getattr(session, name) != value]
    if not fields:
        return SessionChange(session=session)
    for name in fields:
        setattr(session, name, values[name])
    session_touch(session, now, fields=tuple(fields))
    changed = tuple(name for name in EDITABLE_FIELDS if _current(session)[name] != before[name])
    events = (
        SessionEvent(
            kind=SessionEventKind.SESSION_CHANGED,
            session_id=session.pk,
            actor_id=actor.pk,
            changed=changed,
        ),
    )
    events_emit(events)
    return SessionChange(session=session, events=events)


@transaction.atomic
def session_cancel(*, session: ReadingSession, actor: Viewer) -> SessionChange:
    """The organizer or a moderator cancels an upcoming session. It stays, marked cancelled,
    so calendars that have it learn of it (STATUS:CANCELLED); it changes no more."""
    actor = require_member(actor)
    session = session_locked(session)
    require_manager(session, actor)
    now = timezone.now()
    require_upcoming(session, now)
    session.status = SessionStatus.CANCELLED
    session_touch(session, now, fields=("status",))
    events = (
        SessionEvent(
            kind=SessionEventKind.SESSION_CHANGED,
            session_id=session.pk,
            actor_id=actor.pk,
            changed=("status",),
        ),
    )
    events_emit(events)
    return SessionChange(session=session, events=events)
