"""The "For you" tab in Debian's Chromium (Playwright, live server), at desktop and phone
width, by keyboard, with no console error: a new member finds the hot feed and a sentence
saying what to do, upvotes three papers of one topic from their pages, and finds that topic
ranked for them with "Why this paper"; a paper marked not interested is gone at the next
load. Marked `browser` like test_browser.py; screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from recommendations.services import features_fit
from tests.factories import UserFactory
from tests.frontend.conftest import BROWSER_MARKS
from tests.frontend.test_browser import SCREENSHOTS, expect, log_in, page  # noqa: F401
from tests.recommendations.synthetic import topic_corpus

pytestmark = BROWSER_MARKS


@pytest.fixture
def corpus(transactional_db):
    papers = topic_corpus(per_topic=12)
    assert features_fit() is not None
    return papers


def press(locator, key: str = "Enter") -> None:
    locator.focus()
    locator.press(key)


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (375, 812)])
def test_a_member_upvotes_a_topic_and_gets_it_for_them(page, corpus, width, height):  # noqa: F811
    page.set_viewport_size({"width": width, "height": height})
    UserFactory(username="reader")
    log_in(page, "reader")

    # The tab, by keyboard; a cold start sees the hot feed and what to do.
    tab = page.get_by_role("navigation", name="Order").get_by_role("link", name="For you")
    press(tab)
    page.wait_for_url(re.compile(r"order=for_you"))
    note = page.locator("[data-for-you-note]")
    expect()(note).to_have_attribute("data-for-you-note", "cold_start")
    expect()(note).to_contain_text("upvote and add to your lists")
    expect()(page.locator("article.paper").first).to_be_visible()
    expect()(page.locator("p.why")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    liked = corpus["graphs"][:3]
    for paper in liked:
        page.goto(f"/papers/{paper.pk}/")
        vote = page.get_by_role("button", name="Upvote this paper")
        press(vote)
        expect()(vote).to_have_attribute("aria-pressed", "true")

    page.goto("/?order=for_you")
    expect()(page.locator("[data-for-you-note]")).to_have_attribute("data-for-you-note", "ready")
    cards = page.locator("article.paper")
    expect()(cards).to_have_count(20)  # a page
    graphs = {p.title for p in corpus["graphs"][3:]}
    firsts = [cards.nth(i).locator("h2").inner_text() for i in range(len(graphs))]
    assert set(firsts) == graphs
    why = cards.first.locator("p.why")
    expect()(why).to_contain_text("Why this paper: close to")
    link = why.get_by_role("link").first
    assert link.inner_text() in {p.title for p in liked}
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"feed-for-you-{width}.png"))

    # Not interested: gone from the feed at the next load.
    first_title = firsts[0]
    refuse = cards.first.get_by_role("button", name=re.compile("^Not interested"))
    press(refuse)
    expect()(refuse).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect()(page.locator("[data-for-you-note]")).to_have_attribute("data-for-you-note", "ready")
    expect()(page.locator("article.paper", has_text=first_title)).to_have_count(0)

    # The "why" link leads to the member's own paper.
    press(page.locator("p.why").first.get_by_role("link").first)
    expect()(page).to_have_url(re.compile(r"/papers/\d+/$"))
