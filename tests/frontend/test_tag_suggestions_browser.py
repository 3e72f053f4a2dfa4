"""A tag's suggestions in Debian's Chromium (Playwright, live server, the strict `page`
fixture of test_browser.py: no console error, no unexpected 4xx/5xx), by keyboard at desktop
and phone width: a moderator adds one suggested paper to the tag and dismisses another; a
member sees no block; a small tag says why it has none. Screenshots go to
artifacts/screenshots/."""

from __future__ import annotations

import random
import re

import pytest

from tests.factories import (
    ModeratorFactory,
    PaperTagFactory,
    TagFactory,
    UserFactory,
)
from tests.frontend.conftest import BROWSER_MARKS
from tests.frontend.test_browser import expect, page, screenshot  # noqa: F401
from tests.frontend.test_form_pages_browser import log_in, press
from tests.recommendations.test_tag_suggestions import TOPICS, synthetic_paper

pytestmark = BROWSER_MARKS


def fits_the_width(browser_page, width: int) -> None:
    """Nothing wider than the screen: long titles wrap, the buttons go under them."""
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def trained(transactional_db):
    """Four topics of 30 papers, fitted as the embedded default does (its commit sends the
    tags' training), a tag on 8 graph papers trained, a tag on 2 papers."""
    from curation.services import tag_counts_refresh
    from recommendations.services import features_fit, tag_suggestions_refresh

    rng = random.Random(3)
    papers = {topic: [synthetic_paper(topic, i, rng) for i in range(30)] for topic in TOPICS}
    features_fit()
    graphs = TagFactory(name="Graphs", slug="graphs")
    small = TagFactory(name="Tiny", slug="tiny")
    for paper in papers["graphs"][:8]:
        PaperTagFactory(paper=paper, tag=graphs)
    for paper in papers["speech"][:2]:
        PaperTagFactory(paper=paper, tag=small)
    tag_counts_refresh()
    assert tag_suggestions_refresh() == 1
    return {"papers": papers, "graphs": graphs}


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (375, 812)])
def test_a_moderator_adds_and_dismisses_suggestions_by_keyboard(page, trained, width, height):  # noqa: F811
    from curation.models import ModerationEvent, PaperTag
    from recommendations.models import TagSuggestionDismissal

    ModeratorFactory(username="keeper")
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, "keeper", "/tags/graphs/")
    block = page.locator("section.tag-suggestions")
    expect()(block.get_by_role("heading", name="Papers that may belong here")).to_be_visible()
    items = block.locator("ol.suggestion-list > li")
    expect()(items).to_have_count(10)
    fits_the_width(page, width)
    if width == 1280:
        screenshot(page, "tag-suggestions")
        page.set_viewport_size({"width": width, "height": height})

    first_title = items.first.get_by_role("link").inner_text()
    press(items.first.get_by_role("button", name=re.compile(r"^Add “")))
    expect()(page.locator(".messages")).to_contain_text(f"Added “{first_title}” to Graphs.")
    added = PaperTag.objects.get(tag=trained["graphs"], paper__title=first_title)
    assert ModerationEvent.objects.filter(target_id=added.paper_id, to_state="tags: + Graphs")
    expect()(block.get_by_role("link", name=first_title, exact=True)).to_have_count(0)

    second_title = items.first.get_by_role("link").inner_text()
    press(items.first.get_by_role("button", name=re.compile(r"^Dismiss “")))
    expect()(page.locator(".messages")).to_contain_text(f"Dismissed “{second_title}”")
    assert TagSuggestionDismissal.objects.filter(paper__title=second_title).exists()
    expect()(block.get_by_role("link", name=second_title, exact=True)).to_have_count(0)
    expect()(items).to_have_count(10)  # the spare suggestions fill in
    fits_the_width(page, width)

    page.goto("/tags/tiny/")
    expect()(page.locator("section.tag-suggestions .empty")).to_contain_text(
        "this tag has 2 published papers"
    )


def test_a_member_sees_no_suggestions(page, trained):  # noqa: F811
    UserFactory(username="reader")
    log_in(page, "reader", "/tags/graphs/")
    expect()(page.get_by_role("heading", level=1)).to_have_text("Tag: Graphs")
    expect()(page.locator("section.tag-suggestions")).to_have_count(0)
