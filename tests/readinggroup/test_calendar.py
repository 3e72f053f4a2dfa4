"""The calendar feed: its private address (made, rotated, revoked; a wrong one is a 404) and
its iCalendar, parsed back with `icalendar` and checked against RFC 5545."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from papers.models import PaperStatus
from readinggroup.calendar import PRODID
from readinggroup.services import (
    calendar_feed_issue,
    calendar_feed_revoke,
    session_cancel,
    session_create,
    session_paper_confirm,
    session_paper_propose,
    session_update,
)
from tests.factories import (
    ModeratorFactory,
    PaperFactory,
    ReadingSessionFactory,
    UserFactory,
)
from tests.readinggroup.ical_check import rfc5545_problems

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
HOST = "testserver"


def feed_url(token: str) -> str:
    return f"/sessions/calendar/{token}.ics"


def fetch(client, token: str):
    response = client.get(feed_url(token))
    assert response.status_code == 200, response.content[:200]
    return response


def events_of(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


# --- The address --------------------------------------------------------------------------


def test_a_member_makes_rotates_and_revokes_their_address(client, member, session):
    first = calendar_feed_issue(member=member)
    assert first.rotated is False
    assert first.feed.token_prefix == first.token[:6]
    assert first.token not in first.feed.token_digest  # only a digest is kept
    fetch(client, first.token)

    second = calendar_feed_issue(member=member)
    assert second.rotated is True
    assert client.get(feed_url(first.token)).status_code == 404
    fetch(client, second.token)

    assert calendar_feed_revoke(member=member) is True
    assert calendar_feed_revoke(member=member) is False
    assert client.get(feed_url(second.token)).status_code == 404


def test_a_wrong_token_or_an_inactive_owner_is_a_404_that_says_nothing_more(client, member):
    token = calendar_feed_issue(member=member).token

    for wrong in ("nope", token[:-1], token + "x", token.upper()):
        response = client.get(feed_url(wrong))
        assert response.status_code == 404
        assert b"BEGIN:VCALENDAR" not in response.content
    member.is_active = False
    member.save()
    assert client.get(feed_url(token)).status_code == 404


def test_only_members_get_an_address():
    from django.contrib.auth.models import AnonymousUser

    from config.errors import DomainError

    with pytest.raises(DomainError) as caught:
        calendar_feed_issue(member=AnonymousUser())
    assert caught.value.status_code == 401


def test_each_member_s_token_is_theirs_alone(client, member, other, paper, session):
    hidden = PaperFactory(title="Quietly hidden", status=PaperStatus.HIDDEN)
    session_paper_propose(session=session, paper_id=paper.pk, actor=member)
    moderator = ModeratorFactory()
    # Moderators may open hidden papers: the paper's row is theirs to see.
    from readinggroup.models import SessionPaper

    SessionPaper.objects.create(session=session, paper=hidden, proposed_by=moderator)

    mine = fetch(client, calendar_feed_issue(member=member).token).content
    theirs = fetch(client, calendar_feed_issue(member=moderator).token).content

    assert b"Attention Is Enough" in mine and b"Attention Is Enough" in theirs
    assert b"Quietly hidden" not in mine
    assert b"Quietly hidden" in theirs


# --- The iCalendar ------------------------------------------------------------------------


def test_the_feed_downloads_parses_and_validates_as_rfc_5545(client, organizer, member, other):
    session = session_create(
        organizer=organizer,
        title="Long titles fold: " + "très long " * 12,
        local_start=datetime.datetime(2031, 4, 3, 18, 0),
        time_zone="Europe/Paris",
        duration_minutes=90,
        place="Room 4; second floor, east wing",
        video_url="https://meet.example.org/reading-group?room=4&x=" + "y" * 60,
        description="Bring questions.\nAnd coffee, semicolons; commas, backslashes \\.",
    )
    for title, presenter in (("Attention Is Enough", member), ("Graphs, Again", None)):
        change = session_paper_propose(
            session=session,
            paper_id=PaperFactory(title=title).pk,
            actor=member,
            volunteer=presenter is not None,
        )
    session_paper_confirm(session_paper=change.session_paper, actor=organizer)
    ReadingSessionFactory(title="Plain UTC one", time_zone="UTC")

    response = fetch(client, calendar_feed_issue(member=other).token)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="paperboard-sessions.ics"'
    assert "private" in response["Cache-Control"]
    body = response.content
    assert rfc5545_problems(body) == []
    assert b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in body.split(b"\r\n")) <= 75

    calendar = Calendar.from_ical(body)
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = events_of(body)
    event = events[session.title]
    assert str(event["UID"]) == f"reading-session-{session.pk}@{HOST}"
    assert event.decoded("DTSTART") == datetime.datetime(2031, 4, 3, 18, 0, tzinfo=PARIS)
    assert event.decoded("DTEND") == datetime.datetime(2031, 4, 3, 19, 30, tzinfo=PARIS)
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert str(event["LOCATION"]) == "Room 4; second floor, east wing"
    assert str(event["URL"]) == session.video_url
    assert int(event["SEQUENCE"]) == session.sequence + 3  # two proposals and a confirmation
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["DESCRIPTION"]) == (
        "Bring questions.\nAnd coffee, semicolons; commas, backslashes \\.\n\n"
        "Papers:\n"
        "- Attention Is Enough (proposed; member)\n"
        "- Graphs, Again (confirmed; no presenter yet)\n\n"
        f"Session page: http://{HOST}/sessions/{session.pk}/"
    )
    utc = events["Plain UTC one"]
    assert utc.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert str(utc["URL"]).endswith(f"/sessions/{utc_id(utc)}/")
    assert "LOCATION" not in utc


def utc_id(event) -> str:
    return str(event["UID"]).split("@")[0].rsplit("-", 1)[1]


def test_18_00_in_paris_stays_18_00_there_on_either_side_of_summer_time(client, organizer, other):
    for day in (27, 3):
        month = 3 if day == 27 else 4
        session_create(
            organizer=organizer,
            title=f"On {month}-{day}",
            local_start=datetime.datetime(2031, month, day, 18, 0),
            time_zone="Europe/Paris",
            duration_minutes=60,
        )

    body = fetch(client, calendar_feed_issue(member=other).token).content

    assert b"DTSTART;TZID=Europe/Paris:20310327T180000\r\n" in body
    assert b"DTSTART;TZID=Europe/Paris:20310403T180000\r\n" in body
    events = events_of(body)
    assert events["On 3-27"].decoded("DTSTART").astimezone(datetime.UTC).hour == 17
    assert events["On 4-3"].decoded("DTSTART").astimezone(datetime.UTC).hour == 16
    # The zone's definition says both offsets, so any client reads both days right.
    zone = Calendar.from_ical(body).walk("VTIMEZONE")[0].to_ical()
    assert b"TZOFFSETTO:+0100" in zone and b"TZOFFSETTO:+0200" in zone
    assert rfc5545_problems(body) == []


def test_a_change_raises_the_sequence_keeps_the_uid_and_a_cancellation_says_so(
    client, session, organizer, other
):
    token = calendar_feed_issue(member=other).token
    before = events_of(fetch(client, token).content)[session.title]

    session_update(session=session, actor=organizer, changes={"place": "Room 5"})
    session_cancel(session=session, actor=organizer)
    after = events_of(fetch(client, token).content)[session.title]

    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 2
    assert after.decoded("DTSTAMP") >= before.decoded("DTSTAMP")  # to the second
    assert str(after["LOCATION"]) == "Room 5"
    assert str(after["STATUS"]) == "CANCELLED"


def test_the_feed_holds_upcoming_sessions_and_those_of_the_last_30_days(client, member):
    now = timezone.now()
    for title, days in (("Next week", 7), ("Last week", -7), ("Two months ago", -60)):
        start = now + datetime.timedelta(days=days)
        ReadingSessionFactory(
            title=title, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
        )

    body = fetch(client, calendar_feed_issue(member=member).token).content

    assert set(events_of(body)) == {"Next week", "Last week"}


def test_an_empty_feed_is_still_a_valid_calendar(client):
    body = fetch(client, calendar_feed_issue(member=UserFactory()).token).content

    assert rfc5545_problems(body) == []
    assert events_of(body) == {}
