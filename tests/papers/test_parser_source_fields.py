"""The source's own figures, links and summary in JSON items (papers.parsing.json_fields):
where each is found, its bounds, and the warning naming the field and the line when a value is
left out, while the rest of the item is kept."""

import datetime
import io
import json

import pytest

from papers.parsing import ParsedEntry, ParseWarning, parse_dump
from papers.parsing import errors as msg
from papers.parsing.limits import (
    MAX_AI_SUMMARY,
    MAX_KEYWORD,
    MAX_KEYWORDS,
    MAX_SOURCE_COUNT,
    MAX_SOURCE_NAME,
    MAX_URL,
)

UPLOAD = datetime.date(2024, 11, 20)
SOURCE_FIELDS = (
    "upvotes",
    "comments",
    "github_repo",
    "github_stars",
    "project_page",
    "thumbnail_url",
    "ai_summary",
    "ai_keywords",
    "organization",
    "source_submitted_by",
)

# An item as the Hugging Face daily papers API gives it, with every key this reads.
API_ITEM = {
    "paper": {
        "id": "2409.11074",
        "authors": [{"_id": "66e9", "name": "Ada Lovelace", "hidden": False}],
        "publishedAt": "2024-09-17T11:03:46.000Z",
        "submittedOnDailyAt": "2024-09-18T06:12:00.000Z",
        "title": "RoMath: A Mathematical Reasoning Benchmark in Romanian",
        "summary": "Mathematics has long been conveyed through natural language.",
        "upvotes": 12,
        "discussionId": "66eb0000",
        "ai_summary": "RoMath is a benchmark of mathematical reasoning in Romanian.",
        "ai_keywords": ["benchmark", "Romanian", "mathematical reasoning"],
        "githubRepo": "https://github.com/example/romath",
        "githubStars": 57,
        "projectPage": "https://example.org/romath",
        "submittedOnDailyBy": {"_id": "60f1", "fullname": "AK", "user": "akhaliq"},
        "organization": {"_id": "5e6a", "name": "upb", "fullname": "University Politehnica"},
        "withdrawnAt": None,
    },
    "publishedAt": "2024-09-18T08:00:00.000Z",
    "title": "RoMath: A Mathematical Reasoning Benchmark in Romanian",
    "summary": "Mathematics has long been conveyed through natural language.",
    "thumbnail": "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2409.11074.png",
    "numComments": 2,
    "submittedBy": {"_id": "60f1", "fullname": "AK", "name": "akhaliq", "type": "user"},
    "isAuthorParticipating": False,
    "mediaUrls": ["https://example.org/a.png"],
}
API_VALUES = {
    "upvotes": 12,
    "comments": 2,
    "github_repo": "https://github.com/example/romath",
    "github_stars": 57,
    "project_page": "https://example.org/romath",
    "thumbnail_url": (
        "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2409.11074.png"
    ),
    "ai_summary": "RoMath is a benchmark of mathematical reasoning in Romanian.",
    "ai_keywords": ("benchmark", "Romanian", "mathematical reasoning"),
    "organization": "upb",
    "source_submitted_by": "akhaliq",
}


def parse(data: bytes) -> tuple[list[ParsedEntry], list[ParseWarning]]:
    items = list(parse_dump(io.BytesIO(data), upload_date=UPLOAD))
    return (
        [i for i in items if isinstance(i, ParsedEntry)],
        [i for i in items if isinstance(i, ParseWarning)],
    )


def item(paper=None, **top) -> dict:
    return {"paper": {"title": "A Title", **(paper or {})}, "publishedAt": "2024-09-18", **top}


def parse_one(one: dict) -> tuple[ParsedEntry, list[ParseWarning]]:
    """The item on lines 3 and after of an indented array, after a plain first item."""
    first = {"paper": {"title": "First"}, "publishedAt": "2024-09-18"}
    entries, warnings = parse(json.dumps([first, one], indent=1).encode())
    assert [e.title for e in entries] == ["First", one["paper"]["title"]]
    return entries[1], warnings


def source(entry: ParsedEntry) -> dict:
    return {name: getattr(entry, name) for name in SOURCE_FIELDS}


LINE = 8  # of the second item in parse_one's array (its "{"), after the first item's 7 lines


def at(template: str, **values) -> ParseWarning:
    return ParseWarning(LINE, template.format(line=LINE, **values))


