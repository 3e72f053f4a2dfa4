"""What the source says of a paper (its counts, links, AI summary and keywords, organization
and submitter), kept by ingestion: filled in, never erased, the counts taking the latest dump's
figure, nothing written when nothing changed. Run on SQLite and on PostgreSQL (bulk paths)."""

import datetime

from papers.models import DigestEntry, Paper
from papers.parsing import errors as msg
from papers.parsing.limits import MAX_SOURCE_COUNT
from tests.conftest import FIXTURES
from tests.papers.test_ingestion import (
    ABSTRACT,
    hf_dump,
    hf_item,
    table_state,
    writes_to_papers_and_entries,
)

TITLE = "Sparse Mixtures: Routing Experts at Scale"
SOURCE = {
    "githubRepo": "https://github.com/example/sparse",
    "githubStars": 120,
    "projectPage": "https://example.org/sparse",
    "ai_summary": "Routing experts sparsely keeps quality at a fraction of the compute.",
    "ai_keywords": ["mixture of experts", "routing", "sparsity"],
    "organization": {"_id": "5e6a", "name": "example-lab", "fullname": "Example Lab"},
    "submittedOnDailyBy": {"_id": "60f1", "fullname": "Ada L.", "user": "ada"},
}
STORED = {
    "upvotes": 7,
    "source_comment_count": 3,
    "github_repo": "https://github.com/example/sparse",
    "github_stars": 120,
    "project_page": "https://example.org/sparse",
    "thumbnail_url": "https://example.org/t.png",
    "ai_summary": "Routing experts sparsely keeps quality at a fraction of the compute.",
    "ai_keywords": ["mixture of experts", "routing", "sparsity"],
    "organization": "example-lab",
    "source_submitted_by": "ada",
}


def full_item(title=TITLE, *, day="2024-09-18", upvotes=7, comments=3, **paper):
    return hf_item(
        title,
        day=day,
        arxiv_id="2409.11074",
        summary=ABSTRACT,
        authors=["Ada Lovelace", "Alan Turing"],
        upvotes=upvotes,
        published="2024-09-17",
        top={"numComments": comments},
        **{**SOURCE, **paper},
    )


def source_of(paper: Paper) -> dict:
    return {name: getattr(paper, name) for name in STORED}


def test_every_field_of_an_api_item_is_kept(ingest):
    dump = ingest(hf_dump(full_item()), name="full.json")

    paper = Paper.objects.get()
    assert source_of(paper) == STORED
    assert (paper.arxiv_id, paper.authors, paper.author_count, paper.published_on) == (
        "2409.11074",
        ["Ada Lovelace", "Alan Turing"],
        2,
        datetime.date(2024, 9, 17),
    )
    assert paper.first_digest_on == datetime.date(2024, 9, 18)
    # The team's own counts are apart from the source's.
    assert (paper.vote_count, paper.comment_count) == (0, 0)
    assert dump.warnings == []


def test_the_json_sample_ingested_twice_keeps_every_field(ingest):
    data = (FIXTURES / "hf-daily-papers.json").read_bytes()
    ingest(data, name="hf.json")
    romath = Paper.objects.get(arxiv_id="2409.11074")
    assert source_of(romath) == {
        "upvotes": 12,
        "source_comment_count": 2,
        "github_repo": "https://github.com/example/romath",
        "github_stars": None,
        "project_page": "",
        "thumbnail_url": (
            "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2409.11074.png"
        ),
        "ai_summary": "",
        "ai_keywords": ["benchmark", "Romanian", "mathematical reasoning"],
        "organization": "",
        "source_submitted_by": "akhaliq",
    }
    assert romath.authors == ["Ada Lovelace"]  # Alan Turing is hidden at the source
    assert romath.author_count == 2
    assert romath.published_on == datetime.date(2024, 9, 17)
    qwen = Paper.objects.get(arxiv_id="2409.12186")
    assert (qwen.upvotes, qwen.source_comment_count) == (None, 5)  # "upvotes": "many"
    before = table_state()

    # The same content as other bytes (Windows line ends), so not refused as a duplicate.
    with writes_to_papers_and_entries() as writes:
        again = ingest(data.replace(b"\n", b"\r\n"), name="hf-crlf.json")

    assert writes == []
    assert again.stats["new_papers"] == 0
    assert again.stats["existing_papers"] == 4
    papers, digests, entries = table_state()
    assert (papers, digests) == before[:2]
    assert [{**e, "dump_id": None} for e in entries] == [{**e, "dump_id": None} for e in before[2]]


def test_an_unchanged_item_with_every_field_writes_nothing(ingest):
    ingest(hf_dump(full_item(), full_item("Another Paper", upvotes=1)), name="a.json")
    before = table_state()

    with writes_to_papers_and_entries() as writes:
        ingest(hf_dump(full_item(), full_item("Another Paper", upvotes=1)) + b"\n", name="b.json")

    assert writes == []
    assert table_state()[0] == before[0]


def test_a_later_dump_with_higher_counts_updates_them_and_only_them(ingest):
    ingest(hf_dump(full_item()), name="first.json")
    with writes_to_papers_and_entries() as writes:
        ingest(
            hf_dump(full_item(day="2024-09-19", upvotes=40, comments=9, githubStars=300)),
            name="later.json",
        )

    assert writes  # the paper's counts changed, and the new day's entry is written
    assert source_of(Paper.objects.get()) == {
        **STORED,
        "upvotes": 40,
        "source_comment_count": 9,
        "github_stars": 300,
    }


