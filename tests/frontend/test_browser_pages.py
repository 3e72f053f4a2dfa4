"""What the pages keep right without a reload, and how they look on a phone, in Debian's
Chromium driven by Playwright against a live server (marked `browser`, as test_browser.py;
its screenshots go to artifacts/screenshots/ too)."""

import datetime

import pytest

from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    ModeratorFactory,
    PaperFactory,
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
