"""Property tests of the dump parser: render -> parse round trips, fuzzing, flat memory.

The fuzzing tests hold the parser to its contract on any bytes (arbitrary, mutated samples,
and structured inputs that hit the grammar: day headers, metadata lines, JSON items with wrong
types, control characters, lone surrogates, extremely long titles): it either yields entries
and warnings or raises DumpFormatError, its one documented error, with one sentence; what it
yields can be stored as is (no NUL or surrogate, titles and keys within their columns, counts
within an integer column); and each example stays within a memory bound relative to its size
and a generous deadline that only guards against a hang.
"""

import datetime
import io
import json
import random
import re
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Imported now, so that their first import is not counted in a test's memory peak.
import papers.parsing.json_dump
import papers.parsing.text  # noqa: F401
from papers.parsing import DumpFormatError, ParsedEntry, ParseWarning, errors, parse_dump
from papers.parsing.limits import (
    MAX_AI_SUMMARY,
    MAX_KEYWORD,
    MAX_KEYWORDS,
    MAX_SOURCE_COUNT,
    MAX_SOURCE_NAME,
    MAX_URL,
)
from papers.parsing.normalize import clean_text, normalize_title
from papers.parsing.render import RenderDay, RenderPaper, write_json, write_text
from papers.parsing.text import _OTHER, TITLE_MAX, _line_kind

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
UPLOAD = datetime.date(2024, 11, 20)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Fuzzing: a deadline far beyond any honest example, only to catch a hang.
FUZZ = settings(
    max_examples=150,
    deadline=datetime.timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

WORDS = [
    "neural", "Graph", "LLM", "café", "naïve", "Ω-net", "3D", "RL", "&", "--", "<b>", '"x"',
    "it's", "“smart”", "über", "数据", "ß", "10%", "C++", "a:b", "(SoC)", "Über-Net", "🙂",
]  # fmt: skip
URLS = ["https://github.com/org/repo", "https://example.org/a_b-c/?q=1.", "http://x.io/y/"]

# Any printable text except controls and surrogates: unicode, punctuation, quotes, & and <.
_chars = st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn"))
_raw_text = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
    st.text(_chars, min_size=1, max_size=120),
)


def _is_plain_line(text: str) -> bool:
    """Not a chrome line, date line or metadata line (those are not titles on a page)."""
    return bool(text) and _line_kind(text)[0] == _OTHER


titles = _raw_text.map(clean_text).filter(lambda t: _is_plain_line(t) and len(t) <= TITLE_MAX)


@st.composite
def abstracts(draw) -> str:
    parts = draw(st.lists(_raw_text, min_size=1, max_size=30))
    text = clean_text(" ".join(parts))
    if draw(st.booleans()):
        text = clean_text(f"{text} {draw(st.sampled_from(URLS))}")
    elif text and draw(st.booleans()):
        text += "."
    return text


@st.composite
def papers(draw, day: datetime.date, *, for_json: bool) -> RenderPaper:
    abstract = draw(abstracts().filter(_is_plain_line))
    author_count = draw(st.none() | st.integers(0, 60))
    published, with_year, upvotes = None, True, None
    if draw(st.booleans()):
        with_year = draw(st.booleans())
        if with_year and not for_json:
            published = draw(st.dates(datetime.date(1990, 1, 1), datetime.date(2030, 12, 31)))
        else:
            published = day - datetime.timedelta(days=draw(st.integers(0, 364)))
        upvotes = draw(st.none() | st.integers(0, 5000))
    elif for_json:
        upvotes = draw(st.none() | st.integers(0, 5000))
    authors = ()
    if for_json and author_count is not None:
        names = st.text(_chars, min_size=1, max_size=20).map(clean_text).filter(bool)
        authors = tuple(draw(st.lists(names, min_size=author_count, max_size=author_count)))
        if not authors:
            author_count = None if draw(st.booleans()) else 0
    return RenderPaper(
        title=draw(titles),
        abstract=abstract,
        author_count=author_count,
        published=published,
        published_with_year=with_year,
        upvotes=upvotes,
        authors=authors,
    )


