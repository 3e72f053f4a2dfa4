"""Pages rendered once for every member (frontend.member_pages), in Debian's Chromium, by
keyboard, at desktop and phone width: one member votes and marks a paper from the feed and
its page, then another member reads the same pages and finds the counts moved but the
buttons theirs, their own name in the header, and a CSRF token of their own that works (they
vote too).

The page fixture is test_browser.py's: a test fails on any console error, script error,
failed request or answer of 400 or more it did not declare. Marked `browser`.
"""

from __future__ import annotations

import datetime

import pytest

from tests.factories import DigestEntryFactory, DigestFactory, PaperFactory, UserFactory
from tests.frontend.conftest import BROWSER_MARKS
from tests.frontend.test_browser import expect, log_in
from tests.frontend.test_browser import page as page  # noqa: F401 - the fixture, reused
from tests.frontend.test_lists_browser import fits_the_width, press
from tests.frontend.test_lists_browser import sized as sized  # noqa: F401 - the fixture, reused

pytestmark = BROWSER_MARKS
TITLE = "Shared Pages For Members"


@pytest.fixture
def paper(transactional_db):
    day = DigestFactory(date=datetime.date.today() - datetime.timedelta(days=1))
    made = PaperFactory(title=TITLE, first_digest_on=day.date, vote_count=0)
    DigestEntryFactory(digest=day, paper=made, position=1)
    UserFactory(username="ada")
    UserFactory(username="bob")
    return made


def test_two_members_share_the_pages_and_each_sees_their_own(sized, paper):
    page = sized
    log_in(page, "bob")  # bob's visit renders the shared pages first
    page.goto("/?order=new")
    page.goto(f"/papers/{paper.pk}/")
    page.get_by_role("button", name="Log out").click()

    log_in(page, "ada")
    page.goto("/?order=new")
    card = page.locator("article.paper", has_text=TITLE)
    vote = card.locator("button.vote")
    expect()(vote).to_have_attribute("aria-pressed", "false")
    press(vote)
    expect()(vote).to_have_attribute("aria-pressed", "true")
    expect()(vote.locator(".vote-count")).to_have_text("1")
    page.goto(f"/papers/{paper.pk}/")
    read = page.locator('button[data-mark="read"]')
    press(read)
    expect()(read).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect()(page.locator('button[data-mark="read"]')).to_have_attribute("aria-pressed", "true")
    expect()(page.locator("button.vote")).to_have_attribute("aria-pressed", "true")
    expect()(page.get_by_role("link", name="ada", exact=True)).to_be_visible()
    fits_the_width(page)
    page.get_by_role("button", name="Log out").click()

    log_in(page, "bob")
    expect()(page.get_by_role("link", name="bob", exact=True)).to_be_visible()
    expect()(page.get_by_role("link", name="ada", exact=True)).to_have_count(0)
    page.goto("/?order=new")
    card = page.locator("article.paper", has_text=TITLE)
    vote = card.locator("button.vote")
    expect()(vote).to_have_attribute("aria-pressed", "false")
    expect()(vote.locator(".vote-count")).to_have_text("1")
    press(vote)  # bob's own token, from the shared page, is accepted
    expect()(vote.locator(".vote-count")).to_have_text("2")
    page.goto(f"/papers/{paper.pk}/")
    expect()(page.locator('button[data-mark="read"]')).to_have_attribute("aria-pressed", "false")
    expect()(page.locator("button.vote")).to_have_attribute("aria-pressed", "true")
    fits_the_width(page)
