"""RSS and Atom feeds of published papers, overall and per tag."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils.html import escape

from curation.feeds import FEED_SIZE, paper_link
from tests.factories import PaperFactory, PaperTagFactory, TagFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DAY = datetime.date(2024, 8, 22)
HOSTILE = "<script>alert(1)</script> & <img src=x onerror=alert(2)>"


def _rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return channel.findall("item")


def _atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def _rss_links(items):
    return [item.findtext("link") for item in items]


def _atom_links(entries):
    return [entry.find(f"{ATOM}link").get("href") for entry in entries]


def _url(paper):
    return f"http://testserver{paper_link(paper)}"


@pytest.fixture
def papers():
    """Three published papers over two digest days, plus a pending and a hidden one."""
    older = PaperFactory(title="Older", first_digest_on=DAY - datetime.timedelta(days=1))
    first = PaperFactory(title="First of the day", first_digest_on=DAY)
    second = PaperFactory(title="Second of the day", first_digest_on=DAY)
    PaperFactory(title="Pending", status="pending", first_digest_on=DAY)
    PaperFactory(title="Hidden", status="hidden", first_digest_on=DAY)
    return {"older": older, "first": first, "second": second}


def test_rss_lists_the_published_papers_newest_first(client, papers):
    items = _rss_items(client, "/feeds/rss/")
    expected = [papers["second"], papers["first"], papers["older"]]
    assert _rss_links(items) == [_url(p) for p in expected]
    assert [item.findtext("title") for item in items] == [p.title for p in expected]
    assert items[0].findtext("description") == papers["second"].abstract
    assert items[0].findtext("pubDate") == "Thu, 22 Aug 2024 00:00:00 +0000"
    assert items[0].findtext("guid") == _url(papers["second"])


def test_atom_lists_the_published_papers_newest_first(client, papers):
    entries = _atom_entries(client, "/feeds/atom/")
    expected = [papers["second"], papers["first"], papers["older"]]
    assert _atom_links(entries) == [_url(p) for p in expected]
    assert [e.findtext(f"{ATOM}title") for e in entries] == [p.title for p in expected]
    assert entries[2].findtext(f"{ATOM}published") == "2024-08-21T00:00:00+00:00"
    assert entries[0].find(f"{ATOM}summary").get("type") == "html"


def test_items_carry_their_tags_as_categories(client, papers):
    PaperTagFactory(paper=papers["first"], tag=TagFactory(name="Vision", slug="vision"))
    PaperTagFactory(paper=papers["first"], tag=TagFactory(name="Audio", slug="audio"))
    [item] = [
        i for i in _rss_items(client, "/feeds/rss/") if i.findtext("title") == "First of the day"
    ]
    assert [c.text for c in item.findall("category")] == ["Audio", "Vision"]
    [entry] = [
        e
        for e in _atom_entries(client, "/feeds/atom/")
        if e.findtext(f"{ATOM}title") == "First of the day"
    ]
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Audio", "Vision"]


def test_a_tag_feed_lists_only_the_published_papers_with_that_tag(client, papers):
    vision = TagFactory(name="Vision", slug="vision")
    PaperTagFactory(paper=papers["older"], tag=vision)
    PaperTagFactory(paper=papers["second"], tag=vision)
    PaperTagFactory(paper=papers["first"], tag=TagFactory(name="Audio", slug="audio"))
    PaperTagFactory(paper=PaperFactory(status="pending", first_digest_on=DAY), tag=vision)
    expected = [_url(papers["second"]), _url(papers["older"])]

    assert _rss_links(_rss_items(client, "/feeds/tags/vision/rss/")) == expected
    assert _atom_links(_atom_entries(client, "/feeds/tags/vision/atom/")) == expected
    channel = ET.fromstring(client.get("/feeds/tags/vision/rss/").content).find("channel")
    assert channel.findtext("title") == "Paperboard: papers tagged Vision"


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_an_unknown_tag_is_404(client, fmt):
    assert client.get(f"/feeds/tags/no-such-tag/{fmt}/").status_code == 404


def test_hostile_titles_and_abstracts_are_escaped(client):
    PaperFactory(title=HOSTILE, abstract=f"Abstract {HOSTILE}", first_digest_on=DAY)
    for url in ("/feeds/rss/", "/feeds/atom/"):
        body = client.get(url).content
        assert b"<script>" not in body
        assert b"<img" not in body
        ET.fromstring(body)  # parses

    [item] = _rss_items(client, "/feeds/rss/")
    # RSS title and description are read as HTML by readers: escaped once more, so a reader
    # shows the text instead of running it.
    assert item.findtext("title") == escape(HOSTILE)
    assert item.findtext("description") == escape(f"Abstract {HOSTILE}")
    [entry] = _atom_entries(client, "/feeds/atom/")
    assert entry.findtext(f"{ATOM}title") == HOSTILE  # type="text": shown as it is
    assert entry.findtext(f"{ATOM}summary") == escape(f"Abstract {HOSTILE}")


def test_a_feed_holds_the_newest_fifty(client):
    papers = [PaperFactory(first_digest_on=DAY) for _ in range(FEED_SIZE + 2)]
    links = _rss_links(_rss_items(client, "/feeds/rss/"))
    assert links == [_url(p) for p in reversed(papers)][:FEED_SIZE]


@pytest.mark.parametrize("size", [1, 20])
@pytest.mark.parametrize(
    "url, queries",
    [
        ("/feeds/rss/", 2),  # papers, their tags
        ("/feeds/atom/", 2),
        ("/feeds/tags/vision/rss/", 3),  # the tag, papers, their tags
        ("/feeds/tags/vision/atom/", 3),
    ],
)
def test_a_feed_costs_the_same_queries_whatever_it_holds(
    client, django_assert_num_queries, size, url, queries
):
    vision = TagFactory(name="Vision", slug="vision")
    audio = TagFactory(name="Audio", slug="audio")
    for _ in range(size):
        paper = PaperFactory(first_digest_on=DAY)
        PaperTagFactory(paper=paper, tag=vision)
        PaperTagFactory(paper=paper, tag=audio)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