@st.composite
def digests(draw, *, for_json: bool = False) -> list[RenderDay]:
    offsets = draw(st.lists(st.integers(0, 360), min_size=1, max_size=3, unique=True))
    days = []
    for offset in offsets:
        day = UPLOAD - datetime.timedelta(days=offset)
        day_papers = draw(
            st.lists(
                papers(day, for_json=for_json),
                min_size=1,
                max_size=6,
                unique_by=lambda p: normalize_title(p.title),
            )
        )
        days.append(RenderDay(day, day_papers))
    return days


def parse_bytes(data: bytes):
    items = list(parse_dump(io.BytesIO(data), upload_date=UPLOAD))
    return (
        [item for item in items if isinstance(item, ParsedEntry)],
        [item for item in items if isinstance(item, ParseWarning)],
    )


def expected_rows(days: list[RenderDay], *, for_json: bool):
    rows = []
    for day in days:
        for position, paper in enumerate(day.papers, start=1):
            rows.append(
                (
                    day.date,
                    position,
                    paper.title,
                    paper.abstract,
                    paper.author_count,
                    paper.published,
                    paper.upvotes if (for_json or paper.published) else None,
                )
            )
    return rows


def rows(entries):
    return [
        (e.digest_date, e.position, e.title, e.abstract, e.author_count, e.published_on, e.upvotes)
        for e in entries
    ]


@SETTINGS
@given(days=digests(), daily_papers_line=st.booleans(), newline=st.sampled_from(["\n", "\r\n"]))
def test_text_round_trip(days, daily_papers_line, newline):
    out = io.StringIO(newline="")
    write_text(out, days, daily_papers_line=daily_papers_line, newline=newline)

    entries, warnings = parse_bytes(out.getvalue().encode("utf-8"))

    assert warnings == []
    assert rows(entries) == expected_rows(days, for_json=False)


@SETTINGS
@given(days=digests(for_json=True), indent=st.sampled_from([None, 2]))
def test_json_round_trip(days, indent):
    out = io.StringIO()
    write_json(out, days, indent=indent)

    entries, warnings = parse_bytes(out.getvalue().encode("utf-8"))

    assert warnings == []
    assert rows(entries) == expected_rows(days, for_json=True)
    for entry, paper in zip(entries, [p for day in days for p in day.papers], strict=True):
        assert entry.authors == paper.authors


# What a database column cannot take (PostgreSQL refuses NUL; no database takes a lone
# surrogate), and the other controls, which clean text never holds.
UNSTORABLE_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
COLUMN_WIDTH = 1000  # Paper.title and Paper.title_key
ARXIV_ID_WIDTH = 64
MAX_COUNT = 2**31 - 1  # PositiveIntegerField
# Peak memory of one parse: a fixed allowance plus a multiple of the input. The parser holds
# at most one read (1 MB) and its decoded lines at a time, so beyond a few MB it stays flat
# (see the large-dump tests below).
MEMORY_ALLOWANCE = 256 * 1024
MEMORY_PER_BYTE = 40


def is_one_sentence(text: str) -> bool:
    return (
        text[:1].isupper()
        and text.endswith(".")
        and UNSTORABLE_RE.search(text) is None
        and re.search(r"[.!?;]\s+[A-Z]", text[:-1]) is None
    )


def _template_re(template: str) -> re.Pattern:
    """A message template with any text in its {placeholders}."""
    return re.compile(".*".join(map(re.escape, re.split(r"\{\w+\}", template))), re.S)


TEMPLATES = {name: value for name, value in vars(errors).items() if name.startswith(("MSG_", "W_"))}
ERROR_RES = [_template_re(t) for name, t in TEMPLATES.items() if name.startswith("MSG_")]
WARNING_RES = [_template_re(t) for name, t in TEMPLATES.items() if name.startswith("W_")]