def test_an_api_item_gives_every_field():
    entry, warnings = parse_one(API_ITEM)

    assert source(entry) == API_VALUES
    assert (entry.arxiv_id, entry.authors, entry.published_on) == (
        "2409.11074",
        ("Ada Lovelace",),
        datetime.date(2024, 9, 17),
    )
    assert warnings == []


def test_an_item_without_them_has_none_and_no_warning():
    entry, warnings = parse_one(item())

    assert source(entry) == {name: () if name == "ai_keywords" else None for name in SOURCE_FIELDS}
    assert warnings == []


def test_null_blank_and_empty_values_are_absent_without_a_warning():
    blank = {"upvotes": None, "githubRepo": "", "githubStars": None, "projectPage": " ",
             "ai_summary": "\u200b", "ai_keywords": [], "organization": None}  # fmt: skip
    entry, warnings = parse_one(item(blank, thumbnail="", submittedBy=None, numComments=None))

    assert source(entry) == {name: () if name == "ai_keywords" else None for name in SOURCE_FIELDS}
    assert warnings == []


def test_each_value_is_found_in_its_other_place_too():
    """Where the API is known to vary: on the item rather than its paper, or the reverse."""
    moved = {
        "upvotes": 3,
        "githubRepo": "https://github.com/a/b",
        "githubStars": 4,
        "projectPage": "http://a.example/",
        "ai_summary": "Short.",
        "ai_keywords": ["x"],
        "organization": "org",
    }
    paper_side = {
        "numComments": 5,
        "thumbnail": "https://t.example/1.png",
        "submittedOnDailyBy": {"name": "sub"},
    }

    entry, warnings = parse_one({**item(paper_side), **moved})

    assert source(entry) == {
        "upvotes": 3,
        "comments": 5,
        "github_repo": "https://github.com/a/b",
        "github_stars": 4,
        "project_page": "http://a.example/",
        "thumbnail_url": "https://t.example/1.png",
        "ai_summary": "Short.",
        "ai_keywords": ("x",),
        "organization": "org",
        "source_submitted_by": "sub",
    }
    assert warnings == []


def test_the_first_place_wins_and_a_bad_value_there_is_reported_before_the_next():
    entry, warnings = parse_one(
        item({"githubStars": "many", "upvotes": 9}, githubStars=40, upvotes=1)
    )

    assert (entry.github_stars, entry.upvotes) == (40, 9)
    assert warnings == [at(msg.W_JSON_NOT_A_COUNT, field="paper.githubStars")]


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("akhaliq", "akhaliq"),
        ({"user": "akhaliq", "name": "other", "fullname": "AK"}, "akhaliq"),
        ({"name": "akhaliq", "fullname": "AK"}, "akhaliq"),
        ({"fullname": "AK"}, "AK"),
        ({"user": " ", "name": 3, "fullname": "AK"}, "AK"),
    ],
)
def test_the_submitter_is_a_user_name_or_an_object_holding_one(value, name):
    entry, warnings = parse_one(item(submittedBy=value))

    assert (entry.source_submitted_by, warnings) == (name, [])


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("Google", "Google"),
        ({"_id": "1", "name": "google", "fullname": "Google"}, "google"),
        ({"fullname": "Google DeepMind", "avatar": "https://a.example/x.png"}, "Google DeepMind"),
    ],
)
def test_the_organization_is_a_name_or_an_object_holding_one(value, name):
    entry, warnings = parse_one(item({"organization": value}))

    assert (entry.organization, warnings) == (name, [])


