"""The reading group in Debian's Chromium, by keyboard, at desktop and phone width: a member
schedules a session for next week and puts two papers on it (one from the session's page, one
from the paper's), two members volunteer to present them, the organizer confirms both; the
session's page, the list and the paper's page show it; the organizer's calendar feed
downloads and parses. And the XSS corpus of test_xss_browser.py through every text the
reading group's pages show.

The page fixture of test_browser.py fails the test on any console error, script error, failed
request or answer of 400 or more. Every page is checked for sideways scrolling at 1280 and
375 px and saved to artifacts/screenshots/ at both widths. Marked `browser`.
"""

from __future__ import annotations

import datetime
import re

from icalendar import Calendar

from tests.factories import DEFAULT_PASSWORD, PaperFactory, UserFactory
from tests.frontend import test_browser
from tests.frontend import test_xss_browser as xss
from tests.frontend.conftest import BROWSER_MARKS
from tests.frontend.test_browser import SCREENSHOTS, expect
from tests.readinggroup.ical_check import rfc5545_problems

pytestmark = BROWSER_MARKS
# test_browser.py's fixture: a page that fails the test on any console or script error,
# failed request or answer of 400 or more.
page = test_browser.page
# test_xss_browser.py's: a page of a signed-in reader that records any payload that runs.
open_page = xss.open_page
WIDTHS = ((1280, 900), (375, 812))


