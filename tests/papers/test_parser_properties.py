"""Property tests of the dump parser: render -> parse round trips, fuzzing, flat memory."""

import datetime
import io
import random
import tracemalloc
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papers.parsing import DumpFormatError, ParsedEntry, ParseWarning, parse_dump
from papers.parsing.normalize import clean_text, normalize_title
from papers.parsing.render import RenderDay, RenderPaper, write_json, write_text
from papers.parsing.text import _OTHER, TITLE_MAX, _line_kind

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
UPLOAD = datetime.date(2024, 11, 20)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

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


def parses_or_refuses(data: bytes) -> None:
    try:
        for item in parse_dump(io.BytesIO(data), upload_date=UPLOAD):
            assert isinstance(item, ParsedEntry | ParseWarning)
            if isinstance(item, ParseWarning):
                assert item.message.endswith(".")
    except DumpFormatError as err:
        assert str(err).endswith(".")


@SETTINGS
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


@SETTINGS
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