def test_wrong_types_are_left_out_each_with_a_warning_and_the_rest_is_kept():
    wrong = {
        "upvotes": "many",
        "githubRepo": ["https://github.com/a/b"],
        "githubStars": True,
        "projectPage": 42,
        "ai_summary": {"text": "x"},
        "ai_keywords": "benchmark, Romanian",
        "organization": {"_id": "5e6a"},
    }
    one = item(
        {**wrong, "summary": "Kept.", "authors": [{"name": "Ada"}], "id": "2409.11074"},
        numComments=[2],
        thumbnail={"url": "https://t.example/1.png"},
        submittedBy=17,
    )

    entry, warnings = parse_one(one)

    assert source(entry) == {name: () if name == "ai_keywords" else None for name in SOURCE_FIELDS}
    assert (entry.abstract, entry.authors, entry.arxiv_id) == ("Kept.", ("Ada",), "2409.11074")
    assert warnings == [
        at(msg.W_JSON_NOT_A_COUNT, field="paper.upvotes"),
        at(msg.W_JSON_NOT_A_COUNT, field="numComments"),
        at(msg.W_JSON_NOT_TEXT, field="paper.githubRepo"),
        at(msg.W_JSON_NOT_A_COUNT, field="paper.githubStars"),
        at(msg.W_JSON_NOT_TEXT, field="paper.projectPage"),
        at(msg.W_JSON_NOT_TEXT, field="thumbnail"),
        at(msg.W_JSON_NOT_TEXT, field="paper.ai_summary"),
        at(msg.W_JSON_NOT_KEYWORDS, field="paper.ai_keywords"),
        at(msg.W_JSON_NO_NAME, field="paper.organization"),
        at(msg.W_JSON_NOT_TEXT, field="submittedBy"),
    ]


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (0, 0),
        (MAX_SOURCE_COUNT, MAX_SOURCE_COUNT),
        (12.0, 12),  # JSON has one number type
        (-1, None),
        (MAX_SOURCE_COUNT + 1, None),
        (2**63, None),
        (1e300, None),
    ],
)
def test_counts_are_whole_numbers_from_zero_to_the_cap(value, kept):
    entry, warnings = parse_one(item({"githubStars": value}))

    assert entry.github_stars == kept
    expected = [] if kept is not None else [
        at(msg.W_JSON_COUNT_OUT_OF_RANGE, field="paper.githubStars", limit=f"{MAX_SOURCE_COUNT:,}")
    ]  # fmt: skip
    assert warnings == expected


@pytest.mark.parametrize("value", [12.5, "12", False, float("nan"), float("inf"), {"n": 1}])
def test_a_count_of_another_kind_is_left_out(value):
    data = json.dumps([item({"upvotes": value})]).encode()  # NaN and Infinity as json writes them

    (entry,), warnings = parse(data)

    assert entry.upvotes is None
    assert warnings == [
        ParseWarning(1, msg.W_JSON_NOT_A_COUNT.format(line=1, field="paper.upvotes"))
    ]


def test_a_number_too_long_for_python_is_out_of_range_and_ignored_elsewhere():
    """Python refuses to read an integer of more than 4,300 digits; one must not end the dump."""
    digits = "9" * 5000
    paper = f'{{"title": "A Title", "githubStars": -{digits}, "upvotes": 3}}'
    data = f'[{{"paper": {paper}, "extra": [{digits}], "publishedAt": "2024-09-18"}}]'.encode()

    (entry,), warnings = parse(data)

    assert (entry.title, entry.github_stars, entry.upvotes) == ("A Title", None, 3)
    limit = f"{MAX_SOURCE_COUNT:,}"
    assert warnings == [
        ParseWarning(
            1,
            msg.W_JSON_COUNT_OUT_OF_RANGE.format(line=1, field="paper.githubStars", limit=limit),
        )
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/a/b",
        "http://example.org/x?q=1&r=2#top",
        "HTTPS://Example.org/",
        "https://例え.jp/パス",
        "https://[2001:db8::1]:8443/x",
        "https://x.example/" + "a" * (MAX_URL - 18),
    ],
)
def test_http_and_https_addresses_are_kept(url):
    entry, warnings = parse_one(item({"projectPage": url}))

    assert (entry.project_page, warnings) == (url, [])


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript://example.org/%0Aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/x",
        "github.com/a/b",
        "//github.com/a/b",
        "https://",
        "https:///path",
        "http://exa mple.org/",
        "https://example.org:port/",
        "https://[::1/",
        "file:///etc/passwd",
    ],
)
def test_other_addresses_are_left_out_with_a_warning(url):
    entry, warnings = parse_one(item({"githubRepo": url}, thumbnail=url))

    assert (entry.github_repo, entry.thumbnail_url) == (None, None)
    assert warnings == [
        at(msg.W_JSON_NOT_A_URL, field="paper.githubRepo"),
        at(msg.W_JSON_NOT_A_URL, field="thumbnail"),
    ]


def test_an_address_too_long_is_left_out():
    url = "https://x.example/" + "a" * MAX_URL

    entry, warnings = parse_one(item({"githubRepo": url}))

    assert entry.github_repo is None
    assert warnings == [at(msg.W_JSON_TEXT_TOO_LONG, field="paper.githubRepo", limit=MAX_URL)]


