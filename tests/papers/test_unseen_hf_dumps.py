"""Hugging Face daily-papers dumps written here in the API's full shape (not the samples):
every field kept, re-ingested unchanged, counts updated, nothing erased, hostile values
bounded, every arXiv id form on one paper. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime
import json

import pytest

from papers.models import DigestEntry, Paper, PaperStatus
from tests.papers.test_ingestion import table_state, writes_to_papers_and_entries


def author(name, *, hidden=False, user=None, _id="65a1"):
    data = {"_id": _id, "name": name, "hidden": hidden}
    if user is not None:
        data["user"] = {"_id": "u1", "user": user, "fullname": name, "avatarUrl": "/a.png"}
    return data


def api_item(
    arxiv_id,
    title,
    *,
    day="2025-01-15",
    authors=None,
    upvotes=10,
    stars=100,
    comments=3,
    **paper_more,
):
    """One item of /api/daily_papers as the site returns it today (every key it carries)."""
    paper = {
        "id": arxiv_id,
        "authors": authors
        if authors is not None
        else [author("Grace Hopper", user="ghopper"), author("Edsger W. Dijkstra")],
        "mediaUrls": ["https://cdn-uploads.huggingface.co/production/x.png"],
        "publishedAt": "2025-01-13T18:59:59.000Z",
        "submittedOnDailyAt": f"{day}T02:31:12.474Z",
        "title": title,
        "submittedOnDailyBy": {
            "_id": "60f1",
            "avatarUrl": "https://cdn-avatars.huggingface.co/x.jpeg",
            "isPro": True,
            "fullname": "AK",
            "user": "akhaliq",
            "type": "user",
        },
        "summary": "We compile programs.\nSee https://example.org/compilers for code.",
        "upvotes": upvotes,
        "discussionId": "6787aa",
        "githubRepo": "https://github.com/example/compilers",
        "githubStars": stars,
        "projectPage": "https://example.org/compilers",
        "ai_summary": "Compilers compile.",
        "ai_keywords": ["compilers", "COBOL"],
        "organization": {
            "_id": "org1",
            "name": "navy-research",
            "fullname": "Navy Research",
            "avatar": "https://cdn/x.png",
        },
        **paper_more,
    }
    return {
        "paper": paper,
        "publishedAt": f"{day}T08:00:00.000Z",
        "title": title,
        "summary": paper["summary"],
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{arxiv_id}.png",
        "numComments": comments,
        "submittedBy": {
            "_id": "60f1",
            "avatarUrl": "https://cdn-avatars.huggingface.co/x.jpeg",
            "fullname": "AK",
            "name": "akhaliq",
            "type": "user",
            "isPro": True,
            "isHf": False,
            "isMod": False,
            "followerCount": 8000,
        },
        "organization": {"_id": "org1", "name": "navy-research", "fullname": "Navy Research"},
        "isAuthorParticipating": False,
    }


def dump(*items, indent=None) -> bytes:
    return json.dumps(list(items), indent=indent).encode()


TITLE = "On the Compilation of $\\mathcal{O}(n)$ Programs: 100% & _more_ #1 ~ ^ {x} ∑ café"


def test_every_field_kept_twice_then_updated_then_not_erased(ingest):
    ingest(dump(api_item("2501.07123v2", TITLE)), name="a.json", publish=True)
    paper = Paper.objects.get()
    assert paper.arxiv_id == "2501.07123"
    assert paper.arxiv_version == 2
    assert paper.authors == ["Grace Hopper", "Edsger W. Dijkstra"]
    assert paper.author_count == 2
    assert paper.published_on == datetime.date(2025, 1, 13)
    assert paper.first_digest_on == datetime.date(2025, 1, 15)
    assert (paper.upvotes, paper.github_stars, paper.source_comment_count) == (10, 100, 3)
    assert paper.github_repo == "https://github.com/example/compilers"
    assert paper.project_page == "https://example.org/compilers"
    assert paper.ai_summary == "Compilers compile."
    assert paper.ai_keywords == ["compilers", "COBOL"]
    assert paper.organization == "navy-research"
    assert paper.source_submitted_by == "akhaliq"
    assert paper.thumbnail_url.endswith("/2501.07123v2.png")
    assert paper.title == TITLE

    before = table_state()
    with writes_to_papers_and_entries() as writes:
        again = ingest(dump(api_item("2501.07123v2", TITLE), indent=1), name="b.json", publish=True)
    assert writes == []
    assert table_state() == before
    assert again.warnings == []

    ingest(
        dump(api_item("2501.07123", TITLE, upvotes=55, stars=999, comments=9)),
        name="c.json",
    )
    paper.refresh_from_db()
    assert (paper.upvotes, paper.github_stars, paper.source_comment_count) == (55, 999, 9)
    assert paper.arxiv_version == 2  # a dump without a version does not take it away

    bare = {
        "paper": {"id": "2501.07123", "title": TITLE},
        "publishedAt": "2025-01-16T08:00:00.000Z",
    }
    nulls = api_item("2501.07123", TITLE, day="2025-01-17")
    for key in list(nulls["paper"]):
        if key not in ("id", "title"):
            nulls["paper"][key] = None
    for key in ("thumbnail", "numComments", "submittedBy", "organization", "summary"):
        nulls[key] = None
    empties = api_item("2501.07123", TITLE, day="2025-01-18", authors=[])
    empties["paper"].update(
        githubRepo="", projectPage="", ai_summary="", ai_keywords=[], summary=""
    )
    empties["paper"]["organization"] = {}
    empties["thumbnail"] = ""
    kept = Paper.objects.values().get()
    ingest(dump(bare, nulls, empties), name="d.json")
    after = Paper.objects.values().get()
    for name in ("updated_at", "upvotes", "github_stars", "source_comment_count"):
        kept.pop(name)
        after.pop(name)
    assert after == kept
    assert Paper.objects.get().first_digest_on == datetime.date(2025, 1, 15)


def test_hidden_empty_and_odd_authors(ingest):
    authors = [
        author("  "),
        author("Alan Turing", hidden=True),
        author(""),
        {"name": None},
        {"hidden": False},
        "Bare String",
        author("Ada\u00a0 Lovelace"),
        author("Émilie du Châtelet"),
        author("X" * 5000),
    ]
    ingest(dump(api_item("2501.00001", "Authors Of All Kinds", authors=authors)), name="a.json")
    paper = Paper.objects.get()
    assert paper.authors[:3] == ["Bare String", "Ada Lovelace", "Émilie du Châtelet"]
    assert paper.author_count == 5  # the hidden author counted, not named
    assert len(paper.authors) == 4


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("githubRepo", "javascript:alert(1)"),
        ("githubRepo", "ftp://example.org/code"),
        ("githubRepo", "JaVaScRiPt:alert(1)"),
        ("githubRepo", " javascript:alert(1)"),
        ("githubRepo", "//evil.example/x"),
        ("githubRepo", "data:text/html,<b>x</b>"),
        ("githubRepo", "https://" + "a" * 5000 + ".com"),
        ("projectPage", "javascript:alert(1)"),
        ("projectPage", "vbscript:x"),
        ("projectPage", "http://exa mple.org"),
    ],
)
def test_urls_that_are_not_http_are_dropped_with_a_warning(ingest, field, value):
    item = api_item("2501.00002", "Links Of All Kinds", **{field: value})
    item["thumbnail"] = "javascript:alert(2)"
    done = ingest(dump(item), name="a.json")
    paper = Paper.objects.get()
    assert paper.github_repo in ("", "https://github.com/example/compilers")
    stored = paper.github_repo if field == "githubRepo" else paper.project_page
    assert stored == ""
    assert paper.thumbnail_url == ""
    lines = {w["line"] for w in done.warnings}
    assert lines == {1}
    assert any(field in w["message"] for w in done.warnings)
    # Nothing of it reaches the entry's extras either.
    metadata = DigestEntry.objects.get().metadata
    assert all("javascript" not in str(v).lower() for v in metadata.values())
    assert all(value not in str(v) for v in metadata.values())


def test_huge_values(ingest):
    item = api_item(
        "2501.00003",
        "Huge Values",
        upvotes=10**30,
        stars=-5,
        comments=1.5,
        ai_summary="s" * 100_000,
        ai_keywords=["k" * 10_000, *[f"w{i}" for i in range(1000)]],
    )
    item["paper"]["organization"] = {"name": "o" * 10_000}
    item["organization"] = {"name": 5, "fullname": ["x"]}
    done = ingest(dump(item), name="a.json")
    paper = Paper.objects.get()
    assert paper.upvotes is None
    assert paper.github_stars is None
    assert paper.source_comment_count is None
    assert 0 < len(paper.ai_summary) < 100_000
    assert 0 < len(paper.ai_keywords) <= 100
    assert paper.organization == ""
    assert done.warnings


ID_FORMS = [
    ("2401.01234", "2401.01234", None),
    ("2401.01234v2", "2401.01234", 2),
    ("arXiv:2401.01234", "2401.01234", None),
    ("ARXIV:2401.01234v3", "2401.01234", 3),
    ("https://arxiv.org/abs/2401.01234v3", "2401.01234", 3),
    ("https://arxiv.org/pdf/2401.01234", "2401.01234", None),
    ("https://arxiv.org/pdf/2401.01234v2.pdf", "2401.01234", 2),
    ("http://www.arxiv.org/abs/2401.01234", "2401.01234", None),
    ("https://arxiv.org/html/2401.01234v1", "2401.01234", 1),
    ("https://huggingface.co/papers/2401.01234", "2401.01234", None),
    ("0704.0001", "0704.0001", None),
    ("1412.9999v7", "1412.9999", 7),
    ("hep-th/9901001", "hep-th/9901001", None),
    ("arXiv:hep-th/9901001v2", "hep-th/9901001", 2),
    ("https://arxiv.org/abs/math.GT/0309136", "math.GT/0309136", None),
    ("math.gt/0309136v1", "math.GT/0309136", 1),
]


@pytest.mark.parametrize(("given", "canonical", "version"), ID_FORMS)
def test_each_id_form_ingested_then_submitted_is_one_paper(
    ingest, member, given, canonical, version
):
    from config.errors import DomainError
    from curation.services.submissions import paper_submit

    ingest(dump(api_item(given, "Form Paper")), name="a.json", publish=True)
    ingest(dump(api_item(canonical, "Form Paper Renamed")), name="b.json")
    paper = Paper.objects.get()
    assert (paper.arxiv_id, paper.arxiv_version) == (canonical, version)
    with pytest.raises(DomainError) as refused:
        paper_submit(user=member, title="Another Title Entirely", arxiv_id=given)
    assert refused.value.extra["paper_id"] == paper.pk
    assert Paper.objects.count() == 1


def test_title_first_then_id_from_a_dump_and_from_a_member(ingest, member):
    from config.errors import DomainError
    from curation.services.submissions import paper_submit

    # Known by title only (an item without an id, then a text-like title differing in case,
    # spacing and punctuation).
    no_id = api_item("x", "Quantum  Error-Correction: A Survey", day="2025-01-10")
    del no_id["paper"]["id"]
    ingest(dump(no_id), name="a.json", publish=True)
    paper = Paper.objects.get()
    assert paper.arxiv_id is None
    ingest(
        dump(api_item("https://arxiv.org/abs/2501.04444v4", "quantum error correction — a survey")),
        name="b.json",
    )
    paper.refresh_from_db()
    assert (paper.arxiv_id, paper.arxiv_version) == ("2501.04444", 4)
    assert Paper.objects.count() == 1

    second = api_item("x", "Topological Codes Revisited")
    second["paper"]["id"] = None
    ingest(dump(second), name="c.json", publish=True)
    with pytest.raises(DomainError):
        paper_submit(
            user=member,
            title="Topological codes, revisited",
            arxiv_id="https://huggingface.co/papers/2501.05555",
        )
    topo = Paper.objects.get(title="Topological Codes Revisited")
    assert topo.arxiv_id == "2501.05555"
    ingest(dump(api_item("arXiv:2501.05555v2", "Topological Codes Revisited")), name="d.json")
    assert Paper.objects.count() == 2
    topo.refresh_from_db()
    assert topo.arxiv_version == 2
    assert topo.status == PaperStatus.PUBLISHED


TEXT_DUMP = """new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