def is_a_message(text: str, patterns: list[re.Pattern]) -> bool:
    """One of the parser's message templates, filled in with storable text."""
    return UNSTORABLE_RE.search(text) is None and any(p.fullmatch(text) for p in patterns)


def test_every_message_template_is_one_sentence():
    filled = {
        name: re.sub(r"\{\w+\}", "12", template).replace('"12"', '"Aug 12"')
        for name, template in TEMPLATES.items()
    }
    assert len(filled) > 20
    assert {name: text for name, text in filled.items() if not is_one_sentence(text)} == {}


def assert_storable_text(value) -> None:
    if isinstance(value, str):
        assert UNSTORABLE_RE.search(value) is None, repr(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_storable_text(key)
            assert_storable_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            assert_storable_text(item)
    else:
        assert value is None or isinstance(value, int) and 0 <= value <= MAX_COUNT, value


def assert_storable(entry: ParsedEntry) -> None:
    assert 1 <= len(entry.title) <= COLUMN_WIDTH
    assert entry.title == clean_text(entry.title)
    assert entry.title_key == normalize_title(entry.title)
    assert 1 <= len(entry.title_key) <= COLUMN_WIDTH
    assert entry.arxiv_id is None or (
        entry.arxiv_id.isascii() and len(entry.arxiv_id) <= ARXIV_ID_WIDTH
    )
    for value in (entry.title, entry.abstract, entry.authors, entry.metadata):
        assert_storable_text(value)
    for count in (entry.author_count, entry.upvotes, entry.comments, entry.github_stars):
        assert count is None or 0 <= count <= MAX_COUNT
    for count in (entry.comments, entry.github_stars):
        assert count is None or count <= MAX_SOURCE_COUNT
    for url in (entry.github_repo, entry.project_page, entry.thumbnail_url):
        assert url is None or (
            0 < len(url) <= MAX_URL
            and urlsplit(url).scheme in ("http", "https")
            and urlsplit(url).hostname
            and url == clean_text(url)
            and " " not in url
        ), url
    for text, limit in (
        (entry.ai_summary, MAX_AI_SUMMARY),
        (entry.organization, MAX_SOURCE_NAME),
        (entry.source_submitted_by, MAX_SOURCE_NAME),
    ):
        assert text is None or (0 < len(text) <= limit and text == clean_text(text)), text
    assert isinstance(entry.ai_keywords, tuple) and len(entry.ai_keywords) <= MAX_KEYWORDS
    for word in entry.ai_keywords:
        assert 0 < len(word) <= MAX_KEYWORD and word == clean_text(word), word
    assert isinstance(entry.digest_date, datetime.date)
    assert entry.published_on is None or isinstance(entry.published_on, datetime.date)
    assert entry.line >= 1 and entry.position >= 1


def parses_or_refuses(data: bytes, *, digest_date: datetime.date | None = None) -> list:
    """Parse `data` under tracemalloc, hold the parser to its contract, return what it yields
    (entries and warnings; [] when it refused the file)."""
    items: list = []
    tracemalloc.start()
    try:
        try:
            for item in parse_dump(io.BytesIO(data), upload_date=UPLOAD, digest_date=digest_date):
                items.append(item)
        except DumpFormatError as err:
            assert is_a_message(str(err), ERROR_RES), str(err)
            items = []
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The items kept above are counted in the peak: a handful of bytes per input byte at most.
    assert peak <= MEMORY_ALLOWANCE + MEMORY_PER_BYTE * len(data), (peak, len(data))

    positions: dict[datetime.date, list[int]] = {}
    for item in items:
        assert isinstance(item, ParsedEntry | ParseWarning)
        if isinstance(item, ParseWarning):
            assert is_a_message(item.message, WARNING_RES), item.message
            assert item.line >= 1
        else:
            assert_storable(item)
            positions.setdefault(item.digest_date, []).append(item.position)
    # Positions number each digest day's papers from 1, in file order.
    assert all(p == list(range(1, len(p) + 1)) for p in positions.values()), positions
    return items


@FUZZ
@given(data=st.binary(max_size=3000))
def test_fuzz_arbitrary_bytes(data):
    parses_or_refuses(data)


SAMPLES = [
    (FIXTURES / name).read_bytes()[:4000]
    for name in (
        "digest-nov13-with-meta.txt",
        "digest-aug22-plain.txt",
        "digest-sep3-cp1252-crlf.txt",
        "hf-daily-papers.json",
    )
]


@FUZZ
@given(
    sample=st.sampled_from(SAMPLES),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["insert", "delete", "replace", "cut"]),
            st.floats(0, 1),
            st.binary(min_size=1, max_size=8)
            | st.sampled_from(
                [b"\n", b"\n\n", b"\r", b"\x00", b"[", b"{", b'"', b"\xe9", b"Aug 22"]
            ),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_fuzz_mutated_samples(sample, edits):
    data = bytearray(sample)
    for op, where, chunk in edits:
        at = int(where * len(data))
        if op == "insert":
            data[at:at] = chunk
        elif op == "delete":
            del data[at : at + len(chunk)]
        elif op == "replace":
            data[at : at + len(chunk)] = chunk
        else:
            del data[at:]
    parses_or_refuses(bytes(data))


# --- structured fuzzing: inputs that reach deep into the grammar ---------------------------

# Every character there is: controls, lone surrogates, private use, unassigned.
_any_char = st.characters(exclude_categories=())
_odd_chars = st.sampled_from(
    ["\x00", "\x01", "\x1b[31m", "\x7f", "\x85", "\x9f", "\u2028", "\u200b", "\ufeff",
     "\xa0", "\ud800", "\udfff", "\ud83d\ude00", "\t", "\x0b", "\x0c", "\x1c", "\ufdfa"]
)  # fmt: skip
_odd_text = st.lists(st.sampled_from(WORDS) | _odd_chars, min_size=1, max_size=15).map("".join)
# Titles around every limit: TITLE_MAX (300), the columns' 1000, and far beyond.
_long_text = st.builds(
    lambda word, n: " ".join([word] * n), st.sampled_from(WORDS + ["\ufdfa", "x" * 97]),
    st.integers(20, 1200),
)  # fmt: skip
_any_text = st.one_of(_raw_text, _odd_text, st.text(_any_char, max_size=80), _long_text)

_MONTH_WORDS = ["Jan", "Feb", "Mar.", "Apr", "May", "June", "Sept", "Sep", "december", "AUG", "Foo"]
_day_lines = st.builds(
    "{} {}".format, st.sampled_from(_MONTH_WORDS), st.integers(0, 40)
) | st.sampled_from(["Aug 22", "Feb 29", "Feb 30", "Nov 31"])
_published_lines = st.builds(
    lambda month, day, year, count: f"{month} {day}, {year}" + (f" {count}" if count else ""),
    st.sampled_from(_MONTH_WORDS),
    st.integers(0, 32),
    st.sampled_from(["0000", "0001", "1999", "2024", "9999"]),
    st.none() | st.sampled_from([1, 12, 999_999_999]),
)
_meta_lines = _published_lines | st.sampled_from(
    ["· 5 authors", "1 author", "•", "·", "* 3 authors", "- 999999 authors", "0 authors"]
)
_chrome_lines = st.sampled_from(
    ["Daily Papers", "new", "Subscribe", "by AK and the research community",
     "Get trending papers in your email inbox!"]
)  # fmt: skip
_blank_lines = st.sampled_from(["", " ", "\xa0", "\u200b", "\t"])
_abstract_lines = abstracts() | st.text(_any_char, min_size=80, max_size=400)


@st.composite
def text_dumps(draw) -> bytes:
    """A page copy made of the grammar's pieces, in any order, any line ends and encoding."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines += ["Daily Papers", "", draw(_day_lines), ""]
    for _ in range(draw(st.integers(0, 12))):
        block = draw(
            st.sampled_from(["paper", "paper", "day", "meta", "chrome", "blank", "title", "any"])
        )
        if block == "paper":
            lines += [draw(_any_text), "", draw(_abstract_lines)]
            if draw(st.booleans()):
                lines += ["", *draw(st.lists(_meta_lines, min_size=1, max_size=3))]
        elif block == "day":
            lines.append(draw(_day_lines))
        elif block == "meta":
            lines.append(draw(_meta_lines))
        elif block == "chrome":
            lines.append(draw(_chrome_lines))
        elif block == "blank":
            lines.append(draw(_blank_lines))
        elif block == "title":
            lines.append(draw(_any_text))
        else:
            lines.append(draw(st.text(_any_char, max_size=200)))
        lines.append("" if draw(st.booleans()) else draw(_blank_lines))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    if encoding == "utf-8":  # lone surrogates become invalid UTF-8
        return text.encode("utf-8", "surrogatepass")
    return text.encode(encoding, "replace")


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(_any_char, max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
_json_counts = st.integers() | st.sampled_from([-1, 0, 2**31 - 1, 2**31, 2**63, 10**30])
_json_dates = st.sampled_from(
    ["2024-08-22T08:00:00.000Z", "2024-08-22", "2024-08-22T08:00:00+14:00", "2024-02-30",
     "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "", " ", "yesterday",
     "2024-W34-4", "20240822"]
)  # fmt: skip
_json_ids = st.sampled_from(
    ["2409.11074", "arXiv:2409.11074v2", "https://arxiv.org/abs/2409.11074", "hep-th/9901001",
     "math.AG/0309136", "٢٤٠٩.١١٠٧٤", "2413.11074", "a" * 80 + "/9901001", "", "\x00"]
)  # fmt: skip


def _odd(strategy):
    """A field as it should be, or any JSON value at all in its place."""
    return strategy | _json_values


_json_authors = st.lists(
    _odd(st.fixed_dictionaries({"name": _odd(_any_text)}, optional={"hidden": _json_values})),
    max_size=4,
)
# Addresses: good ones, every scheme a page must never link to, and text that only looks like one.
_json_urls = (
    st.sampled_from(
        URLS
        + [
            "javascript:alert(1)",
            "JAVASCRIPT://x/%0Aalert(1)",
            "data:text/html,<b>",
            "ftp://x",
            "//x.io/a",
            "https://",
            "https:///p",
            "https://[::1/",
            "https://x:99999/",
            "https://x:port/",
            "http://a b/",
            "https://x.io/\x00\u2028",
            "HTTPS://X.IO",
        ]
    )  # fmt: skip
    | st.builds("https://{}/{}".format, _any_text, _any_text)
    | st.builds(lambda n: "https://x.io/" + "a" * n, st.integers(MAX_URL - 20, MAX_URL + 20))
)
# A name as text, or an object holding it (organization, submitter).
_json_names = _any_text | st.fixed_dictionaries(
    {},
    optional={"user": _odd(_any_text), "name": _odd(_any_text), "fullname": _odd(_any_text)},
)
_json_keywords = st.lists(_odd(_any_text), max_size=4) | st.builds(
    lambda n: ["kw"] * n, st.integers(MAX_KEYWORDS - 2, MAX_KEYWORDS + 3)
)
_json_papers = st.fixed_dictionaries(
    {},
    optional={
        "id": _odd(_json_ids),
        "title": _odd(_any_text),
        "summary": _odd(_any_text | _abstract_lines),
        "authors": _odd(_json_authors),
        "publishedAt": _odd(_json_dates),
        "upvotes": _odd(_json_counts),
        "numComments": _odd(_json_counts),
        "githubRepo": _odd(_json_urls | _any_text),
        "githubStars": _odd(_json_counts),
        "projectPage": _odd(_json_urls),
        "thumbnail": _odd(_json_urls),
        "ai_summary": _odd(_any_text | _abstract_lines),
        "ai_keywords": _odd(_json_keywords),
        "organization": _odd(_json_names),
        "submittedOnDailyBy": _odd(_json_names),
    },
)
_json_items = st.fixed_dictionaries(
    {},
    optional={
        "paper": _odd(_json_papers),
        "publishedAt": _odd(_json_dates),
        "title": _odd(_any_text),
        "summary": _odd(_any_text),
        "numComments": _odd(_json_counts),
        "upvotes": _odd(_json_counts),
        "thumbnail": _odd(_json_urls),
        "submittedBy": _odd(_json_names),
        "organization": _odd(_json_names),
        "githubStars": _odd(_json_counts),
        "ai_keywords": _odd(_json_keywords),
    },
)


@st.composite
def json_dumps(draw) -> bytes:
    items = draw(st.lists(_json_items | _json_values, max_size=8))
    text = json.dumps(
        items,
        indent=draw(st.sampled_from([None, 1])),
        ensure_ascii=draw(st.booleans()),  # escapes ("\ud800") or the characters themselves
    )
    return text.encode("utf-8", "surrogatepass")


@FUZZ
@given(data=text_dumps(), digest_date=st.none() | st.just(datetime.date(2024, 8, 22)))
def test_fuzz_text_grammar(data, digest_date):
    parses_or_refuses(data, digest_date=digest_date)


@FUZZ
@given(data=json_dumps(), digest_date=st.none() | st.just(datetime.date(2024, 8, 22)))
def test_fuzz_json_items(data, digest_date):
    parses_or_refuses(data, digest_date=digest_date)


@FUZZ
@given(text=st.text(_any_char, max_size=400), codec=st.sampled_from(["utf-8", "utf-16"]))
def test_fuzz_any_text(text, codec):
    parses_or_refuses(text.encode(codec, "surrogatepass"))


@FUZZ
@given(title=_any_text, abstract=_any_text, upvotes=_json_counts, published=_json_dates)
def test_a_json_paper_with_any_fields_is_kept_clean_or_skipped_with_a_warning(
    title, abstract, upvotes, published
):
    item = {
        "paper": {
            "title": title,
            "summary": abstract,
            "upvotes": upvotes,
            "publishedAt": published,
        },
        "publishedAt": "2024-08-22T08:00:00Z",
    }
    other = {**item, "paper": {"title": "A Plain Title"}}
    items = parses_or_refuses(json.dumps([item, other]).encode())

    # As JSON reads it back: an escaped surrogate pair is one character again.
    expected_title = clean_text(json.loads(json.dumps(title)))
    kept = 0 < len(expected_title) <= COLUMN_WIDTH and normalize_title(
        expected_title
    ) != normalize_title("A Plain Title")
    entries = [i for i in items if isinstance(i, ParsedEntry)]
    # The file is never refused for one odd item: it is cleaned, or skipped with a warning.
    assert [e.title for e in entries] == [expected_title] * kept + ["A Plain Title"]
    if kept:
        assert entries[0].upvotes == (upvotes if 0 <= upvotes <= MAX_SOURCE_COUNT else None)


# The source's own figures and links, each valid, in either of its places: read back exactly.
_good_counts = st.none() | st.integers(0, MAX_SOURCE_COUNT)
_good_urls = st.none() | st.builds(
    "https://{}.example/{}".format,
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=30),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-._~/?#[]@!$&'()*+,;=%", max_size=200),
)


def _good_text(limit: int):
    return st.text(_chars, min_size=1, max_size=limit).map(clean_text).filter(bool)


@SETTINGS
@given(
    values=st.fixed_dictionaries(
        {
            "upvotes": _good_counts,
            "comments": _good_counts,
            "github_repo": _good_urls,
            "github_stars": _good_counts,
            "project_page": _good_urls,
            "thumbnail_url": _good_urls,
            "ai_summary": st.none() | _good_text(MAX_AI_SUMMARY),
            "ai_keywords": st.lists(_good_text(MAX_KEYWORD), max_size=MAX_KEYWORDS).map(tuple),
            "organization": st.none() | _good_text(MAX_SOURCE_NAME),
            "source_submitted_by": st.none() | _good_text(MAX_SOURCE_NAME),
        }
    ),
    on_item=st.sets(st.sampled_from(["upvotes", "githubStars", "numComments", "thumbnail"])),
    as_object=st.booleans(),
)
def test_json_source_fields_round_trip(values, on_item, as_object):
    keys = {
        "upvotes": "upvotes",
        "comments": "numComments",
        "github_repo": "githubRepo",
        "github_stars": "githubStars",
        "project_page": "projectPage",
        "thumbnail_url": "thumbnail",
        "ai_summary": "ai_summary",
        "ai_keywords": "ai_keywords",
        "organization": "organization",
    }
    paper: dict = {"title": "A Plain Title"}
    item: dict = {"paper": paper, "publishedAt": "2024-08-22T08:00:00Z"}
    for name, key in keys.items():
        value = values[name]
        if value is not None:
            (item if key in on_item else paper)[key] = (
                list(value) if name == "ai_keywords" else value
            )
    submitter = values["source_submitted_by"]
    if submitter is not None:
        if as_object:
            paper["submittedOnDailyBy"] = {"fullname": "Someone Else", "user": submitter}
        else:
            item["submittedBy"] = submitter
    if as_object and values["organization"] is not None:
        paper["organization"] = {"name": values["organization"], "fullname": "Other"}

    entries, warnings = parse_bytes(json.dumps([item]).encode())

    assert warnings == []
    assert {name: getattr(entries[0], name) for name in values} == values


def _generated_days(count: int, per_day: int):
    rng = random.Random(7)
    words = ["sparse", "neural", "latent", "graph", "model", "data", "attention", "café",
             "“robust”", "&", "<b>", "--"]  # fmt: skip
    for d in range(count):
        day = UPLOAD - datetime.timedelta(days=d)

        def day_papers(d=d, day=day):
            for i in range(per_day):
                yield RenderPaper(
                    title=f"{rng.choice(words).title()} {' '.join(rng.sample(words, 5))} {d}-{i}",
                    abstract=" ".join(rng.choice(words) for _ in range(110)) + ".",
                    author_count=rng.randint(1, 9),
                    published=day - datetime.timedelta(days=rng.randint(0, 300)),
                    published_with_year=bool(i % 2),
                    upvotes=i % 5 or None,
                )

        yield RenderDay(day, day_papers())


def _peak_while_parsing(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = 0
        with path.open("rb") as fh:
            for item in parse_dump(fh, upload_date=UPLOAD):
                count += isinstance(item, ParsedEntry)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def test_memory_stays_flat_on_a_large_text_dump(tmp_path):
    path = tmp_path / "big.txt"
    with path.open("w", encoding="utf-8") as fh:
        write_text(fh, _generated_days(4, 5000))
    assert path.stat().st_size > 15_000_000

    count, peak = _peak_while_parsing(path)

    assert count == 20_000
    assert peak < 20_000_000


def test_memory_stays_flat_on_a_large_json_dump(tmp_path):
    path = tmp_path / "big.json"
    with path.open("w", encoding="utf-8") as fh:
        write_json(fh, _generated_days(4, 5000))
    assert path.stat().st_size > 15_000_000

    count, peak = _peak_while_parsing(path)

    assert count == 20_000
    assert peak < 20_000_000


def test_leading_blank_space_costs_no_memory():
    """Blank space before the content is skipped by one regex match per read; a backtracking
    match would take over a hundred bytes per byte of it."""
    data = b"\r\n\xc2\xa0" * (1 << 18) + b" \t" * 1000 + b"Aug 22\n"

    tracemalloc.start()
    try:
        with pytest.raises(DumpFormatError) as refused:
            list(parse_dump(io.BytesIO(data), upload_date=UPLOAD))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert str(refused.value) == errors.MSG_LEADING_BLANK
    assert peak < 8_000_000
