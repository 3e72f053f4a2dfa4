"""Lists and marks in Debian's Chromium, by keyboard, at desktop and phone width: a member
makes a team list, adds two papers from their feed cards with notes, moves one, removes one,
renames the list and deletes it; a member marks a paper not interested and, with the setting
of My page on, no longer finds it in the feed.

The page fixture is test_browser.py's: a test fails on any console error, script error,
failed request or answer of 400 or more it did not declare. Each page must also fit the
width without scrolling sideways. Screenshots go to artifacts/screenshots/ as
`<page>-<width>.png`. Marked `browser`: `.ci/browser` (or `make test-browser`) runs them.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from tests.factories import DigestEntryFactory, DigestFactory, PaperFactory, UserFactory
from tests.frontend.conftest import BROWSER_MARKS
from tests.frontend.test_browser import expect, log_in
from tests.frontend.test_browser import page as page  # noqa: F401 - the fixture, reused

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}

pytestmark = BROWSER_MARKS


@pytest.fixture(params=list(WIDTHS))
def sized(request, page):  # noqa: F811 - test_browser's page fixture
    width, height = WIDTHS[request.param]
    page.set_viewport_size({"width": width, "height": height})
    page.width = width
    return page


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.width}.png"), full_page=True)


def fits_the_width(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls {overflow}px sideways at {page.width}px"


def press(locator, key: str = "Enter") -> None:
    locator.focus()
    locator.press(key)


def card(page, title: str):
    return page.locator("article.paper", has_text=title)


def titles_on_list(page) -> list[str]:
    return page.locator("li.list-item .paper-title").all_inner_texts()


@pytest.fixture
def papers(transactional_db):
    day = DigestFactory(date=datetime.date.today() - datetime.timedelta(days=1))
    made = {}
    for position, (title, votes) in enumerate(
        [("Fresh Transformer Results", 5), ("Quiet Graph Study", 3), ("Sparse Routing", 1)],
        start=1,
    ):
        made[title] = PaperFactory(
            title=title, vote_count=votes, first_digest_on=day.date, abstract="An abstract. " * 8
        )
        DigestEntryFactory(digest=day, paper=made[title], position=position)
    return made


def add_from_card(page, title: str, note: str) -> None:
    """Open the card's "Add to list", keep the list the dialog chose, write the note, add."""
    press(card(page, title).get_by_role("button", name=re.compile("^Add to list")))
    dialog = page.get_by_role("dialog")
    expect()(dialog).to_be_visible()
    expect()(dialog.get_by_role("heading")).to_have_text(f"Add “{title}” to a list")
    select = dialog.get_by_label("List")
    expect()(select).to_be_focused()
    expect()(select.locator("option:checked")).to_have_text("Team reading (team)")
    page.keyboard.press("Tab")
    expect()(dialog.get_by_label("Note")).to_be_focused()
    page.keyboard.type(note)
    page.keyboard.press("Tab")
    expect()(dialog.get_by_role("button", name="Add")).to_be_focused()
    page.keyboard.press("Enter")
    expect()(dialog).to_be_hidden()
    expect()(page.locator("#live-status")).to_have_text("Added to “Team reading”.")
    # The focus is back on the button that opened the dialog.
    expect()(
        card(page, title).get_by_role("button", name=re.compile("^Add to list"))
    ).to_be_focused()


