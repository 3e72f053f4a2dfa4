"""Papers ingested from dumps written here (not the samples), then read back through every
door: the API's filters (`arxiv_id` in every form, `has_code` on every list), the search box,
the feed's cards and the paper page, thumbnails and the policy, and the citation files of
every published paper."""

from __future__ import annotations

import html
import re

import bibtexparser
import pytest
from django.test import Client
from rest_framework.test import APIClient

from papers.models import Paper
from papers.services.search_index import search_index_refresh
from tests.curation.test_citations import parse_bibtex, parse_bibtex_authors, parse_ris
from tests.factories import PaperTagFactory, TagFactory
from tests.frontend.conftest import CHROMIUM
from tests.frontend.test_browser import expect, page  # noqa: F401
from tests.papers.test_unseen_hf_dumps import api_item, author, dump

pytestmark = pytest.mark.django_db

HOSTILE_TITLES = [
    "Braces {BERT} and % percent & amp $dollar$ _under_ #hash ~tilde ^caret \\back",
    "Unicode: Gödel’s Théorème — 量子 Ωmega ∑ 🚀",
    "LaTeX $\\alpha$-Nets: \\emph{Fast} and {{Robust}}",
    "Unbalanced } brace { here",
    "Quotes \"double\" and @misc{x, title={y}} and ``ticks''",
    "Collision Paper",
    "Collision Paper Two",
    "Collision Paper Three",
]


@pytest.fixture
def published(ingest):
    items = []
    for n, title in enumerate(HOSTILE_TITLES):
        authors = [author("Li Wei"), author("Zhang San"), author("Jean-Luc Picard")]
        if n == 0:
            authors = [author("Ada Lovelace"), author("Secret", hidden=True)]
        if n == 1:
            authors = [author(f"Author {chr(65 + i)} Person") for i in range(6)]
        item = api_item(
            f"2502.{10000 + n:05d}v{n + 1}", title, day=f"2025-02-{n + 1:02d}", authors=authors
        )
        if n % 2:
            item["paper"]["githubRepo"] = None
        items.append(item)
    old = api_item("hep-th/9901001v3", "Strings Of Old", day="2025-02-20", githubRepo=None)
    items.append(old)
    # Collisions: same family name, same year, same first word, no arXiv id.
    for n in range(3):
        no_id = api_item("x", f"Collision Study {'I' * (n + 1)}", day="2025-02-21")
        del no_id["paper"]["id"]
        no_id["paper"]["authors"] = [author("Li Wei")]
        items.append(no_id)
    ingest(dump(*items), name="many.json", publish=True)
    assert Paper.objects.count() == len(items)
    tag = TagFactory(name="Physics", slug="physics")
    for paper in Paper.objects.all():
        PaperTagFactory(paper=paper, tag=tag)
    search_index_refresh()  # on PostgreSQL, what a worker does after the dump commits
    return Paper.objects.all()


ARXIV_FORMS = [
    "2502.10002",
    "2502.10002v3",
    "2502.10002v9",
    "arXiv:2502.10002",
    "arxiv:2502.10002v1",
    "ARXIV:2502.10002",
    "https://arxiv.org/abs/2502.10002v3",
    "http://arxiv.org/abs/2502.10002",
    "https://www.arxiv.org/abs/2502.10002",
    "https://arxiv.org/pdf/2502.10002",
    "https://arxiv.org/pdf/2502.10002v3.pdf",
    "https://arxiv.org/pdf/2502.10002.pdf",
    "arxiv.org/html/2502.10002v2",
    "https://huggingface.co/papers/2502.10002",
]
OLD_FORMS = [
    "hep-th/9901001",
    "hep-th/9901001v1",
    "arXiv:hep-th/9901001",
    "https://arxiv.org/abs/hep-th/9901001v3",
    "https://arxiv.org/pdf/hep-th/9901001.pdf",
]


@pytest.mark.parametrize("form", ARXIV_FORMS + OLD_FORMS)
def test_api_filter_and_search_box_find_the_paper_in_every_form(published, form):
    target = Paper.objects.get(arxiv_id="hep-th/9901001" if "hep" in form else "2502.10002")
    answer = APIClient().get("/api/papers/", {"arxiv_id": form})
    assert answer.status_code == 200, answer.content
    assert [p["id"] for p in answer.json()["results"]] == [target.pk]
    found = APIClient().get("/api/papers/", {"q": form})
    assert [p["id"] for p in found.json()["results"]] == [target.pk]
    answer = Client().get("/search/", {"q": form})
    assert answer.status_code == 200
    assert f'data-paper-id="{target.pk}"' in answer.content.decode()
    home = Client().get("/", {"q": form}, follow=True)
    assert f'data-paper-id="{target.pk}"' in home.content.decode()


def _ids(answer) -> set[int]:
    assert answer.status_code == 200, answer.content
    return {p["id"] for p in answer.json()["results"]}


