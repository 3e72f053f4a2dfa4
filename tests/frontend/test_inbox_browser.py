"""Follows and the inbox in Debian's Chromium, by keyboard, at desktop and phone width: a
member follows a tag, a paper, a team list and a saved search from their pages; a reply to
their comment and a newly published paper with the tag reach their inbox, counted in the
header; they open an item, mark one read, then all, and stop following a tag.

The page fixture is test_browser.py's: a test fails on any console error, script error,
failed request or answer of 400 or more it did not declare. Screenshots go to
artifacts/screenshots/ as `<page>-<width>.png`. Marked `browser`.
"""

from __future__ import annotations

import datetime
import re

import pytest

from curation.services import comment_create, paper_publish
from lists.services import list_create
from notifications.models import Follow, PaperAnnouncement
from papers.models import PaperStatus
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    TagFactory,
    UserFactory,
)
from tests.frontend.conftest import BROWSER_MARKS
from tests.frontend.test_browser import expect, log_in
from tests.frontend.test_browser import page as page  # noqa: F401 - the fixture, reused
from tests.frontend.test_lists_browser import fits_the_width, press, shoot
from tests.frontend.test_lists_browser import sized as sized  # noqa: F401 - the fixture, reused

pytestmark = BROWSER_MARKS


@pytest.fixture
def world(transactional_db, settings):
    # The inbox's sweep runs after papers are published; the recommendations are not the
    # subject here.
    settings.PAPERS_CHANGED_TASKS = ["notifications.tasks.announce_papers"]
    day = DigestFactory(date=datetime.date.today() - datetime.timedelta(days=1))
    paper = PaperFactory(
        title="Graph Attention Revisited", first_digest_on=day.date, abstract="Graphs. " * 20
    )
    DigestEntryFactory(digest=day, paper=paper, position=1)
    PaperAnnouncement.objects.create(paper=paper)  # published, and told of, before
    vision = TagFactory(name="Vision", slug="vision")
    reader = UserFactory(username="reader")
    writer = UserFactory(username="writer")
    team = list_create(owner=writer, name="Team reading", visibility="team")
    question = comment_create(user=reader, paper=paper, body="Which layers matter?")
    pending = PaperFactory(title="Seeing Through Walls", status=PaperStatus.PENDING)
    PaperTagFactory(paper=pending, tag=vision)
    return {
        "paper": paper,
        "reader": reader,
        "writer": writer,
        "team": team,
        "question": question,
        "pending": pending,
    }


def follow_by_keyboard(page, name: str) -> None:
    button = page.get_by_role("button", name=name)
    expect()(button).to_have_attribute("aria-pressed", "false")
    press(button)
    expect()(button).to_have_attribute("aria-pressed", "true")
    expect()(button).to_be_focused()
    expect()(page.locator("[data-follow-state]")).to_contain_text("You follow it")


def test_follows_and_the_inbox_by_keyboard(sized, world):
    page = sized
    log_in(page, "reader")

    page.goto("/tags/vision/")
    follow_by_keyboard(page, "Follow this tag")
    fits_the_width(page)
    shoot(page, "tag-follow")

    page.goto(f"/papers/{world['paper'].pk}/")
    follow_by_keyboard(page, "Follow this paper's comments")
    fits_the_width(page)

    page.goto(f"/lists/{world['team'].pk}/")
    follow_by_keyboard(page, "Follow comments on this list's papers")
    fits_the_width(page)

    page.goto("/search/?q=graph+attention")
    name = page.get_by_label("Name of this search")
    expect()(name).to_have_value("graph attention")
    name.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Graphs")
    page.keyboard.press("Tab")
    expect()(page.get_by_role("button", name="Save this search and follow it")).to_be_focused()
    page.keyboard.press("Enter")
    expect()(page.locator("[data-follow-state]")).to_contain_text("You follow it")
    fits_the_width(page)
    shoot(page, "search-follow")
    assert sorted(Follow.objects.filter(user=world["reader"]).values_list("kind", flat=True)) == [
        "list",
        "paper",
        "search",
        "tag",
    ]
    assert Follow.objects.get(kind="search").name == "Graphs"

    # Elsewhere, someone answers the reader's comment and a moderator publishes a paper
    # with the followed tag; each is told once it commits.
    reply = comment_create(
        user=world["writer"], paper=world["paper"], body="The last two.", parent=world["question"]
    )
    paper_publish(paper=world["pending"], moderator=ModeratorFactory())

    page.goto("/")
    inbox_link = page.get_by_role("link", name=re.compile(r"^Inbox"))
    expect()(inbox_link.locator("[data-unread-count]")).to_have_text("2")
    press(inbox_link)
    page.wait_for_url(re.compile(r"/inbox/$"))
    expect()(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    items = page.locator("li.inbox-item")
    expect()(items).to_have_count(2)
    expect()(items.nth(0)).to_contain_text("New paper tagged Vision: “Seeing Through Walls”.")
    expect()(items.nth(1)).to_contain_text(
        "writer replied to your comment on “Graph Attention Revisited”."
    )
    expect()(items.nth(1)).to_contain_text("The last two.")
    fits_the_width(page)
    shoot(page, "inbox")

    # Mark the newest read, by keyboard: it goes below the unread one.
    press(items.nth(0).get_by_role("button", name=re.compile("^Mark read")))
    page.wait_for_url(re.compile(r"/inbox/$"))
    expect()(page.locator("li.inbox-item.unread")).to_have_count(1)
    expect()(page.locator("[data-unread-count]")).to_have_text("1")
    expect()(page.locator("li.inbox-item").nth(0)).to_contain_text("writer replied")

    # The reply's link opens the paper at the comment.
    press(page.get_by_role("link", name=re.compile("^writer replied")))
    page.wait_for_url(re.compile(rf"/papers/{world['paper'].pk}/#c{reply.pk}$"))

    page.goto("/inbox/")
    press(page.get_by_role("button", name="Mark all read"))
    page.wait_for_url(re.compile(r"/inbox/$"))
    expect()(page.locator(".messages")).to_have_text("Every item is marked read.")
    expect()(page.locator("[data-unread-count]")).to_have_count(0)
    expect()(page.locator("li.inbox-item.unread")).to_have_count(0)

    # Stop following the tag from the inbox's list of follows.
    press(page.get_by_role("button", name=re.compile(r"^Unfollow\W+Tag Vision")))
    expect()(page.locator(".follows li.stopped")).to_contain_text("No longer followed.")
    expect()(page.get_by_role("heading", name="What I follow")).to_be_focused()
    assert not Follow.objects.filter(user=world["reader"], kind="tag").exists()
    fits_the_width(page)
    shoot(page, "inbox-read")