def test_a_team_list_made_filled_from_cards_reordered_and_trimmed_by_keyboard(sized, papers):
    page = sized
    UserFactory(username="curator")
    log_in(page, "curator")
    press(page.get_by_role("link", name="Lists", exact=True))
    page.wait_for_url(re.compile(r"/lists/$"))
    expect()(page.get_by_role("heading", level=1)).to_have_text("My lists")
    fits_the_width(page)
    shoot(page, "lists-empty")

    # Name, then the second choice of "Who sees it" (arrow keys move between radios).
    name = page.get_by_label("Name")
    name.focus()
    page.keyboard.type("Team reading")
    page.keyboard.press("Tab")
    expect()(page.get_by_label("Personal (only me)")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect()(page.get_by_label("Team (every member)")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/lists/\d+/$"))
    expect()(page.get_by_role("heading", level=1)).to_have_text("Team reading")
    expect()(page.locator(".messages")).to_have_text("Made the list “Team reading”.")
    list_url = page.url

    page.goto("/?order=new")
    add_from_card(page, "Fresh Transformer Results", "Read the **ablation** first.")
    # The dialog at this width, before the second paper goes in.
    press(card(page, "Quiet Graph Study").get_by_role("button", name=re.compile("^Add to list")))
    dialog = page.get_by_role("dialog")
    expect()(dialog.get_by_label("List")).to_be_focused()
    fits_the_width(page)
    shoot(page, "add-to-list")
    page.keyboard.press("Escape")
    expect()(dialog).to_be_hidden()
    add_from_card(page, "Quiet Graph Study", "Short and clear.")
    # The paper on the list already is offered no more.
    press(card(page, "Fresh Transformer Results").get_by_role("button", name=re.compile("^Add")))
    expect()(page.get_by_role("dialog")).to_contain_text("This paper is on each of your lists")
    page.keyboard.press("Escape")

    page.goto(list_url)
    assert titles_on_list(page) == ["Fresh Transformer Results", "Quiet Graph Study"]
    first = page.locator("li.list-item").first
    expect()(first.locator("[data-note] strong")).to_have_text("ablation")
    expect()(first).to_contain_text("Added by curator")
    expect()(page.locator("[data-item-count]")).to_have_text("2 papers")

    # Move the first paper down, from the keyboard; the focus stays with it.
    down = first.get_by_role("button", name=re.compile("^Move down"))
    press(down)
    expect()(page.locator("#live-status")).to_have_text(
        "Moved “Fresh Transformer Results” to place 2."
    )
    assert titles_on_list(page) == ["Quiet Graph Study", "Fresh Transformer Results"]
    moved = page.locator("li.list-item", has_text="Fresh Transformer Results")
    expect()(moved.get_by_role("button", name=re.compile("^Move up"))).to_be_focused()
    expect()(moved.get_by_role("button", name=re.compile("^Move down"))).to_have_attribute(
        "aria-disabled", "true"
    )
    page.reload()
    assert titles_on_list(page) == ["Quiet Graph Study", "Fresh Transformer Results"]
    fits_the_width(page)
    shoot(page, "list")

    # Edit a note, then take a paper off (the page asks first).
    quiet = page.locator("li.list-item", has_text="Quiet Graph Study")
    press(quiet.get_by_role("button", name=re.compile("^Edit note")))
    note = quiet.get_by_label(re.compile("^Note on"))
    expect()(note).to_be_focused()
    expect()(note).to_have_value("Short and clear.")
    page.keyboard.press("Control+A")
    page.keyboard.type("Short, *clear*, and worth it.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect()(quiet.locator("[data-note] em")).to_have_text("clear")

    press(quiet.get_by_role("button", name=re.compile("^Remove")))
    expect()(page.locator("li.list-item")).to_have_count(1)
    assert page.dialogs and "Take “Quiet Graph Study” off this list?" in page.dialogs[-1]
    expect()(page.locator("#live-status")).to_have_text("Took “Quiet Graph Study” off the list.")
    expect()(page.locator("[data-item-count]")).to_have_text("1 paper")
    page.reload()
    assert titles_on_list(page) == ["Fresh Transformer Results"]

    # Rename it, then delete it (the box must be ticked), by keyboard.
    name = page.get_by_label("Name", exact=True)
    name.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Team canon")
    page.keyboard.press("Enter")
    expect()(page.get_by_role("heading", level=1)).to_have_text("Team canon")
    expect()(page.locator(".messages")).to_have_text("Saved the list “Team canon”.")
    confirm = page.get_by_label(re.compile("Delete the list and its notes"))
    press(confirm, " ")
    expect()(confirm).to_be_checked()
    page.keyboard.press("Tab")
    expect()(page.get_by_role("button", name="Delete the list")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/lists/$"))
    expect()(page.locator(".messages")).to_have_text("Deleted the list “Team canon”.")
    expect()(page.locator(".list-row")).to_have_count(0)


def test_a_paper_marked_not_interested_leaves_the_feed_with_the_setting_on(sized, papers):
    page = sized
    UserFactory(username="picky")
    log_in(page, "picky")
    page.goto("/")
    quiet = card(page, "Quiet Graph Study")
    not_interested = quiet.get_by_role("button", name=re.compile("^Not interested"))
    expect()(not_interested).to_have_attribute("aria-pressed", "false")
    press(not_interested)
    expect()(not_interested).to_have_attribute("aria-pressed", "true")
    expect()(not_interested).to_be_focused()
    fits_the_width(page)
    shoot(page, "feed-marks")
    # Without the setting, the feed still shows it, marked.
    page.reload()
    expect()(
        card(page, "Quiet Graph Study").get_by_role("button", name=re.compile("^Not interested"))
    ).to_have_attribute("aria-pressed", "true")

    # On the paper page: mark another read, and "Add to list" with no list yet.
    page.goto(f"/papers/{papers['Sparse Routing'].pk}/")
    read = page.locator(".paper-actions").get_by_role("button", name="Read", exact=True)
    press(read)
    expect()(read).to_have_attribute("aria-pressed", "true")
    press(page.get_by_role("button", name="Add to list"))
    dialog = page.get_by_role("dialog")
    expect()(dialog).to_contain_text("You have no list you can add papers to yet.")
    expect()(dialog.get_by_role("link", name="Make one on My lists")).to_be_focused()
    page.keyboard.press("Escape")
    expect()(dialog).to_be_hidden()
    expect()(page.get_by_role("button", name="Add to list")).to_be_focused()

    # My page: hide the papers I marked.
    page.goto("/me/")
    box = page.get_by_label(re.compile("Hide the papers I marked"))
    press(box, " ")
    expect()(box).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect()(page.locator(".messages")).to_contain_text("Saved: the papers you marked")
    shoot(page, "me-reading")

    page.goto("/")
    expect()(card(page, "Fresh Transformer Results")).to_be_visible()
    expect()(card(page, "Quiet Graph Study")).to_have_count(0)
    expect()(card(page, "Sparse Routing")).to_have_count(0)
    fits_the_width(page)
    shoot(page, "feed-hiding-marked")
    page.goto("/search/?q=Graph")
    expect()(page.locator("article.paper")).to_have_count(0)

    # Off again: the paper is back.
    page.goto("/me/")
    press(page.get_by_label(re.compile("Hide the papers I marked")), " ")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect()(page.locator(".messages")).to_contain_text("Saved: your feeds show")
    page.goto("/")
    expect()(card(page, "Quiet Graph Study")).to_be_visible()