def test_has_code_on_every_api_list(published):
    with_code = set(Paper.objects.exclude(github_repo="").values_list("pk", flat=True))
    assert 0 < len(with_code) < Paper.objects.count()
    api = APIClient()
    for params in (
        {},
        {"order": "new"},
        {"order": "top", "period": "all"},
        {"tag": "physics"},
        {"digest": "2025-02-01"},
        {"date": "2025-02-01"},
        {"q": "Collision"},
        {"q": "Paper"},
    ):
        every = _ids(api.get("/api/papers/", params))
        coded = _ids(api.get("/api/papers/", {**params, "has_code": "true"}))
        assert every, params
        assert coded == every & with_code, params


WEB_LISTS = [
    "/",
    "/?order=new",
    "/?order=top&period=all",
    "/?view=day",
    "/?date=2025-02-02",
    "/tags/physics/",
    "/tags/physics/?order=new",
    "/search/?q=Paper",
    "/search/?q=Collision",
]


@pytest.mark.parametrize("path", WEB_LISTS)
def test_has_code_chip_on_every_web_list(published, path):
    no_code = set(Paper.objects.filter(github_repo="").values_list("pk", flat=True))
    sep = "&" if "?" in path else "?"
    text = Client().get(f"{path}{sep}has_code=1").content.decode()
    shown = {int(i) for i in re.findall(r'<article class="paper" data-paper-id="(\d+)"', text)}
    assert not shown & no_code, path
    assert "Has code" in text


def test_card_and_paper_page(published):
    paper = Paper.objects.get(arxiv_id="2502.10001")
    text = Client().get("/?order=new").content.decode()
    card = text.split(f'data-paper-id="{paper.pk}"', 1)[1].split("</article>", 1)[0]
    assert "Author A Person, Author B Person, Author C Person et al." in card
    assert 'href="https://arxiv.org/abs/2502.10001"' in card
    assert 'href="https://arxiv.org/pdf/2502.10001"' in card
    assert "Digest 2025-02-02" in card
    assert "10 upvotes on Hugging Face" in card
    assert ">Code</a>" not in card  # its item's githubRepo was null

    first = Paper.objects.get(arxiv_id="2502.10000")
    card = text.split(f'data-paper-id="{first.pk}"', 1)[1].split("</article>", 1)[0]
    # One author named, one hidden: the card must not read as a sole author.
    assert "Ada Lovelace et al." in card
    assert 'href="https://github.com/example/compilers"' in card
    assert "★ 100" in card
    assert 'href="https://example.org/compilers"' in card

    detail = Client().get(f"/papers/{paper.pk}/").content.decode()
    for i in range(6):
        assert f"Author {chr(65 + i)} Person" in detail
    assert 'href="https://huggingface.co/papers/2502.10001"' in detail
    assert "Compilers compile." in detail
    assert "COBOL" in detail
    assert '<a href="https://example.org/compilers" rel="nofollow">' in detail
    assert "navy-research" in detail
    assert "akhaliq" in detail
    assert "13 January 2025" in detail
    assert '<img class="thumb"' not in detail


def test_thumbnails_and_policy(published, settings):
    paper = Paper.objects.get(arxiv_id="2502.10001")
    answer = Client().get(f"/papers/{paper.pk}/")
    assert "https:" not in answer["Content-Security-Policy"].split("img-src", 1)[1].split(";")[0]
    assert "cdn-thumbnails" not in answer.content.decode()
    settings.SHOW_SOURCE_THUMBNAILS = True
    from django.core.cache import cache

    cache.clear()  # the anonymous page cache kept the page of the setting before
    answer = Client().get(f"/papers/{paper.pk}/")
    assert "https:" in answer["Content-Security-Policy"].split("img-src", 1)[1].split(";")[0]
    assert '<img class="thumb" src="https://cdn-thumbnails' in answer.content.decode()


def _bib_entries(text: str) -> list:
    entries = parse_bibtex(text)
    return entries


def _check_bibtex(text: str, papers) -> None:
    entries = _bib_entries(text)
    assert len(entries) == len(papers)
    keys = [e.key for e in entries]
    assert len(set(keys)) == len(keys)
    by_title = {e.fields_dict["title"].value: e for e in entries}
    authors = parse_bibtex_authors(text)
    by_key_authors = dict(zip(keys, authors, strict=True))
    for paper in papers:
        entry = by_title[paper.title]
        assert entry.fields_dict["year"].value in ("2025", "1999", "2024")
        if paper.arxiv_id:
            assert entry.fields_dict["eprint"].value == paper.arxiv_id
        named = by_key_authors[entry.key]
        if named and named[-1] == "others":
            named = named[:-1]
        assert named == paper.authors


def _check_ris(text: str, papers) -> None:
    records = parse_ris(text)
    assert len(records) == len(papers)
    by_title = {r["TI"][0]: r for r in records}
    for paper in papers:
        record = by_title[paper.title]
        assert len(record["AU"]) == len(paper.authors)
        if paper.arxiv_id:
            assert record["AN"] == [f"arXiv:{paper.arxiv_id}"]