def test_the_counts_are_the_latest_dumps_even_lower_or_of_an_earlier_day(ingest):
    """Latest by ingestion order, not by digest day nor the largest figure: a dump of an
    earlier day ingested later was made later, and stars and upvotes can also go down."""
    ingest(hf_dump(full_item(day="2024-09-20", upvotes=40, githubStars=300)), name="first.json")

    ingest(hf_dump(full_item(day="2024-09-18", upvotes=38, githubStars=290)), name="older.json")

    paper = Paper.objects.get()
    assert (paper.upvotes, paper.github_stars) == (38, 290)
    assert paper.first_digest_on == datetime.date(2024, 9, 18)


def test_within_one_dump_the_last_listing_in_the_file_gives_the_counts(ingest):
    ingest(
        hf_dump(
            full_item(day="2024-09-19", upvotes=20, githubStars=200),
            full_item(day="2024-09-18", upvotes=10, githubStars=100),
        ),
        batch_size=1,
    )

    paper = Paper.objects.get()
    assert (paper.upvotes, paper.github_stars) == (10, 100)
    assert DigestEntry.objects.count() == 2


def test_a_dump_without_them_erases_nothing(ingest):
    ingest(hf_dump(full_item()), name="full.json")
    before = source_of(Paper.objects.get())

    bare = {"paper": {"title": TITLE}, "publishedAt": "2024-09-19T08:00:00.000Z"}
    blank = hf_item(
        TITLE,
        day="2024-09-20",
        githubRepo="",
        githubStars=None,
        ai_keywords=[],
        ai_summary=None,
        organization=None,
        top={"thumbnail": "", "numComments": None, "submittedBy": None},
    )
    ingest(hf_dump(bare, blank), name="bare.json")

    paper = Paper.objects.get()
    assert source_of(paper) == {**before, "source_comment_count": 3}
    assert (paper.abstract, paper.authors, paper.arxiv_id) == (
        ABSTRACT,
        ["Ada Lovelace", "Alan Turing"],
        "2409.11074",
    )
    assert paper.digest_entries.count() == 3


def test_links_and_texts_are_only_filled_in_never_replaced(ingest):
    ingest(
        hf_dump(hf_item(TITLE, githubRepo="https://github.com/example/sparse", top={})),
        name="first.json",
    )

    changed = {
        "githubRepo": "https://github.com/someone/else",
        "projectPage": "https://example.org/sparse",
        "ai_summary": "Filled in now.",
        "ai_keywords": ["new"],
        "organization": "example-lab",
    }
    ingest(
        hf_dump(
            hf_item(TITLE, day="2024-09-19", top={"thumbnail": "https://x.io/2.png"}, **changed)
        ),
        name="later.json",
    )

    paper = Paper.objects.get()
    assert paper.github_repo == "https://github.com/example/sparse"  # kept
    assert paper.thumbnail_url == "https://example.org/t.png"  # kept
    assert (paper.project_page, paper.ai_summary, paper.ai_keywords, paper.organization) == (
        "https://example.org/sparse",
        "Filled in now.",
        ["new"],
        "example-lab",
    )


def test_bad_values_are_warnings_with_their_lines_and_lose_nothing_else(ingest):
    bad = full_item(
        "A Paper With Bad Values",
        githubStars=-3,
        projectPage="javascript:alert(1)",
        ai_keywords="not, a, list",
        upvotes=None,
    )
    bad["paper"]["id"] = "2409.22222"
    bad["paper"]["upvotes"] = MAX_SOURCE_COUNT + 1
    bad["numComments"] = "2"
    dump = ingest(hf_dump(full_item(), bad), name="bad.json")

    paper = Paper.objects.get(title="A Paper With Bad Values")
    assert source_of(paper) == {
        **STORED,
        "upvotes": None,
        "source_comment_count": None,
        "github_stars": None,
        "project_page": "",
        "ai_keywords": [],
    }
    assert paper.abstract == ABSTRACT
    assert paper.authors == ["Ada Lovelace", "Alan Turing"]
    lines = hf_dump(full_item(), bad).decode().splitlines()
    line = [n for n, text in enumerate(lines, start=1) if text == "  {"][1]  # the second item
    assert line > 20
    limit = f"{MAX_SOURCE_COUNT:,}"
    assert dump.warnings == [
        {"line": line, "message": m}
        for m in (
            msg.W_JSON_COUNT_OUT_OF_RANGE.format(line=line, field="paper.upvotes", limit=limit),
            msg.W_JSON_NOT_A_COUNT.format(line=line, field="numComments"),
            msg.W_JSON_COUNT_OUT_OF_RANGE.format(line=line, field="paper.githubStars", limit=limit),
            msg.W_JSON_NOT_A_URL.format(line=line, field="paper.projectPage"),
            msg.W_JSON_NOT_KEYWORDS.format(line=line, field="paper.ai_keywords"),
        )
    ]
    assert dump.warning_count == 5
    assert source_of(Paper.objects.get(title=TITLE)) == STORED


def test_a_bad_value_later_keeps_the_stored_one(ingest):
    ingest(hf_dump(full_item()), name="good.json")

    ingest(
        hf_dump(full_item(day="2024-09-19", upvotes=None, githubStars="lots", githubRepo="x")),
        name="bad.json",
    )

    assert source_of(Paper.objects.get()) == STORED


def test_new_papers_are_inserted_with_them_batch_by_batch(ingest):
    items = [full_item(f"Paper number {i}", upvotes=i, githubStars=i * 10) for i in range(30)]
    for item in items:
        item["paper"].pop("id")  # one arXiv id cannot be thirty papers'

    ingest(hf_dump(*items), batch_size=7)

    papers = Paper.objects.order_by("upvotes")
    assert [(p.upvotes, p.github_stars) for p in papers] == [(i, i * 10) for i in range(30)]
    assert {p.ai_keywords == STORED["ai_keywords"] for p in papers} == {True}
    assert {p.source_submitted_by for p in papers} == {"ada"}
