"""Citations on the web pages: a paper's cite.bib and cite.ris for those who may open it, the
paper page's Cite button, and the BibTeX and RIS links of the tag, search and digest-day
pages (the API's export with the page's filters)."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from papers.services.search_index import search_index_refresh
from tests.curation.test_citations import parse_bibtex, parse_ris
from tests.factories import PaperFactory, UserFactory
from tests.frontend.conftest import DAY, HOSTILE

pytestmark = pytest.mark.django_db

BIBTEX = "application/x-bibtex; charset=utf-8"
RIS = "application/x-research-info-systems; charset=utf-8"


def cite_links(response) -> dict[str, str]:
    """The page's "Cite ...: BibTeX · RIS" links, by format."""
    body = response.content.decode()
    block = re.search(r'<p class="cite-links">(.*?)</p>', body, re.S)
    if block is None:
        return {}
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', block[1])]
    return {re.search(r"format=(\w+)", href)[1]: href for href in hrefs}


def exported_titles(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    if "format=ris" in url:
        return {record["TI"][0] for record in parse_ris(text)}
    return {entry["title"] for entry in parse_bibtex(text)}


# --- One paper's files ---------------------------------------------------------------------


def test_a_published_papers_citation_files(client, world):
    paper = world["hostile"]

    bib = client.get(reverse("paper-cite-bibtex", args=[paper.pk]))
    ris = client.get(reverse("paper-cite-ris", args=[paper.pk]))

    assert bib.status_code == ris.status_code == 200
    assert bib["Content-Type"] == BIBTEX
    assert ris["Content-Type"] == RIS
    assert re.fullmatch(
        r'attachment; filename="[a-z0-9]*-paper\d+\.bib"', bib["Content-Disposition"]
    )
    assert ris["Content-Disposition"].endswith('.ris"')
    [entry] = parse_bibtex(bib.content.decode())
    assert entry["title"] == f"Hostile {HOSTILE}"
    [record] = parse_ris(ris.content.decode())
    assert record["TI"] == [f"Hostile {HOSTILE}"]
    # The same text as the API's.
    api = client.get(f"/api/papers/{paper.pk}/citation/?format=bibtex")
    assert api.content == bib.content


@pytest.mark.parametrize(
    ("state", "reader", "expected"),
    [
        ("pending", None, 404),
        ("pending", "member", 404),
        ("pending", "owner", 200),
        ("pending", "moderator", 200),
        ("hidden", None, 404),
        ("hidden", "member", 404),
        ("hidden", "moderator", 200),
        ("rejected", "owner", 200),
        ("published", None, 200),
    ],
)
@pytest.mark.parametrize("name", ["paper-cite-bibtex", "paper-cite-ris"])
def test_citation_files_are_for_those_who_may_open_the_paper(
    client, people, name, state, reader, expected
):
    owner = UserFactory()
    paper = PaperFactory(status=state, submitted_by=owner)
    user = {None: None, "owner": owner, **people}[reader]
    if user is not None:
        client.force_login(user)

    response = client.get(reverse(name, args=[paper.pk]))

    assert response.status_code == expected
    if expected == 404:
        assert b"There is no such paper." in response.content


def test_a_missing_paper_has_no_citation(client, world):
    assert client.get("/papers/999999/cite.bib").status_code == 404


def test_the_paper_page_offers_cite_and_the_files(client, world):
    paper = world["good"]
    body = client.get(reverse("paper", args=[paper.pk])).content.decode()
    bib = reverse("paper-cite-bibtex", args=[paper.pk])
    assert f'data-cite-copy="{bib}" hidden>Cite' in body  # shown by cite.js
    assert f'<a href="{bib}" data-cite-file download>BibTeX</a>' in body
    assert f'href="{reverse("paper-cite-ris", args=[paper.pk])}" download>RIS</a>' in body
    assert "frontend/js/cite.js" in body


# --- Lists: the export with the page's filters ---------------------------------------------


def test_the_tag_page_links_its_papers_as_bibtex_and_ris(client, world):
    PaperFactory(title="Untagged paper")
    links = cite_links(client.get(reverse("tag", args=["vision"])))

    assert set(links) == {"bibtex", "ris"}
    assert links["bibtex"].startswith("/api/papers/export/?format=bibtex&")
    assert "tag=vision" in links["bibtex"]
    for url in links.values():
        assert exported_titles(client, url) == {world["good"].title}


def test_the_digest_day_page_links_that_days_papers(client, world):
    PaperFactory(title="Not on that day")
    for path in (f"/?date={DAY.isoformat()}", "/?view=day"):
        links = cite_links(client.get(path))
        assert f"digest={DAY.isoformat()}" in links["ris"]
        for url in links.values():
            assert exported_titles(client, url) == {world["good"].title, world["hostile"].title}


def test_the_search_page_links_every_result(client, world):
    search_index_refresh()
    links = cite_links(client.get(reverse("search") + "?q=attention"))
    assert "q=attention" in links["bibtex"]
    for url in links.values():
        assert exported_titles(client, url) == {world["good"].title}
    assert cite_links(client.get(reverse("search"))) == {}
    assert cite_links(client.get(reverse("search") + "?q=nothingmatches")) == {}


def test_the_links_export_published_papers_whoever_reads(client, world, people):
    client.force_login(people["moderator"])
    links = cite_links(client.get(reverse("tag", args=["vision"])))
    assert "status" not in links["bibtex"]
    # A moderator's view of other states has no links: they would not cite what it shows.
    assert cite_links(client.get(reverse("tag", args=["vision"]) + "?status=pending")) == {}


def test_the_feed_itself_has_no_citation_links(client, world):
    assert cite_links(client.get("/")) == {}