def test_an_ai_summary_too_long_is_cut_like_an_abstract():
    text = "A sentence of the summary. " * 200

    entry, warnings = parse_one(item({"ai_summary": text}))

    assert entry.ai_summary == text[:MAX_AI_SUMMARY].rstrip()
    assert warnings == [at(msg.W_JSON_TEXT_CUT, field="paper.ai_summary", limit=MAX_AI_SUMMARY)]


def test_an_ai_summary_is_cleaned_text():
    entry, _ = parse_one(item({"ai_summary": " Two\nlines,\x00 a\u200b space\ttab. "}))

    assert entry.ai_summary == "Two lines, a space tab."


def test_names_too_long_are_left_out():
    long_name = "N" * (MAX_SOURCE_NAME + 1)

    entry, warnings = parse_one(
        item({"organization": {"name": long_name}}, submittedBy={"user": long_name})
    )

    assert (entry.organization, entry.source_submitted_by) == (None, None)
    assert warnings == [
        at(msg.W_JSON_TEXT_TOO_LONG, field="paper.organization", limit=MAX_SOURCE_NAME),
        at(msg.W_JSON_TEXT_TOO_LONG, field="submittedBy", limit=MAX_SOURCE_NAME),
    ]


def test_keywords_that_are_not_short_text_are_left_out_and_the_others_kept():
    words = ["kept", 3, None, {"w": "x"}, "k" * (MAX_KEYWORD + 1), " ", "also\nkept"]

    entry, warnings = parse_one(item({"ai_keywords": words}))

    assert entry.ai_keywords == ("kept", "also kept")
    assert warnings == [
        at(msg.W_JSON_BAD_KEYWORDS, field="paper.ai_keywords", count=4, limit=MAX_KEYWORD)
    ]


def test_too_many_keywords_keep_the_first_ones():
    words = [f"word {i}" for i in range(MAX_KEYWORDS + 30)]

    entry, warnings = parse_one(item({"ai_keywords": words}))

    assert entry.ai_keywords == tuple(words[:MAX_KEYWORDS])
    assert warnings == [
        at(
            msg.W_JSON_TOO_MANY_KEYWORDS,
            field="paper.ai_keywords",
            count=f"{MAX_KEYWORDS + 30:,}",
            limit=MAX_KEYWORDS,
        )
    ]


def test_values_at_their_limits_are_kept_whole_without_a_warning():
    at_limit = {
        "githubRepo": "https://x.example/" + "a" * (MAX_URL - 18),
        "ai_summary": "s" * MAX_AI_SUMMARY,
        "ai_keywords": ["k" * MAX_KEYWORD] * MAX_KEYWORDS,
        "organization": "o" * MAX_SOURCE_NAME,
        "upvotes": MAX_SOURCE_COUNT,
    }

    entry, warnings = parse_one(item(at_limit))

    assert len(entry.github_repo) == MAX_URL
    assert entry.ai_summary == at_limit["ai_summary"]
    assert entry.ai_keywords == tuple(at_limit["ai_keywords"])
    assert entry.organization == at_limit["organization"]
    assert entry.upvotes == MAX_SOURCE_COUNT
    assert warnings == []


def test_text_dumps_carry_none_of_them():
    data = b"Daily Papers\n\nAug 22\n\nA Title\n\nAn abstract of the paper.\n\n\xc2\xb7\nAug 20 7\n"

    (entry,), _ = parse(data)

    assert entry.upvotes == 7  # the page's upvotes, as before
    assert source(entry) == {
        name: () if name == "ai_keywords" else 7 if name == "upvotes" else None
        for name in SOURCE_FIELDS
    }


@pytest.mark.parametrize(
    "refused",
    ["javascript:alert(1)", "ftp://example.org/x", "//example.org/x", "data:text/html,x"],
)
def test_a_refused_address_is_not_kept_in_the_entrys_extras_either(refused):
    entry, warnings = parse_one(
        item({"title": "Links", "githubRepo": refused, "projectPage": refused})
    )

    assert (entry.github_repo, entry.project_page) == (None, None)
    assert len(warnings) == 2
    assert "githubRepo" not in entry.metadata
    assert "projectPage" not in entry.metadata
    assert refused not in json.dumps(entry.metadata)


def test_the_entrys_extras_keep_the_addresses_as_read():
    entry, _ = parse_one(item({"title": "Links", "githubRepo": "  https://github.com/x/y  "}))

    assert entry.metadata["githubRepo"] == entry.github_repo == "https://github.com/x/y"
