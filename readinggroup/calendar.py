"""A member's calendar feed as iCalendar (RFC 5545), written with the `icalendar` package.

One VEVENT per session:

- UID `reading-session-<id>@<host>`: stable, so a calendar updates the event it has;
- DTSTAMP and LAST-MODIFIED: the session's last change; SEQUENCE: its count of changes
  (readinggroup.services bump it at each), so clients take the newer version;
- DTSTART and DTEND in the session's own zone (TZID, with its VTIMEZONE; UTC stays UTC), so
  "18:00 in Europe/Paris" is 18:00 there on either side of a daylight-saving change;
- SUMMARY the title; LOCATION the place (or the video link when there is no place); URL the
  video link, else the session's page;
- DESCRIPTION: the description, then the papers the member may open with their state and
  presenter, and the session's page;
- STATUS: CONFIRMED, or CANCELLED for a cancelled session (kept in the feed, so calendars that
  have it mark it so).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from icalendar import Calendar, Event, vDuration

from readinggroup.models import ReadingSession, SessionPaperStatus

PRODID = "-//Paperboard//Reading group//EN"
CALENDAR_NAME = "Paperboard reading group"
# How often a client should fetch the feed again (RFC 7986, and Outlook's older name).
REFRESH = datetime.timedelta(hours=1)
# The VTIMEZONE components cover the sessions' years, one on either side.
_ZONE_MARGIN = datetime.timedelta(days=366)

STATUS_WORDS = {
    SessionPaperStatus.PROPOSED: "proposed",
    SessionPaperStatus.CONFIRMED: "confirmed",
    SessionPaperStatus.PRESENTED: "presented",
}


def session_uid(session: ReadingSession, *, host: str) -> str:
    return f"reading-session-{session.pk}@{host}"


def _description(session: ReadingSession, page_url: str) -> str:
    lines = [session.description] if session.description else []
    programme = getattr(session, "programme", [])
    if programme:
        if lines:
            lines.append("")
        lines.append("Papers:")
        for row in programme:
            presenter = row.presenter.get_username() if row.presenter else "no presenter yet"
            lines.append(f"- {row.paper.title} ({STATUS_WORDS[row.status]}; {presenter})")
    else:
        lines.append("No paper on the programme yet.")
    lines += ["", f"Session page: {page_url}"]
    return "\n".join(lines)


def sessions_calendar(
    sessions: Iterable[ReadingSession], *, host: str, page_url: Callable[[ReadingSession], str]
) -> bytes:
    """The feed of `sessions` (each with its `programme`, readinggroup.selectors), as bytes
    with CRLF line ends and lines folded at 75 octets. `host` makes the UIDs; `page_url`
    gives a session's page address."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH).to_ical().decode())
    first = last = None
    for session in sessions:
        zone = session.zone
        url = page_url(session)
        event = Event()
        event.add("uid", session_uid(session, host=host))
        event.add("dtstamp", session.updated_at.astimezone(datetime.UTC))
        event.add("created", session.created_at.astimezone(datetime.UTC))
        event.add("last-modified", session.updated_at.astimezone(datetime.UTC))
        event.add("sequence", session.sequence)
        event.add("dtstart", session.starts_at.astimezone(zone))
        event.add("dtend", session.ends_at.astimezone(zone))
        event.add("summary", session.title)
        location = session.place or session.video_url
        if location:
            event.add("location", location)
        event.add("url", session.video_url or url)
        event.add("description", _description(session, url))
        event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        calendar.add_component(event)
        first = min(first or session.starts_at, session.starts_at)
        last = max(last or session.ends_at, session.ends_at)
    if first is not None and last is not None:
        calendar.add_missing_timezones(
            first_date=(first - _ZONE_MARGIN).date(), last_date=(last + _ZONE_MARGIN).date()
        )
    return calendar.to_ical()
