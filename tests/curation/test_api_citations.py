"""Citations over the API: the export as BibTeX and RIS (the list's filters, every paper,
streamed) and one paper's citation, for each reader."""

from __future__ import annotations

import datetime

import bibtexparser
import pytest
from django.db import connection

from curation.citations import citation_key
from papers.models import Paper, PaperStatus
from papers.parsing import normalize_title
from tests.api_clients import client_for
from tests.curation.test_citations import parse_bibtex, parse_ris
from tests.factories import (
    DigestEntryFactory,
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 8, 22)
BIBTEX = "application/x-bibtex; charset=utf-8"
RIS = "application/x-research-info-systems; charset=utf-8"


def export(client, **params) -> tuple[object, str]:
    response = client.get("/api/papers/export/", params)
    assert response.status_code == 200, response.content[:300]
    assert response.streaming
    return response, b"".join(response.streaming_content).decode()


def bibtex_ids(text: str) -> set[int]:
    """The paper ids of an export whose papers have no arXiv id (keys end in paper<id>)."""
    return {int(entry.key.rsplit(":paper", 1)[1]) for entry in parse_bibtex(text)}


def refresh_search_index():
    if connection.vendor == "postgresql":
        from papers.services.search_index import search_index_refresh

        search_index_refresh()


# --- The export ----------------------------------------------------------------------------


def test_bibtex_export_has_one_entry_per_published_paper():
    papers = [
        PaperFactory(
            title="Attention {Is} All & You $Need$",
            authors=["Ashish Vaswani", "Noam Shazeer"],
            arxiv_id="1706.03762",
            published_on=datetime.date(2017, 6, 12),
        ),
        PaperFactory(title="Über 量子 -- 50% off", authors=["José Pérez"], first_digest_on=DAY),
    ]
    PaperFactory(status=PaperStatus.PENDING, first_digest_on=None)
    PaperFactory(status=PaperStatus.HIDDEN)

    response, text = export(client_for(), format="bibtex")

    assert response["Content-Type"] == BIBTEX
    assert response["Content-Disposition"].startswith('attachment; filename="papers-')
    assert response["Content-Disposition"].endswith('.bib"')
    entries = {entry.key: entry for entry in parse_bibtex(text)}
    assert set(entries) == {citation_key(p) for p in papers}
    first = entries["vaswani2017attention:1706.03762"]
    assert first["title"] == "Attention {Is} All & You $Need$"
    assert first["author"] == "Vaswani, Ashish and Shazeer, Noam"
    assert (first["year"], first["month"], first["eprint"]) == ("2017", "jun", "1706.03762")
    assert first["archivePrefix"] == "arXiv"
    second = entries[citation_key(papers[1])]
    assert second["title"] == "Über 量子 -- 50% off"
    assert (second["year"], second["month"]) == ("2024", "aug")


def test_ris_export_has_one_record_per_published_paper():
    paper = PaperFactory(title="Graphs & Things", authors=["Ada Lovelace"], arxiv_id="2401.00001")
    PaperFactory(title="Quiet", first_digest_on=DAY)
    PaperFactory(status=PaperStatus.PENDING, first_digest_on=None)

    response, text = export(client_for(), format="ris")

    assert response["Content-Type"] == RIS
    assert response["Content-Disposition"].endswith('.ris"')
    records = {record["TI"][0]: record for record in parse_ris(text)}
    assert set(records) == {"Graphs & Things", "Quiet"}
    assert records["Graphs & Things"]["AU"] == ["Lovelace, Ada"]
    assert records["Graphs & Things"]["UR"] == ["https://arxiv.org/abs/2401.00001"]
    assert records["Graphs & Things"]["ID"] == [citation_key(paper)]
    assert records["Quiet"]["TY"] == ["GEN"]


@pytest.mark.parametrize("fmt", ["bibtex", "ris"])
def test_the_export_follows_the_filters_of_the_list(fmt):
    vision = TagFactory(slug="vision")
    tagged = PaperFactory(title="Seeing Graphs", abstract="", first_digest_on=DAY)
    PaperTagFactory(paper=tagged, tag=vision)
    on_day = PaperFactory(title="Daily Graphs", abstract="", first_digest_on=DAY)
    DigestEntryFactory(paper=on_day, digest__date=DAY)
    old = PaperFactory(
        title="Old Trees", abstract="", first_digest_on=DAY - datetime.timedelta(days=400)
    )
    refresh_search_index()
    today = DAY + datetime.timedelta(days=1)

    def titles(**params) -> set[str]:
        _, text = export(client_for(), format=fmt, **params)
        if fmt == "bibtex":
            return {entry["title"] for entry in parse_bibtex(text)}
        return {record["TI"][0] for record in parse_ris(text)}

    assert titles(tag="vision") == {"Seeing Graphs"}
    assert titles(digest=DAY.isoformat()) == {"Daily Graphs"}
    assert titles(q="graphs") == {"Seeing Graphs", "Daily Graphs"}
    assert titles(q="graphs", tag="vision") == {"Seeing Graphs"}
    assert titles() == {"Seeing Graphs", "Daily Graphs", old.title}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *a, **k: today)
        assert titles(order="top", period="year") == {"Seeing Graphs", "Daily Graphs"}


