"""What the pages keep right without a reload, and how they look on a phone, in Debian's
Chromium driven by Playwright against a live server (marked `browser`, as test_browser.py;
its screenshots go to artifacts/screenshots/ too)."""

import datetime
import re

import pytest

from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    DumpFactory,
    ModeratorFactory,
    PaperFactory,
    StaffUserFactory,
    UserFactory,
)
from tests.frontend.conftest import BROWSER_MARKS
from tests.frontend.test_browser import expect, log_in, page, screenshot  # noqa: F401

pytestmark = BROWSER_MARKS


@pytest.fixture
def paper(transactional_db):
    day = DigestFactory(date=datetime.date.today())
    paper = PaperFactory(title="A Paper To Discuss", first_digest_on=day.date)
    DigestEntryFactory(digest=day, paper=paper, position=1)
    return paper


def test_deleting_a_comment_updates_the_count(
    page,  # noqa: F811
    paper,
):
    from curation.services import comment_create

    member = UserFactory(username="writer")
    comment_create(user=UserFactory(username="other"), paper=paper, body="Theirs")
    mine = comment_create(user=member, paper=paper, body="Mine, to delete")

    log_in(page, member.username)
    page.goto(f"/papers/{paper.pk}/")
    count = page.locator("[data-comment-count]")
    expect()(count).to_have_text("(2)")
    mine = page.locator(f"#c{mine.pk}")
    mine.get_by_role("button", name="Delete").click()
    expect()(mine.locator("[data-body]")).to_have_text("[deleted]")
    expect()(count).to_have_text("(1)")
    assert page.dialogs == ["Delete this comment? Replies stay in place."]
    assert page.console_errors == []


def test_resolving_flags_updates_the_queue_counts(
    page,  # noqa: F811
    paper,
):
    from curation.services import comment_create, comment_flag

    moderator = ModeratorFactory(username="mod")
    flagger = UserFactory(username="flagger")
    for body in ("Rude one", "Rude two"):
        comment = comment_create(user=UserFactory(), paper=paper, body=body)
        comment_flag(comment=comment, user=flagger, reason="abuse")

    log_in(page, moderator.username)
    page.goto("/moderation/")
    count = page.locator("[data-flagged-count]")
    expect()(count).to_have_text("(2)")
    first, second = page.locator("[data-queue-comment]").all()
    expect()(first).to_contain_text("Rude one")
    first.get_by_role("button", name="Dismiss flags").click()
    expect()(first).to_contain_text("Flags dismissed.")
    expect()(count).to_have_text("(1)")
    second.get_by_label("Reason").fill("Abuse")
    second.get_by_role("button", name="Hide").click()
    expect()(second).to_contain_text("Hidden.")
    expect()(count).to_have_text("(0)")
    screenshot(page, "moderation-queue-resolved")
    assert page.console_errors == []


def test_pages_have_an_icon_and_load_without_console_errors(
    page,  # noqa: F811
    paper,
):
    loaded = []
    page.on("response", lambda response: loaded.append((response.status, response.url)))
    for path in ("/", f"/papers/{paper.pk}/", "/moderation/log/", "/accounts/login/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    icon = page.locator("link[rel=icon]")
    href = icon.get_attribute("href")
    answer = page.request.get(href)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert [url for status, url in loaded if status >= 400] == []
    assert page.console_messages == []
    assert page.console_errors == []


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# Lines an element's text takes: its text boxes, grouped where they overlap vertically.
LINES_JS = """el => {
  const boxes = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    boxes.push(...[...range.getClientRects()].filter(r => r.width > 0));
  }
  boxes.sort((a, b) => a.top - b.top);
  let lines = 0, bottom = -Infinity;
  for (const box of boxes) {
    if (box.top >= bottom - 1) lines += 1;
    bottom = Math.max(bottom, box.bottom);
  }
  return lines;
}"""


def _check_layout(tab, badges: str | None, *, where) -> None:
    """Header targets of at least 24 CSS pixels (WCAG 2.2's minimum target size), no page
    wider than the window, each state badge (`badges`) on one line, and no table cell
    wrapped letter by letter."""
    heights = tab.locator("header.site nav a, header.site nav button").evaluate_all(
        "els => els.map(el => el.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 24, (where, heights)
    width = tab.evaluate("window.innerWidth")
    assert tab.evaluate("document.documentElement.scrollWidth") <= width, where
    if badges:
        for badge in tab.locator(badges).all():
            assert badge.evaluate(LINES_JS) == 1, (where, badge.inner_text())
    # No table cell takes more lines than it has words (a line may break after a hyphen,
    # as in file names).
    for cell in tab.locator("td").all():
        words = len(re.findall(r"[^\s-]+", cell.inner_text()))
        if words:
            assert cell.evaluate(LINES_JS) <= words, (where, cell.inner_text())


def test_targets_are_big_enough_and_nothing_wraps_letter_by_letter(
    page,  # noqa: F811
    paper,
):
    from curation.services import paper_hide, paper_publish
    from papers.models import DumpStatus, PaperStatus

    admin = StaffUserFactory(username="phone-admin")
    DumpFactory(uploaded_by=admin, original_name="digest-2024-08-22-plain.txt")
    DumpFactory(
        uploaded_by=admin,
        status=DumpStatus.PROCESSING,
        original_name="a-rather-long-dump-file-name-from-the-crawler.txt",
    )
    pending = PaperFactory(title="Waiting", status=PaperStatus.PENDING, first_digest_on=None)
    paper_publish(paper=pending, moderator=admin)
    paper_hide(paper=pending, moderator=admin, reason="Withdrawn by its authors last week")

    log_in(page, admin.username)
    pages = {
        "/?order=new": ("feed-moderator", ".paper .state"),
        f"/papers/{pending.pk}/": ("paper-hidden", ".facts .state"),
        "/uploads/": ("uploads-busy", "table.dumps .state"),
        "/moderation/log/": ("moderation-log-hide", None),
    }
    for path, (name, badges) in pages.items():
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            page.goto(path)
            _check_layout(page, badges, where=(path, viewport["width"]))
        screenshot(page, name)
    assert page.console_errors == []


# On a phone, what a finger ticks or taps in a page's content is at least 24 CSS pixels
# each way too: the queue's boxes, a tag's "×", the vocabulary's confirmation box.
CONTROLS = "main input[type=checkbox], main input[type=radio], main .chip-remove"


def test_boxes_and_small_buttons_are_big_enough_to_tap_on_a_phone(
    page,  # noqa: F811
    paper,
):
    from curation.services import paper_tag_add, tag_create
    from papers.models import PaperStatus

    moderator = ModeratorFactory(username="phone-mod")
    PaperFactory(title="Waiting", status=PaperStatus.PENDING, first_digest_on=None)
    tag = tag_create(moderator=moderator, name="Vision")
    paper_tag_add(paper=paper, tag=tag, user=moderator)
    log_in(page, moderator.username)
    page.set_viewport_size(PHONE)
    for path in ("/moderation/", "/moderation/tags/", f"/papers/{paper.pk}/"):
        page.goto(path)
        for summary in page.locator("main details:not([open]) > summary").all():
            summary.click()  # the vocabulary's delete forms
        sizes = page.locator(CONTROLS).evaluate_all(
            "els => els.map(el => { const r = el.getBoundingClientRect(); "
            "return [Math.round(r.width), Math.round(r.height)]; })"
        )
        assert sizes, path
        assert [s for s in sizes if min(s) < 24] == [], (path, sizes)
    assert page.console_errors == []