def test_citations_of_every_published_paper_through_every_door(published):
    api = APIClient()
    every = list(Paper.objects.order_by("pk"))
    for params, papers in (
        ({}, every),
        ({"tag": "physics"}, every),
        ({"q": "Collision"}, [p for p in every if "Collision" in p.title]),
        ({"digest": "2025-02-01"}, [p for p in every if p.first_digest_on.day == 1]),
    ):
        bib = api.get("/api/papers/export/", {"format": "bibtex", **params})
        assert bib.status_code == 200
        _check_bibtex(b"".join(bib.streaming_content).decode(), papers)
        ris = api.get("/api/papers/export/", {"format": "ris", **params})
        _check_ris(b"".join(ris.streaming_content).decode(), papers)
    for paper in every:
        one = Client().get(f"/papers/{paper.pk}/cite.bib")
        assert one.status_code == 200
        _check_bibtex(one.content.decode(), [paper])
        one = api.get(f"/api/papers/{paper.pk}/citation/", {"format": "ris"})
        if one.status_code == 200:
            _check_ris(one.content.decode(), [paper])
    # The web pages' links point at the same export.
    for path in ("/tags/physics/", "/search/?q=Collision", "/?date=2025-02-01"):
        text = Client().get(path).content.decode()
        link = html.unescape(
            re.search(r'href="(/api/papers/export/\?format=bibtex[^"]*)"', text)[1]
        )
        bib = Client().get(link)
        assert bib.status_code == 200
        text = b"".join(bib.streaming_content).decode()
        assert bibtexparser.parse_string(text).failed_blocks == []


def test_the_api_shows_the_sources_fields(published):
    paper = Paper.objects.get(arxiv_id="2502.10001")
    detail = APIClient().get(f"/api/papers/{paper.pk}/").json()
    assert detail["authors"] == [f"Author {chr(65 + i)} Person" for i in range(6)]
    assert (detail["arxiv_id"], detail["arxiv_version"], detail["author_count"]) == (
        "2502.10001",
        2,
        6,
    )
    assert detail["published_on"] == "2025-01-13"
    assert detail["source"] == {
        "upvotes": 10,
        "comment_count": 3,
        "github_repo": None,
        "github_stars": 100,
        "project_page": "https://example.org/compilers",
        "thumbnail_url": "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/"
        "2502.10001v2.png",
        "ai_summary": "Compilers compile.",
        "ai_keywords": ["compilers", "COBOL"],
        "organization": "navy-research",
        "submitted_by": "akhaliq",
    }
    listed = APIClient().get("/api/papers/", {"arxiv_id": "2502.10001v2"}).json()["results"]
    assert listed[0]["source"] == detail["source"]


def test_urls_in_an_abstract_are_safe_links(ingest):
    abstract = (
        'See https://example.org/a?b=1&c="2" and javascript:alert(1) and '
        "<script>alert(3)</script> and www.example.com/x. Done"
    )
    item = api_item("2503.00001", "Hostile Abstract", summary=abstract)
    item["summary"] = abstract
    ingest(dump(item), name="h.json", publish=True)
    paper = Paper.objects.get()
    text = Client().get(f"/papers/{paper.pk}/").content.decode()
    assert "<script>alert(3)" not in text
    assert 'href="javascript' not in text
    assert 'href="https://example.org/a?b=1&amp;c=' in text
    assert 'href="http://www.example.com/x" rel="nofollow"' in text


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")
@pytest.mark.django_db(transaction=True)
def test_cards_links_of_unseen_papers_in_the_browser(page, ingest):  # noqa: F811
    hidden = api_item(
        "https://arxiv.org/pdf/hep-th/9901001v2.pdf",
        "Strings With A Hidden Author",
        authors=[author("Ed Witten"), author("Someone", hidden=True)],
        stars=7,
    )
    plain = api_item("2502.20000", "Plain One", githubRepo=None, projectPage="javascript:x")
    ingest(dump(hidden, plain), name="b.json", publish=True)
    page.goto("/?order=new")
    card = page.locator("article.paper", has_text="Strings With A Hidden Author")
    expect()(card.locator(".authors")).to_have_text("Ed Witten et al.")
    expect()(card.get_by_role("link", name="arXiv", exact=True)).to_have_attribute(
        "href", "https://arxiv.org/abs/hep-th/9901001"
    )
    expect()(card.get_by_role("link", name="PDF", exact=True)).to_have_attribute(
        "href", "https://arxiv.org/pdf/hep-th/9901001"
    )
    expect()(card.get_by_role("link", name="Code", exact=True)).to_have_attribute(
        "href", "https://github.com/example/compilers"
    )
    expect()(card.locator(".stars")).to_have_text("★ 7")
    expect()(card.locator(".source-upvotes")).to_have_text("10 upvotes on Hugging Face")
    other = page.locator("article.paper", has_text="Plain One")
    expect()(other.get_by_role("link", name="Code", exact=True)).to_have_count(0)
    expect()(other.get_by_role("link", name="Project page", exact=True)).to_have_count(0)
