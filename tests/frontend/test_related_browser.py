"""A paper's related papers in Debian's Chromium (Playwright, live server), at desktop and
phone width, with no console error: a sample digest ingested as the embedded default does it
(its commit sends the refresh, which fits the first features), then a reader goes from a
paper to a related one. Marked `browser` like test_browser.py; screenshots go to
artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile

from papers.models import Paper
from papers.services import dump_create, dump_ingest
from recommendations.models import RelatedPaper
from recommendations.selectors import feature_version_current
from tests.frontend.conftest import BROWSER_MARKS
from tests.frontend.test_browser import FIXTURES, expect, page, screenshot  # noqa: F401

pytestmark = BROWSER_MARKS


@pytest.fixture
def digest(transactional_db):
    name = "digest-aug22-plain.txt"
    content = (FIXTURES / name).read_bytes()
    dump = dump_create(
        file=ContentFile(content, name=name), original_name=name, publish=True, enqueue=False
    )
    assert dump_ingest(dump=dump).status == "done"
    # The ingestion's commit sent the refresh, which fitted the first features.
    assert feature_version_current() is not None
    return Paper.objects.all()


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (375, 812)])
def test_a_reader_goes_from_a_paper_to_a_related_one(page, digest, width, height):  # noqa: F811
    page.set_viewport_size({"width": width, "height": height})
    paper = digest.get(title__startswith="NeuRBF")
    nearest = RelatedPaper.objects.filter(paper=paper).order_by("-score").first().related

    page.goto(f"/papers/{paper.pk}/")
    section = page.locator("section.related")
    expect()(section.get_by_role("heading", name="Related papers")).to_be_visible()
    items = section.locator("ol.related-list > li")
    expect()(items).to_have_count(10)
    first = items.first.get_by_role("link")
    expect()(first).to_have_text(nearest.title)
    first.scroll_into_view_if_needed()
    expect()(first).to_be_visible()
    # Nothing wider than the screen: long titles wrap.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 1280:
        screenshot(page, "paper-related")
        page.set_viewport_size({"width": width, "height": height})

    first.click()
    expect()(page).to_have_url(re.compile(rf"/papers/{nearest.pk}/$"))
    expect()(page.get_by_role("heading", level=1)).to_have_text(nearest.title)
    expect()(page.locator("section.related ol.related-list > li")).to_have_count(10)
