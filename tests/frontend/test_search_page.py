"""The search page: the web search syntax, its one-line hint and the count of matches."""

import pytest
from django.urls import reverse

from curation import selectors
from papers.models import Paper
from papers.services.search_index import search_index_refresh
from tests.factories import PaperFactory
from tests.frontend.conftest import CHROMIUM
from tests.frontend.test_browser import expect, page, screenshot  # noqa: F401

pytestmark = pytest.mark.django_db


def _search(client, q, **params):
    return client.get(reverse("search"), {"q": q, **params})


def test_the_page_shows_the_syntax_hint(client):
    body = client.get(reverse("search")).content.decode()
    assert 'aria-describedby="q-hint"' in body
    assert '<code>"a phrase"</code>' in body and "<code>-word</code>" in body


def test_phrases_or_and_minus_reach_the_page(client):
    PaperFactory(title="Language model scaling", abstract="Tokens.")
    PaperFactory(title="Model of vision", abstract="Language grounding.")
    PaperFactory(title="Dense retrieval", abstract="Passages.")
    search_index_refresh()
    phrase = _search(client, '"language model"').content.decode()
    assert "Language model scaling" in phrase and "Model of vision" not in phrase
    assert "1 paper matches." in phrase
    either = _search(client, "vision or retrieval").content.decode()
    assert "Model of vision" in either and "Dense retrieval" in either
    assert "2 papers match." in either
    minus = _search(client, "model -vision").content.decode()
    assert "Language model scaling" in minus and "Model of vision" not in minus


def test_no_match_says_so_once(client):
    body = _search(client, "zebra").content.decode()
    assert "No published paper matches" in body and "papers match" not in body


def test_the_count_stops_at_the_cap(client, monkeypatch):
    monkeypatch.setattr("frontend.views.PAGE_SIZE", 2)
    monkeypatch.setattr("frontend.views.SEARCH_COUNT_CAP", 3)
    monkeypatch.setattr(
        "frontend.views.papers_search_count",
        lambda results: selectors.papers_search_count(results, cap=3),
    )
    for i in range(6):
        PaperFactory(title=f"Graph study {i}")
    search_index_refresh()
    assert "More than 3 papers match." in _search(client, "graph").content.decode()
    for paper in Paper.objects.all()[:3]:
        paper.delete()
    assert "3 papers match." in _search(client, "graph").content.decode()
    # The next pages and the items fetched by "Load more" say it only on full pages.
    assert "match" not in _search(client, "graph", partial="items").content.decode()


# --- In the browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")
@pytest.mark.django_db(transaction=True)
def test_a_reader_searches_with_a_phrase_or_and_minus(page):  # noqa: F811
    PaperFactory(title="Language model scaling", abstract="Tokens.", arxiv_id="2401.01234")
    PaperFactory(title="Model of vision", abstract="Language grounding.")
    PaperFactory(title="Dense retrieval", abstract="Passages.")
    search_index_refresh()

    def search(words):
        box = page.get_by_label("Words in the title or abstract")
        box.fill(words)
        box.press("Enter")
        page.wait_for_load_state()

    page.goto("/search/")
    expect()(page.locator("#q-hint")).to_contain_text('"a phrase"')
    titles = page.locator("article.paper h2")
    search('"language model"')
    expect()(titles).to_have_text(["Language model scaling"])
    expect()(page.locator(".result-count")).to_have_text("1 paper matches.")
    search("vision or retrieval")
    expect()(titles).to_have_count(2)
    expect()(page.locator(".result-count")).to_have_text("2 papers match.")
    search("model -vision")
    expect()(titles).to_have_text(["Language model scaling"])
    search("https://arxiv.org/abs/2401.01234v2")
    expect()(titles).to_have_text(["Language model scaling"])
    search('"no such phrase here"')
    expect()(page.locator(".empty")).to_contain_text("No published paper matches")
    search("model")
    screenshot(page, "search-syntax")