Feb 3

Sparse Attention, Revisited: Why {Top-k} Beats 50% Dropout & More

We revisit sparse attention. Code at https://example.org/sparse

  • 7 authors
·
Jan 30, 2025 42

Dense Retrieval With Unicode Ωmega Titles

A second abstract.

  • 1 authors
·
Jan 31 3
"""


def test_text_dump_first_then_a_json_dump_with_the_id(ingest, member):
    from config.errors import DomainError
    from curation.services.submissions import paper_submit

    ingest(TEXT_DUMP.encode(), name="feb3.txt", publish=True)
    sparse = Paper.objects.get(title__startswith="Sparse")
    assert (sparse.author_count, sparse.published_on, sparse.upvotes) == (
        7,
        datetime.date(2025, 1, 30),
        42,
    )
    dense = Paper.objects.get(title__startswith="Dense")
    # No year: the digest's own year, itself the upload's.
    assert (dense.author_count, dense.published_on, dense.upvotes) == (
        1,
        datetime.date(dense.first_digest_on.year, 1, 31),
        3,
    )
    item = api_item(
        "https://arxiv.org/pdf/2501.18000v2.pdf",
        "Sparse attention revisited: why top-k beats 50% dropout and more",
        day="2025-02-03",
        authors=[author(f"Person {n}") for n in range(7)],
        upvotes=50,
    )
    item["paper"]["title"] = "Sparse Attention, Revisited: Why Top-k Beats 50% Dropout & More"
    ingest(dump(item), name="feb3.json")
    sparse.refresh_from_db()
    assert (sparse.arxiv_id, sparse.arxiv_version, sparse.upvotes) == ("2501.18000", 2, 50)
    assert sparse.authors == [f"Person {n}" for n in range(7)]
    assert sparse.published_on == datetime.date(2025, 1, 30)  # filled before, kept
    assert Paper.objects.count() == 2
    with pytest.raises(DomainError):
        paper_submit(
            user=member,
            title="Dense retrieval with Unicode Ωmega titles!",
            arxiv_id="arXiv:2502.00001v1",
        )
    dense.refresh_from_db()
    assert (dense.arxiv_id, dense.arxiv_version) == ("2502.00001", 1)


@pytest.mark.parametrize(("given", "canonical", "version"), ID_FORMS)
def test_each_id_form_submitted_over_the_api_then_ingested_is_one_paper(
    ingest, member, given, canonical, version
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(member)
    created = api.post(
        "/api/papers/", {"title": "Submitted First", "arxiv_id": given}, format="json"
    )
    assert created.status_code == 201, created.content
    ingest(dump(api_item(canonical + "v9", "Submitted First, Under Another Title")), name="a.json")
    paper = Paper.objects.get()
    assert (paper.arxiv_id, paper.arxiv_version) == (canonical, 9)
    again = api.post("/api/papers/", {"arxiv_id": given}, format="json")
    assert again.status_code == 409
    assert str(paper.pk) in again.content.decode()


def test_a_mixed_dump_ingested_again_unchanged_writes_nothing(ingest):
    items = [
        api_item("2501.07123v2", TITLE, day="2025-01-15"),
        # The same paper on a later day, its id in another form.
        api_item("https://arxiv.org/abs/2501.07123", TITLE, day="2025-01-16", upvotes=11),
        api_item("hep-th/9901001", "Strings", authors=[author("A", hidden=True)]),
        api_item("2501.00009", "Links", githubRepo="javascript:x", projectPage="ftp://x"),
    ]
    no_id = api_item("x", "Title Only Paper")
    del no_id["paper"]["id"]
    items.append(no_id)
    # An id the title's paper does not have: recorded for the id's paper, with a warning.
    items.append(api_item("2501.00009", "Title Only Paper", day="2025-01-17"))
    first = ingest(dump(*items), name="a.json", publish=True)
    assert first.warnings
    before = table_state()
    with writes_to_papers_and_entries() as writes:
        again = ingest(dump(*items, indent=2), name="b.json")
    assert writes == []
    assert table_state() == before
    assert again.stats["new_papers"] == 0