def shoot(page, name: str) -> None:
    """At each width: no sideways scroll, and a screenshot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} scrolls {overflow}px sideways at {width}px"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def press(locator, key: str = "Enter") -> None:
    """Activate a link, button or summary from the keyboard."""
    locator.focus()
    locator.press(key)


def log_in(page, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    expect()(page.get_by_label("Username")).to_be_focused()  # then typing reaches it
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    # The whole path: the log-in page's own address ends with `next` too.
    page.wait_for_url(re.compile(r"^https?://[^/]+" + re.escape(next_url) + "$"))


def log_out(page) -> None:
    press(page.get_by_role("button", name="Log out"))
    page.wait_for_url(re.compile(r"/$"))


def test_a_session_from_scheduling_to_confirmed_presenters_and_the_calendar(page):
    from readinggroup.models import ReadingSession, SessionPaper, SessionPaperStatus

    UserFactory(username="ada")
    UserFactory(username="bo")
    UserFactory(username="cy")
    attention = PaperFactory(title="Attention Is Enough", arxiv_id="2401.12345")
    graphs = PaperFactory(title="Graphs, Again")
    day = datetime.date.today() + datetime.timedelta(days=7)

    # Ada opens the reading group from the header and schedules a session.
    log_in(page, "ada", "/")
    press(page.get_by_role("link", name="Sessions", exact=True))
    page.wait_for_url(re.compile(r"/sessions/$"))
    expect()(page.get_by_text("No session is scheduled yet.")).to_be_visible()
    shoot(page, "sessions-empty")
    press(page.get_by_role("link", name="Schedule a session"))
    page.wait_for_url(re.compile(r"/sessions/new/$"))
    expect()(page.get_by_label("Title")).to_be_focused()
    page.keyboard.type("Attention, graphs and us")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time", exact=True).fill("18:00")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    duration = page.get_by_label("Duration, in minutes")
    duration.fill("90")
    duration.press("Tab")
    page.keyboard.type("Room 4")  # Place
    page.keyboard.press("Tab")
    page.keyboard.type("https://meet.example.org/reading-group")
    page.keyboard.press("Tab")
    page.keyboard.type("Two papers, two presenters.")
    shoot(page, "session-form")
    page.keyboard.press("Tab")
    expect()(page.get_by_role("button", name="Schedule the session")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    session = ReadingSession.objects.get()
    expect()(page.get_by_role("status")).to_contain_text("Scheduled “Attention, graphs and us”.")
    expect()(page.get_by_role("heading", level=1)).to_have_text("Attention, graphs and us")
    # Ada reads times in UTC (the site's zone), with the session's own beside them.
    expect()(page.locator(".session-facts")).to_contain_text("(18:00 in Europe/Paris)")

    # The first paper by its arXiv id, from the session's page.
    page.get_by_label("The paper").fill("arXiv:2401.12345")
    press(page.get_by_role("button", name="Propose", exact=True))
    expect()(page.get_by_role("status")).to_contain_text("Proposed “Attention Is Enough”")
    # The second from the paper's own page.
    page.goto(f"/papers/{graphs.pk}/")
    sessions_part = page.locator("[data-paper-sessions]")
    expect()(sessions_part).to_contain_text("Not on a session's programme yet.")
    sessions_part.get_by_label("Propose it for").select_option(str(session.pk))
    press(sessions_part.get_by_role("button", name="Propose"))
    page.wait_for_url(re.compile(rf"/papers/{graphs.pk}/#sessions-h$"))
    expect()(page.get_by_role("status")).to_contain_text("Proposed “Graphs, Again”")
    log_out(page)

    # Two members volunteer, one paper each.
    for member, paper in (("bo", attention), ("cy", graphs)):
        log_in(page, member, f"/sessions/{session.pk}/")
        press(page.get_by_role("button", name=f"Volunteer to present {paper.title}"))
        expect()(page.get_by_role("status")).to_have_text(f"You present “{paper.title}”.")
        expect()(page.locator(f"#paper-{paper.pk} [data-presenter]")).to_have_text(
            f"presented by {member}"
        )
        if member == "cy":
            shoot(page, "session-member")
        log_out(page)

    # Ada confirms both.
    log_in(page, "ada", f"/sessions/{session.pk}/")
    for paper in (attention, graphs):
        press(page.get_by_role("button", name=f"Confirm {paper.title}"))
        expect()(page.get_by_role("status")).to_have_text(f"Confirmed “{paper.title}”.")
        expect()(page.locator(f"#paper-{paper.pk} [data-status]")).to_have_text("Confirmed")
    assert sorted(
        SessionPaper.objects.values_list("paper__title", "status", "presenter__username")
    ) == [
        ("Attention Is Enough", SessionPaperStatus.CONFIRMED, "bo"),
        ("Graphs, Again", SessionPaperStatus.CONFIRMED, "cy"),
    ]
    expect()(page.get_by_role("button", name="Volunteer to present", exact=False)).to_have_count(0)
    press(page.locator("summary", has_text="Change the presenter").first)
    expect()(page.get_by_label("Member's user name").first).to_have_value("bo")
    shoot(page, "session-organizer")
    # The edit form shows the start as given: in the session's zone.
    press(page.get_by_role("link", name="Edit the session"))
    page.wait_for_url(re.compile(r"/edit/$"))
    expect()(page.get_by_label("Time", exact=True)).to_have_value("18:00")
    expect()(page.get_by_label("Time zone")).to_have_value("Europe/Paris")
    shoot(page, "session-edit")
    press(page.get_by_role("link", name="Back to the session"))
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/$"))

    # The list and the paper's page show it.
    press(page.get_by_role("link", name="Sessions", exact=True))
    upcoming = page.locator("[data-upcoming]")
    expect()(upcoming).to_contain_text("Attention, graphs and us")
    expect()(upcoming).to_contain_text("Graphs, Again")
    shoot(page, "sessions")
    page.goto(f"/papers/{attention.pk}/")
    part = page.locator("[data-paper-sessions]")
    expect()(part.get_by_role("link", name="Attention, graphs and us")).to_be_visible()
    expect()(part).to_contain_text("Confirmed")
    expect()(part).to_contain_text("presented by bo")
    shoot(page, "paper-sessions")

    # My page: Paris time, and a calendar address whose feed downloads and parses.
    page.goto("/me/")
    page.get_by_label("Show times in").select_option("Europe/Paris")
    press(page.get_by_role("button", name="Save my time zone"))
    page.wait_for_url(re.compile(r"/me/#time-zone-h$"))
    expect()(page.get_by_role("status")).to_have_text("Times now show in Europe/Paris.")
    press(page.get_by_role("button", name="Make my calendar address"))
    address = page.get_by_label("Your calendar address (copy it now)")
    expect()(address).to_be_focused()
    url = address.input_value()
    assert re.fullmatch(r"http://[^/]+/sessions/calendar/[\w-]+\.ics", url)
    expect()(page.get_by_role("button", name="Stop my calendar address")).to_be_visible()
    shoot(page, "me-calendar")
    with page.expect_download() as download_info:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.download = ''; "
            "document.body.append(a); a.click(); a.remove(); }",
            url,
        )
    download = download_info.value
    assert download.suggested_filename == "paperboard-sessions.ics"
    body = open(download.path(), "rb").read()  # noqa: SIM115 (read at once)
    assert rfc5545_problems(body) == []
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Attention, graphs and us"
    start = event.decoded("DTSTART")
    assert (start.date(), start.strftime("%H:%M"), str(start.tzinfo)) == (
        day,
        "18:00",
        "Europe/Paris",
    )
    assert "- Attention Is Enough (confirmed; bo)" in str(event["DESCRIPTION"])
    assert "- Graphs, Again (confirmed; cy)" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "Room 4"

    # In Paris time now, the session's page shows one time only.
    page.goto(f"/sessions/{session.pk}/")
    facts = page.locator(".session-facts")
    expect()(facts).to_contain_text("18:00")
    expect()(facts).not_to_contain_text("in Europe/Paris)")
    assert page.dialogs == []


def test_hostile_text_in_sessions_shows_as_text_and_runs_nothing(open_page, transactional_db):
    """Titles, places, descriptions, video links, organizers', presenters' and proposers'
    names and paper titles made of the XSS payloads, on every page of the reading group."""
    from readinggroup.models import SessionPaperStatus
    from tests.factories import ReadingSessionFactory, SessionPaperFactory

    people = [UserFactory(username=payload) for payload in xss.PAYLOADS]
    organizer = people[1]
    session = ReadingSessionFactory(
        title=xss.SHOWCASE,
        place=xss.PAYLOADS[4],
        video_url="https://meet.example.org/?q=" + xss.PAYLOADS[0],
        description="\n".join(xss.PAYLOADS),
        organizer=organizer,
        time_zone="Europe/Paris",
    )
    papers = []
    for i, payload in enumerate(xss.PAYLOADS):
        paper = PaperFactory(title=f"Paper {payload}")
        papers.append(paper)
        SessionPaperFactory(
            session=session,
            paper=paper,
            proposed_by=people[i],
            presenter=people[(i + 1) % len(people)],
            status=SessionPaperStatus.CONFIRMED if i % 2 else SessionPaperStatus.PROPOSED,
        )
    ReadingSessionFactory(title=f"Open {xss.PAYLOADS[2]}", organizer=people[3])

    page = open_page(organizer)
    for url in (
        "/sessions/",
        f"/sessions/{session.pk}/",
        f"/sessions/{session.pk}/edit/",
        f"/papers/{papers[0].pk}/",
        "/me/",
    ):
        xss.visit(page, url)
        text = xss.body_text(page)
        if "/me/" not in url:
            assert xss.PAYLOADS[0] in text, url
    page.goto(f"/sessions/{session.pk}/")
    for payload in xss.PAYLOADS:
        assert f"presented by {payload}" in xss.body_text(page)
    # A refusal echoes what was typed: still text.
    page.get_by_label("The paper").fill(xss.PAYLOADS[3])
    press(page.get_by_role("button", name="Propose", exact=True))
    expect()(page.locator("#propose-error")).to_contain_text(xss.PAYLOADS[3])
    xss.assert_nothing_ran(page)
