"""What the sources know, on the pages: code and project links, the source's figures said to
be theirs, the AI summary and keywords marked as the source's, the latest arXiv version seen;
the "has code" filter on every list; remote thumbnails only when a setting allows them."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from papers.models import Paper
from papers.services.search_index import search_index_refresh
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    PaperFactory,
    PaperTagFactory,
    TagFactory,
)
from tests.frontend.conftest import CHROMIUM
from tests.frontend.test_browser import expect, page, screenshot  # noqa: F401

pytestmark = pytest.mark.django_db

REPO = "https://github.com/org/coded"
THUMB = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2409.11074.png"


@pytest.fixture
def papers():
    tag = TagFactory(name="Vision", slug="vision")
    coded = PaperFactory(
        title="Coded vision paper",
        abstract="Vision with code.",
        arxiv_id="2409.11074",
        arxiv_version=3,
        github_repo=REPO,
        github_stars=1234,
        project_page="https://coded.example.org/",
        ai_summary="It sees things.",
        ai_keywords=["vision", "code"],
        organization="Example Lab",
        source_comment_count=4,
        source_submitted_by="akhaliq",
        upvotes=12,
        thumbnail_url=THUMB,
    )
    plain = PaperFactory(title="Plain vision paper", abstract="Vision without code.")
    digest = DigestFactory(date=coded.first_digest_on)
    for position, paper in enumerate((coded, plain), start=1):
        PaperTagFactory(paper=paper, tag=tag)
        DigestEntryFactory(digest=digest, paper=paper, position=position)
    search_index_refresh()
    return {"coded": coded, "plain": plain}


def test_the_paper_page_shows_what_the_source_knows(client, papers):
    body = client.get(reverse("paper", args=[papers["coded"].pk])).content.decode()
    assert f'<a href="{REPO}" rel="noopener noreferrer">{REPO}</a>' in body
    assert "★ 1234" in body
    assert 'href="https://coded.example.org/"' in body
    assert "Example Lab" in body
    assert "12 upvotes, 4 comments, submitted by akhaliq (theirs, not this team" in body
    assert "<h3>From Hugging Face</h3>" in body
    assert "(written by the source's model): It sees things." in body
    assert "vision, code" in body
    assert "<dd>v3</dd>" in body


def test_a_card_links_the_code_with_its_stars_and_the_project_page(client, papers):
    body = client.get(reverse("home") + "?order=new").content.decode()
    card = body[body.index("Coded vision paper") :]
    card = card[: card.index("</article>")]
    assert f'<a href="{REPO}" rel="noopener noreferrer">Code</a>' in card
    assert "★ 1234" in card and "Project page" in card


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?order=new",
        "/?order=top&period=all",
        "/?view=day",
        "/tags/vision/",
        "/search/?q=vision",
    ],
)
def test_has_code_narrows_every_list_and_the_chip_toggles_it(client, papers, path):
    joiner = "&" if "?" in path else "?"
    both = client.get(path).content.decode()
    assert "Coded vision paper" in both and "Plain vision paper" in both
    assert "(show only papers with code)" in both
    only = client.get(f"{path}{joiner}has_code=1").content.decode()
    assert "Coded vision paper" in only and "Plain vision paper" not in only
    assert "(filter on; show every paper)" in only


def test_the_tabs_keep_the_filter(client, papers):
    body = client.get("/?has_code=1").content.decode()
    assert "?order=new&amp;has_code=1" in body and "?view=day&amp;has_code=1" in body


def test_the_api_has_code_filter_and_version(papers):
    api = APIClient()
    for params in (
        {"has_code": "true"},
        {"has_code": "true", "tag": "vision"},
        {"has_code": "true", "q": "vision"},
    ):
        ids = [p["id"] for p in api.get("/api/papers/", params).json()["results"]]
        assert ids == [papers["coded"].pk], params
    assert len(api.get("/api/papers/", {"has_code": "false"}).json()["results"]) == 2
    detail = api.get(f"/api/papers/{papers['coded'].pk}/").json()
    assert detail["arxiv_version"] == 3 and detail["arxiv_id"] == "2409.11074"


def test_thumbnails_stay_off_by_default(client, papers):
    response = client.get(reverse("paper", args=[papers["coded"].pk]))
    assert THUMB not in response.content.decode()
    assert "img-src 'self' data:;" in response["Content-Security-Policy"]


def test_thumbnails_on_show_and_the_policy_follows(settings, papers):
    settings.SHOW_SOURCE_THUMBNAILS = True
    response = Client().get(reverse("paper", args=[papers["coded"].pk]))
    assert f'<img class="thumb" src="{THUMB}"' in response.content.decode()
    assert "img-src 'self' data: https:;" in response["Content-Security-Policy"]


def test_the_exports_carry_the_sources_fields(papers):
    import csv
    import io
    import json

    api = APIClient()
    lines = b"".join(
        api.get("/api/papers/export/", {"format": "jsonl", "has_code": "true"}).streaming_content
    )
    (row,) = [json.loads(line) for line in lines.splitlines()]
    assert (row["github_repo"], row["github_stars"], row["source_upvotes"]) == (REPO, 1234, 12)
    assert (row["arxiv_version"], row["ai_keywords"]) == (3, ["vision", "code"])
    text = b"".join(api.get("/api/papers/export/", {"format": "csv"}).streaming_content).decode()
    by_title = {r["title"]: r for r in csv.DictReader(io.StringIO(text))}
    assert by_title["Coded vision paper"]["project_page"] == "https://coded.example.org/"
    assert by_title["Plain vision paper"]["github_repo"] == ""


# --- In the browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")
@pytest.mark.django_db(transaction=True)
def test_a_cards_links_and_the_has_code_chip_in_the_browser(page, papers):  # noqa: F811
    page.goto("/?order=new")
    card = page.locator("article.paper", has_text="Coded vision paper")
    expect()(card.get_by_role("link", name="arXiv", exact=True)).to_have_attribute(
        "href", "https://arxiv.org/abs/2409.11074"
    )
    expect()(card.get_by_role("link", name="PDF", exact=True)).to_have_attribute(
        "href", "https://arxiv.org/pdf/2409.11074"
    )
    expect()(card.get_by_role("link", name="Code", exact=True)).to_have_attribute("href", REPO)
    expect()(card.locator(".stars")).to_have_text("★ 1234")
    expect()(card.get_by_role("link", name="Project page")).to_be_visible()
    expect()(card.locator(".source-upvotes")).to_have_text("12 upvotes on Hugging Face")
    expect()(page.locator("article.paper")).to_have_count(2)
    # The chip, from the keyboard, at a phone's width.
    page.set_viewport_size({"width": 375, "height": 812})
    chip = page.get_by_role("link", name="Has code (show only papers with code)")
    chip.focus()
    chip.press("Enter")
    page.wait_for_url("**has_code=1**")
    expect()(page.locator("article.paper")).to_have_count(1)
    expect()(page.get_by_role("link", name="New", exact=True)).to_have_attribute(
        "href", "/?order=new&has_code=1"
    )
    screenshot(page, "feed-has-code")


def test_a_thumbnail_the_policy_would_refuse_is_not_shown(settings, papers):
    # The policy lets thumbnails come over https only: an http one would be a broken image
    # and an error in the reader's console.
    settings.SHOW_SOURCE_THUMBNAILS = True
    paper = papers["coded"]
    Paper.objects.filter(pk=paper.pk).update(thumbnail_url="http://example.org/t.png")
    response = Client().get(reverse("paper", args=[paper.pk]))
    assert "example.org/t.png" not in response.content.decode()
    assert '<img class="thumb"' not in response.content.decode()
