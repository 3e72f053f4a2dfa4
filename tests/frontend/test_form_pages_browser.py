"""The form pages in Debian's Chromium, driven by the keyboard at desktop and phone width: a
moderator keeps the tag vocabulary (create, rename, merge, delete, and refusals), a member
submits papers with every form of arXiv id and meets a duplicate, and finds them on My page.

Each page must load without a console error, a script error or a failed request (any answer
of 400 or more included), and fit the width without scrolling sideways. Screenshots go to
artifacts/screenshots/, named `<page>-<width>.png` as test_browser.py names its own.
Marked `browser`: `.ci/browser` (or `make test-browser`) runs them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import (
    DEFAULT_PASSWORD,
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    TagFactory,
    UserFactory,
)
from tests.frontend.conftest import BROWSER_MARKS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TIMEOUT_MS = 15_000
WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}

pytestmark = BROWSER_MARKS


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


@pytest.fixture(params=list(WIDTHS))
def page(request, browser, live_server, transactional_db):
    width, height = WIDTHS[request.param]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.width = width
    page.problems = []  # console errors, script errors, failed requests, answers >= 400
    page.on(
        "console",
        lambda m: page.problems.append(f"console: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda exc: page.problems.append(f"script: {exc}"))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.method} {r.url}"))
    page.on(
        "response",
        lambda r: (
            page.problems.append(f"{r.status}: {r.request.method} {r.url}")
            if r.status >= 400
            else None
        ),
    )
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.width}.png"), full_page=True)


def fits_the_width(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls {overflow}px sideways at {page.width}px"


def press(locator, key: str = "Enter") -> None:
    """Activate a link, button or summary from the keyboard."""
    locator.focus()
    locator.press(key)


def type_into(page, locator, text: str) -> None:
    locator.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def log_in(page, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.keyboard.type(username)  # the username field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def row(page, slug: str):
    return page.locator(f"[data-tag-row={slug}]")


def test_a_moderator_keeps_the_tag_vocabulary_by_keyboard(page):
    from curation.models import ModerationEvent, Tag

    moderator = ModeratorFactory(username="keeper")
    vision = TagFactory(name="Vision", slug="vision", description="Images and video.")
    images = TagFactory(name="Images", slug="images")
    for _ in range(2):
        PaperTagFactory(paper=PaperFactory(), tag=vision)
    PaperTagFactory(paper=PaperFactory(), tag=images)

    log_in(page, moderator.username, "/moderation/")
    press(page.get_by_role("link", name="Tags", exact=True))
    page.wait_for_url(re.compile(r"/moderation/tags/$"))
    expect()(page.get_by_role("heading", level=1)).to_have_text("Tag vocabulary")
    expect()(row(page, "vision").locator("[data-paper-count]")).to_have_text("2 published papers")
    expect()(row(page, "vision")).to_contain_text("Images and video.")
    fits_the_width(page)
    screenshot(page, "tags-manage")

    # Create: name, Tab, description, Tab, the button.
    type_into(page, page.get_by_label("Name", exact=True).first, "Robot Learning")
    page.keyboard.press("Tab")
    page.keyboard.type("Robots that learn.")
    page.keyboard.press("Tab")
    expect()(page.get_by_role("button", name="Create the tag")).to_be_focused()
    page.keyboard.press("Enter")
    expect()(page.get_by_role("status")).to_have_text("Created the tag “Robot Learning”.")
    expect()(row(page, "robot-learning")).to_contain_text("Robots that learn.")

    # A clash: the service's sentence on the form, what was typed kept, nothing written.
    type_into(page, page.get_by_label("Name", exact=True).first, "VISION")
    page.keyboard.press("Enter")
    expect()(page.locator("#create-error")).to_have_text(
        "A tag with this name or slug exists already."
    )
    expect()(page.get_by_label("Name", exact=True).first).to_have_value("VISION")
    expect()(page.get_by_label("Name", exact=True).first).to_be_focused()
    fits_the_width(page)
    screenshot(page, "tags-manage-refused")
    assert Tag.objects.count() == 3

    # Rename: open the tag's details with the keyboard, change name and description.
    press(row(page, "robot-learning").locator("summary"))
    form = page.get_by_role("form", name="Rename Robot Learning")
    type_into(page, form.get_by_label("Name"), "Robotics")
    type_into(page, form.get_by_label("Description"), "Robots of every kind.")
    press(form.get_by_role("button", name="Save"))
    expect()(page.get_by_role("status")).to_have_text("Saved the tag “Robotics”.")
    expect()(row(page, "robotics")).to_contain_text("Robots of every kind.")

    # Merge into itself is refused on the merge form; then Vision into Images.
    merge = page.locator("#merge-source")
    merge.focus()
    page.keyboard.type("Vision")
    page.keyboard.press("Tab")
    page.keyboard.type("Vision")
    page.keyboard.press("Tab")
    page.keyboard.type("Duplicates")
    page.keyboard.press("Enter")
    expect()(page.locator("#merge-error")).to_have_text("A tag cannot be merged into itself.")
    expect()(page.locator("#merge-reason")).to_have_value("Duplicates")
    page.locator("#merge-into").focus()
    page.keyboard.type("Images")
    press(page.get_by_role("button", name="Merge", exact=True))
    expect()(page.get_by_role("status")).to_have_text(
        "Merged “Vision” into “Images”: 2 papers moved."
    )
    expect()(row(page, "vision")).to_have_count(0)
    expect()(row(page, "images").locator("[data-paper-count]")).to_have_text("3 published papers")

    # Delete, with a reason and the box ticked (Space).
    press(row(page, "robotics").locator("summary"))
    form = page.get_by_role("form", name="Delete Robotics")
    type_into(page, form.get_by_label("Reason to delete"), "Too narrow.")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect()(form.get_by_role("button", name="Delete")).to_be_focused()
    page.keyboard.press("Enter")
    expect()(page.get_by_role("status")).to_have_text("Deleted the tag “Robotics”.")
    expect()(row(page, "robotics")).to_have_count(0)
    fits_the_width(page)
    screenshot(page, "tags-manage-after")

    assert list(Tag.objects.values_list("slug", flat=True)) == ["images"]
    assert list(ModerationEvent.objects.order_by("id").values_list("action", "reason")) == [
        ("create", ""),
        ("rename", ""),
        ("merge", "Duplicates"),
        ("delete", "Too narrow."),
    ]
    page.goto("/moderation/log/?target_kind=tag")
    expect()(page.locator("table.log tbody tr")).to_have_count(4)
    assert page.problems == []


# (as pasted, as kept)
ARXIV_FORMS = [
    ("2401.12345", "2401.12345"),
    ("2402.00001v2", "2402.00001"),
    ("arXiv:2403.00002", "2403.00002"),
    ("https://arxiv.org/abs/2404.00003", "2404.00003"),
    ("https://arxiv.org/pdf/2405.00004v3.pdf", "2405.00004"),
    ("https://huggingface.co/papers/2406.00005", "2406.00005"),
    ("hep-th/9901001", "hep-th/9901001"),
]


def submit(page, arxiv: str, title: str = "", abstract: str = "") -> None:
    """Fill the form from the keyboard, field after field, and send it."""
    type_into(page, page.get_by_label("arXiv id or address"), arxiv)
    page.keyboard.press("Tab")
    page.keyboard.type(title)
    page.keyboard.press("Tab")
    page.keyboard.type(abstract)
    page.keyboard.press("Tab")
    expect()(page.get_by_role("button", name="Submit", exact=True)).to_be_focused()
    page.keyboard.press("Enter")


def test_a_member_submits_papers_by_keyboard_with_every_form_of_arxiv_id(page):
    from papers.models import Paper, PaperStatus

    member = UserFactory(username="submitter")
    known = PaperFactory(title="Known Published Paper", arxiv_id="2301.00007")
    hidden = PaperFactory(
        title="Hidden Old Paper", arxiv_id="2301.00008", status=PaperStatus.HIDDEN
    )

    log_in(page, member.username, "/")
    press(page.get_by_role("link", name="Submit", exact=True))
    page.wait_for_url(re.compile(r"/submit/$"))
    expect()(page.get_by_role("heading", level=1)).to_have_text("Submit a paper")
    fits_the_width(page)
    screenshot(page, "submit")

    expected = {}
    for i, (given, kept) in enumerate(ARXIV_FORMS):
        title = f"Submitted Result {i}"
        page.goto("/submit/")
        submit(page, given, title, f"What result {i} shows.")
        page.wait_for_url(re.compile(r"/papers/\d+/$"))
        expect()(page.get_by_role("heading", level=1)).to_have_text(title)
        expect()(page.locator("[data-state]")).to_have_text("Pending")
        expect()(page.get_by_role("status")).to_contain_text("it is pending")
        expected[title] = kept
        if i == 0:
            fits_the_width(page)
            screenshot(page, "submitted-pending")
    assert (
        dict(Paper.objects.filter(submitted_by=member).values_list("title", "arxiv_id")) == expected
    )

    # The same paper again, in another form and alone: the page shows the one that is here.
    page.goto("/submit/")
    submit(page, "https://arxiv.org/pdf/2401.12345v9.pdf")
    found = page.locator("#submit-found")
    expect()(found).to_contain_text("This paper is here already.")
    expect()(found.get_by_role("link")).to_have_text("Submitted Result 0")
    # A published paper someone else brought: linked too.
    submit(page, "arXiv:2301.00007v1")
    expect()(page.locator("#submit-found").get_by_role("link")).to_have_text(known.title)
    fits_the_width(page)
    screenshot(page, "submit-duplicate")
    press(page.locator("#submit-found").get_by_role("link"))
    expect()(page.get_by_role("heading", level=1)).to_have_text(known.title)
    # A hidden one is never named nor linked.
    page.goto("/submit/")
    submit(page, "2301.00008", "Hidden Old Paper")
    expect()(page.locator("#submit-error")).to_have_text(
        "This paper was submitted before; it is not shown on the site."
    )
    expect()(page.locator("#submit-found")).to_have_count(0)
    assert f"/papers/{hidden.pk}/" not in page.content()
    # An id that is not one: said next to its field, the field focused.
    type_into(page, page.get_by_label("arXiv id or address"), "arxiv.org/list/cs")
    page.keyboard.press("Enter")
    expect()(page.locator("#submit-arxiv-error")).to_have_text(
        "This is not an arXiv id or arXiv URL."
    )
    expect()(page.get_by_label("arXiv id or address")).to_be_focused()
    expect()(page.get_by_label("Title")).to_have_value("Hidden Old Paper")
    fits_the_width(page)
    screenshot(page, "submit-refused")
    assert Paper.objects.count() == 2 + len(ARXIV_FORMS)

    # My page lists them, pending, each a link.
    press(page.get_by_role("link", name="submitter", exact=True))
    submissions = page.locator("[data-submissions] li")
    expect()(submissions).to_have_count(len(ARXIV_FORMS))
    expect()(submissions.first.locator("[data-state]")).to_have_text("Pending")
    expect()(submissions.locator("a")).to_have_count(len(ARXIV_FORMS))
    fits_the_width(page)
    screenshot(page, "me-submissions")
    assert page.problems == []