def test_only_moderators_export_other_states():
    owner = UserFactory()
    published = PaperFactory()
    pending = PaperFactory(status=PaperStatus.PENDING, first_digest_on=None, submitted_by=owner)
    hidden = PaperFactory(status=PaperStatus.HIDDEN)

    _, text = export(client_for(ModeratorFactory()), format="bibtex", status="all")
    assert bibtex_ids(text) == {published.pk, pending.pk, hidden.pk}

    refused = client_for(UserFactory()).get("/api/papers/export/?format=bibtex&status=all")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    # A member's own pending paper is theirs to open, not in the published export.
    _, text = export(client_for(owner), format="bibtex")
    assert bibtex_ids(text) == {published.pk}


def test_an_unknown_format_is_a_400_naming_the_formats():
    response = client_for().get("/api/papers/export/?format=endnote")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["error"]["fields"]) == ["format"]


@pytest.mark.parametrize("fmt", ["bibtex", "ris"])
def test_three_thousand_papers_stream_one_entry_each(fmt, django_assert_max_num_queries):
    count = 3000
    Paper.objects.bulk_create(
        Paper(
            title=f"Paper {n} on {{sets}} & $maps$",
            title_key=normalize_title(f"Paper {n} on sets maps"),
            authors=["Ada Lovelace", "Alan Turing"],
            arxiv_id=f"2401.{n:05d}" if n % 2 else None,
            first_digest_on=DAY,
            status=PaperStatus.PUBLISHED,
        )
        for n in range(1, count + 1)
    )
    response = client_for().get("/api/papers/export/", {"format": fmt})
    assert response.streaming

    # Read as it streams: the rows come from one query, read in chunks, and every entry is
    # its own piece of the answer; nothing is gathered first.
    with django_assert_max_num_queries(2):
        pieces = list(response.streaming_content)
    assert len(pieces) == count
    text = b"".join(pieces).decode()

    if fmt == "bibtex":
        library = bibtexparser.parse_string(text)
        assert library.failed_blocks == []
        keys = [entry.key for entry in library.entries]
        titles = {entry["title"] for entry in library.entries}
        assert len(titles) == count
    else:
        records = parse_ris(text)
        keys = [record["ID"][0] for record in records]
        assert {tuple(record["AU"]) for record in records} == {("Lovelace, Ada", "Turing, Alan")}
    assert len(keys) == len(set(keys)) == count
    assert {key.split(":")[1] for key in keys} == {
        f"2401.{n:05d}" if n % 2 else f"paper{pk}"
        for n, pk in zip(
            range(1, count + 1),
            Paper.objects.order_by("pk").values_list("pk", flat=True),
            strict=True,
        )
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranked search on PostgreSQL")
def test_a_search_export_has_every_match_beyond_what_a_list_ranks(monkeypatch):
    # Without the RUM index a list ranks its first SEARCH_RANKED_MATCHES + 1 matches only.
    monkeypatch.setattr("curation.selectors.search_ranks_in_index", lambda: False)
    monkeypatch.setattr("curation.selectors.SEARCH_RANKED_MATCHES", 5)
    papers = [PaperFactory(title=f"Lattice result {n}") for n in range(12)]
    refresh_search_index()

    listed = client_for().get("/api/papers/?q=lattice&page_size=100").json()["results"]
    _, text = export(client_for(), format="bibtex", q="lattice")

    assert len(listed) <= 6  # the list stops at its cap
    assert bibtex_ids(text) == {p.pk for p in papers}


# --- One paper -----------------------------------------------------------------------------


def test_a_papers_citation_in_either_format():
    paper = PaperFactory(
        title="Deep Nets", authors=["Ada Lovelace"], arxiv_id="hep-th/9901001", first_digest_on=DAY
    )

    bib = client_for().get(f"/api/papers/{paper.pk}/citation/")
    ris = client_for().get(f"/api/papers/{paper.pk}/citation/?format=ris")

    assert bib.status_code == ris.status_code == 200
    assert bib["Content-Type"] == BIBTEX
    assert bib["Content-Disposition"] == (
        'attachment; filename="lovelace2024deep-hep-th_9901001.bib"'
    )
    [entry] = parse_bibtex(bib.content.decode())
    assert entry.key == "lovelace2024deep:hep-th_9901001"
    assert entry["url"] == "https://arxiv.org/abs/hep-th/9901001"
    assert ris["Content-Type"] == RIS
    assert ris["Content-Disposition"].endswith('.ris"')
    [record] = parse_ris(ris.content.decode())
    assert record["TI"] == ["Deep Nets"]


@pytest.mark.parametrize(
    ("state", "reader", "expected"),
    [
        ("pending", "anonymous", 404),
        ("pending", "member", 404),
        ("pending", "owner", 200),
        ("pending", "moderator", 200),
        ("hidden", "anonymous", 404),
        ("hidden", "member", 404),
        ("hidden", "moderator", 200),
        ("rejected", "member", 404),
        ("published", "anonymous", 200),
    ],
)
def test_a_citation_is_for_those_who_may_open_the_paper(state, reader, expected):
    owner = UserFactory()
    paper = PaperFactory(status=state, submitted_by=owner)
    user = {
        "anonymous": None,
        "member": UserFactory(),
        "owner": owner,
        "moderator": ModeratorFactory(),
    }[reader]

    response = client_for(user).get(f"/api/papers/{paper.pk}/citation/?format=bibtex")

    assert response.status_code == expected
    if expected == 404:
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["message"] == "There is no such paper."


def test_a_citation_in_an_unknown_format_is_a_400():
    paper = PaperFactory()
    response = client_for().get(f"/api/papers/{paper.pk}/citation/?format=csv")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["format"]
