"""The digest dump parser on the real samples, variants of them, JSON dumps and bad files."""

import datetime
import io
import json
import textwrap
from pathlib import Path

import pytest

from papers.parsing import (
    DumpFormatError,
    ParsedEntry,
    ParseWarning,
    normalize_arxiv_id,
    normalize_title,
    parse_dump,
)
from papers.parsing import errors as msg
from papers.parsing.limits import MAX_ABSTRACT

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
UPLOAD = datetime.date(2024, 11, 20)

AUG22 = "digest-aug22-plain.txt"
MAR12 = "digest-mar12-no-title-line.txt"
NOV13 = "digest-nov13-with-meta.txt"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(data: bytes, *, upload_date=UPLOAD, digest_date=None):
    items = list(parse_dump(io.BytesIO(data), upload_date=upload_date, digest_date=digest_date))
    entries = [item for item in items if isinstance(item, ParsedEntry)]
    warnings = [item for item in items if isinstance(item, ParseWarning)]
    assert len(entries) + len(warnings) == len(items)
    return entries, warnings


def refused(data: bytes) -> DumpFormatError:
    with pytest.raises(DumpFormatError) as info:
        parse(data)
    return info.value


def per_day(entries) -> dict[datetime.date, int]:
    counts: dict[datetime.date, int] = {}
    for entry in entries:
        counts[entry.digest_date] = counts.get(entry.digest_date, 0) + 1
    return counts


def by_title(entries) -> dict[str, ParsedEntry]:
    return {entry.title: entry for entry in entries}


def fields(entries):
    """Everything but the line number, for comparing variants of one file."""
    return [
        (e.digest_date, e.position, e.title, e.abstract, e.author_count, e.published_on, e.upvotes)
        for e in entries
    ]


# --- the three samples ---------------------------------------------------------------------------


def test_aug22_plain_sample():
    entries, warnings = parse(read(AUG22))

    assert warnings == []
    assert per_day(entries) == {datetime.date(2024, 8, 22): 51}
    assert [e.position for e in entries] == list(range(1, 52))
    first, last = entries[0], entries[-1]
    assert first.title == (
        "NeuRBF: A Neural Fields Representation with Adaptive Radial Basis Functions"
    )
    assert first.line == 13
    assert first.abstract.startswith("We present a novel type of neural fields")
    assert first.abstract.endswith("with small model size and comparable training speed.")
    assert last.title == "Retrieval Head Mechanistically Explains Long-Context Factuality"
    assert last.line == 213
    assert last.abstract.endswith("improving reasoning, and compressing the KV cache.")
    titles = by_title(entries)
    splatfacto = titles[
        "Splatfacto-W: A Nerfstudio Implementation of Gaussian Splatting for Unconstrained "
        "Photo Collections"
    ]
    assert splatfacto.abstract.endswith("https://kevinxu02.github.io/splatfactow/.")
    assert titles[
        'Ten Lessons We Have Learned in the New "Sparseland": A Short Handbook for Sparse '
        "Neural Network Researchers"
    ].abstract.endswith("hope some of our answers could help you!")
    assert "Adaptive Sparse Allocation with Mutual Choice & Feature Choice Sparse Autoencoders" in (
        titles
    )
    for entry in entries:
        assert entry.arxiv_id is None
        assert entry.authors == ()
        assert entry.author_count is None
        assert entry.published_on is None
        assert entry.upvotes is None
        assert entry.comments is None
        assert entry.metadata == {}
        assert 1300 < len(entry.abstract) < 1930


def test_mar12_sample_without_daily_papers_line():
    entries, warnings = parse(read(MAR12))

    assert warnings == []
    assert per_day(entries) == {datetime.date(2024, 3, 12): 95}
    assert entries[0].title == (
        "RecInDial: A Unified Framework for Conversational Recommendation with Pretrained "
        "Language Models"
    )
    assert entries[0].line == 11
    assert entries[-1].title == "Neural Common Neighbor with Completion for Link Prediction"
    assert entries[-1].position == 95
    assert entries[-1].abstract.endswith("https://github.com/GraphPKU/NeuralCommonNeighbor.")
    titles = by_title(entries)
    assert titles["OkwuGbé: End-to-End Speech Recognition for Fon and Igbo"].position == 9
    assert titles["Binding Language Models in Symbolic Languages"].abstract.endswith(
        "https://github.com/HKUNLP/Binder ."
    )
    assert titles[
        "The 'Paris-end' of town? Urban typology through machine learning"
    ].abstract.endswith("really a `Paris-end' to your city?''.")


def test_nov13_sample_with_metadata_blocks():
    entries, warnings = parse(read(NOV13))

    assert warnings == []
    assert per_day(entries) == {datetime.date(2024, 11, 13): 62}
    first, last = entries[0], entries[-1]
    assert first.title.startswith("DDMI: Domain-Agnostic Latent Diffusion Models")
    assert first.abstract.endswith("compared to the existing INR generative models.")
    assert (first.author_count, first.published_on, first.upvotes) == (
        4,
        datetime.date(2024, 1, 23),
        None,
    )
    assert first.metadata == {"published": "Jan 23, 2024"}
    assert last.title == "Linguistic Structure Induction from Language Models"
    assert (last.author_count, last.published_on, last.position) == (
        1,
        datetime.date(2024, 3, 11),
        62,
    )
    assert all(e.author_count is not None and e.published_on is not None for e in entries)

    titles = by_title(entries)

    def meta(prefix):
        (entry,) = [e for e in entries if e.title.startswith(prefix)]
        return entry.author_count, entry.published_on, entry.upvotes, entry.metadata["published"]

    # "Mon D N": no year (the digest's), upvotes.
    assert meta("It's All Connected") == (4, datetime.date(2024, 4, 17), 4, "Apr 17 4")
    assert meta("Meta-Learning an In-Context") == (9, datetime.date(2024, 5, 21), 2, "May 21 2")
    assert meta("Skip a Layer or Loop it?") == (3, datetime.date(2024, 7, 10), 14, "Jul 10 14")
    # "Mon D": no year, no upvotes.
    assert meta("BrainFLORA") == (5, datetime.date(2024, 7, 13), None, "Jul 13")
    assert meta("Understanding Transformers through") == (
        1,
        datetime.date(2024, 8, 5),
        None,
        "Aug 5",
    )
    # "Mon D, YYYY N": a year and upvotes.
    assert meta("Theory, Analysis, and Best") == (11, datetime.date(2024, 9, 6), 2, "Sep 6, 2024 2")
    assert meta("HyperZ") == (1, datetime.date(2024, 1, 31), 1, "Jan 31, 2024 1")
    # A year is taken as written, even after the digest day.
    assert meta("S-INF") == (6, datetime.date(2024, 12, 23), None, "Dec 23, 2024")
    assert meta("Pointer Networks") == (3, datetime.date(2015, 6, 9), None, "Jun 9, 2015")
    assert titles["Transformers as Support Vector Machines"].abstract.startswith(
        'Since its inception in "Attention Is All You Need", transformer'
    )


@pytest.mark.parametrize(
    ("name", "upload_date", "expected"),
    [
        (AUG22, datetime.date(2024, 11, 20), datetime.date(2024, 8, 22)),
        (AUG22, datetime.date(2024, 8, 22), datetime.date(2024, 8, 22)),
        (AUG22, datetime.date(2024, 8, 21), datetime.date(2023, 8, 22)),
        (MAR12, datetime.date(2025, 1, 2), datetime.date(2024, 3, 12)),
        (NOV13, datetime.date(2024, 11, 20), datetime.date(2024, 11, 13)),
        (NOV13, datetime.date(2025, 6, 1), datetime.date(2024, 11, 13)),
    ],
)
def test_digest_year_resolves_against_upload_date(name, upload_date, expected):
    entries, _ = parse(read(name), upload_date=upload_date)

    assert {e.digest_date for e in entries} == {expected}


def test_digest_date_given_is_the_reference():
    entries, warnings = parse(read(NOV13), digest_date=datetime.date(2023, 11, 13))

    assert warnings == []
    assert {e.digest_date for e in entries} == {datetime.date(2023, 11, 13)}
    titles = by_title(entries)
    # Dates without a year follow the digest's year.
    brainflora = [e for e in entries if e.title.startswith("BrainFLORA")][0]
    assert brainflora.published_on == datetime.date(2023, 7, 13)
    assert titles["Pointer Networks"].published_on == datetime.date(2015, 6, 9)


def test_digest_date_not_in_file_warns_at_the_end():
    entries, warnings = parse(read(AUG22), digest_date=datetime.date(2024, 8, 23))

    assert len(entries) == 51
    assert {e.digest_date for e in entries} == {datetime.date(2024, 8, 22)}
    assert warnings == [
        ParseWarning(11, msg.W_DIGEST_DATE_MISSING.format(date="Aug 23", line=11)),
    ]


# --- variants of the samples ------------------------------------------------------------------


@pytest.mark.parametrize("name", [AUG22, MAR12, NOV13])
@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: t.replace("\n", "\r"), id="cr"),
        pytest.param(lambda t: "\ufeff" + t, id="bom"),
        pytest.param(lambda t: t.replace("\n", "  \t\n"), id="trailing-spaces"),
        pytest.param(lambda t: t.replace("\n\n", "\n\u00a0 \n"), id="nbsp-blank-lines"),
        pytest.param(lambda t: t.replace(": ", ":\u00a0"), id="nbsp-in-text"),
        pytest.param(lambda t: t.replace("Neural", "Neu\u200bral"), id="zero-width"),
        pytest.param(lambda t: "\n\n\n" + t + "\n\n\n", id="extra-blank-lines"),
        pytest.param(lambda t: t.replace("\n\n", "\n"), id="no-blank-lines"),
    ],
)
def test_windows_and_copy_variants_parse_the_same(name, transform):
    original = read(name).decode("utf-8")
    expected, _ = parse(original.encode("utf-8"))

    entries, warnings = parse(transform(original).encode("utf-8"))

    assert warnings == []
    assert fields(entries) == fields(expected)


@pytest.mark.parametrize("name", [AUG22, MAR12, NOV13])
def test_cp1252_encoded_sample(name):
    original = read(name)
    expected, _ = parse(original)

    entries, warnings = parse(original.decode("utf-8").encode("cp1252"))

    assert warnings == []
    assert fields(entries) == fields(expected)


def test_cp1252_crlf_fixture_with_quotes_and_accents():
    entries, warnings = parse(read("digest-sep3-cp1252-crlf.txt"))

    assert warnings == []
    assert [(e.digest_date, e.position, e.line) for e in entries] == [
        (datetime.date(2024, 9, 3), 1, 11),
        (datetime.date(2024, 9, 3), 2, 15),
    ]
    assert entries[0].title == "“Café” Models: Résumé Parsing with – Dashes & <Tags>"
    assert entries[0].abstract.startswith("We study “smart quotes”, café au lait and naïve")
    assert entries[0].abstract.endswith("See https://example.org/café")


def test_utf8_and_cp1252_lines_mixed_in_one_file():
    text = read(AUG22).replace(
        b"Pointer Networks", "Pointer Netwörks “β”".encode("cp1252", "replace")
    )

    entries, _ = parse(text)

    assert len(entries) == 51
    assert "Pointer Netwörks “?”" in by_title(entries)


def test_wrapped_abstracts_are_joined():
    original = read(NOV13).decode()
    lines = [
        textwrap.fill(line, 79, break_on_hyphens=False, break_long_words=False)
        if len(line) > 300
        else line
        for line in original.split("\n")
    ]
    expected, _ = parse(original.encode())

    entries, warnings = parse("\n".join(lines).encode())

    assert warnings == []
    assert fields(entries) == fields(expected)


def test_multi_day_dump_of_two_copies():
    data = read(AUG22) + b"\n\n" + read(NOV13)

    entries, warnings = parse(data)

    assert warnings == []
    assert per_day(entries) == {datetime.date(2024, 8, 22): 51, datetime.date(2024, 11, 13): 62}
    assert [e.position for e in entries] == list(range(1, 52)) + list(range(1, 63))
    assert entries[51].title.startswith("DDMI")
    assert entries[51].line == 216 + 13  # aug22 has 215 lines, then one blank line


def test_multi_day_years_resolve_each_day():
    data = read(NOV13) + b"\n" + read(MAR12)

    entries, _ = parse(data, upload_date=datetime.date(2025, 3, 20))

    assert per_day(entries) == {datetime.date(2024, 11, 13): 62, datetime.date(2025, 3, 12): 95}


def test_same_page_twice_keeps_first_copy_and_warns_for_each_repeat():
    data = read(AUG22) + b"\n\n" + read(AUG22)

    entries, warnings = parse(data)

    assert len(entries) == 51
    assert len(warnings) == 51
    assert warnings[0] == ParseWarning(
        229,
        msg.W_DUPLICATE.format(
            title="NeuRBF: A Neural Fields Representation with Adaptive Radial Basis Functions",
            line=229,
            day="Aug 22",
        ),
    )


def test_cut_off_copy_keeps_last_title_without_abstract():
    lines = read(AUG22).decode().split("\n")
    data = "\n".join(lines[:213]).encode()  # up to the last title, line 213

    entries, warnings = parse(data)

    assert len(entries) == 51
    assert entries[-1].title == "Retrieval Head Mechanistically Explains Long-Context Factuality"
    assert entries[-1].abstract == ""
    assert warnings == [
        ParseWarning(
            213,
            msg.W_NO_ABSTRACT.format(
                title="Retrieval Head Mechanistically Explains Long-Context Factuality", line=213
            ),
        )
    ]


def test_title_followed_by_another_title_is_kept_without_abstract():
    lines = read(AUG22).decode().split("\n")
    del lines[14:16]  # the abstract of the first paper (line 15) and its blank line

    entries, warnings = parse("\n".join(lines).encode())

    assert len(entries) == 51
    assert entries[0].abstract == ""
    assert entries[1].title.startswith("Learning Robust Generalizable Radiance Field")
    assert entries[1].abstract.startswith("This paper introduces a novel paradigm")
    assert [w.line for w in warnings] == [13]


def test_abstract_without_title_is_warned_not_dropped_silently():
    lines = read(AUG22).decode().split("\n")
    del lines[16:18]  # the second title (line 17) and its blank line

    entries, warnings = parse("\n".join(lines).encode())

    assert len(entries) == 50
    assert warnings == [ParseWarning(17, msg.W_ORPHAN_TEXT.format(line=17))]
    assert entries[1].title.startswith("Features that Make a Difference")
    assert entries[1].position == 2


def test_missing_daily_papers_line():
    data = read(AUG22).replace(b"Daily Papers\n\n", b"")

    entries, warnings = parse(data)

    assert warnings == []
    assert len(entries) == 51
    assert entries[0].line == 11


def test_chrome_lines_tolerate_case_and_spacing():
    data = (
        read(AUG22)
        .replace(b"Daily Papers", b"  DAILY   papers ")
        .replace(b"byAK and the research community", b"by AK and the research community")
    )

    entries, warnings = parse(data)

    assert (len(entries), warnings) == (51, [])


def text_dump(*paragraphs: str) -> bytes:
    return "\n\n".join(paragraphs).encode()


ABSTRACT = (
    "We study something at length, with enough words that the paragraph reads as prose; the "
    "method is described, experiments are run and results are reported in detail. Code is at "
    "https://example.org/code and the data too, which makes this abstract long enough to count. "
    "Real abstracts run from a few hundred to about two thousand characters."
)
assert len(ABSTRACT) > 300


def test_full_month_names_and_meta_block_variants():
    data = text_dump(
        "September 3",
        "Paper One",
        ABSTRACT,
        "• 1 author",
        "Paper Two",
        ABSTRACT + " Two.",
        "·\nAug 30 7",
        "Paper Three",
        ABSTRACT + " Three.",
        "Feb 30, 2024",
        "Paper Four",
        ABSTRACT + " Four.",
        "Aug 31",
    )

    entries, warnings = parse(data, upload_date=datetime.date(2025, 1, 1))

    assert [(e.title, e.author_count, e.published_on, e.upvotes) for e in entries] == [
        ("Paper One", 1, None, None),
        ("Paper Two", None, datetime.date(2024, 8, 30), 7),
        ("Paper Three", None, None, None),
        ("Paper Four", None, datetime.date(2024, 8, 31), None),
    ]
    assert {e.digest_date for e in entries} == {datetime.date(2024, 9, 3)}
    assert warnings == [
        ParseWarning(20, msg.W_INVALID_PUBLISHED.format(text="Feb 30, 2024", line=20)),
    ]


def test_publication_date_without_year_goes_back_a_year_when_after_the_digest_day():
    data = text_dump("Jan 5", "Paper", ABSTRACT, "  • 2 authors\n·\nDec 30 3")

    entries, _ = parse(data, upload_date=datetime.date(2025, 2, 1))

    assert entries[0].digest_date == datetime.date(2025, 1, 5)
    assert entries[0].published_on == datetime.date(2024, 12, 30)


def test_feb_29_digest_day_resolves_to_a_leap_year():
    entries, _ = parse(
        text_dump("Feb 29", "Paper", ABSTRACT), upload_date=datetime.date(2027, 5, 1)
    )

    assert entries[0].digest_date == datetime.date(2024, 2, 29)


def test_invalid_digest_day_skips_its_papers_with_a_warning():
    data = text_dump("Feb 30", "Paper", ABSTRACT, "Daily Papers", "Aug 22", "Kept", ABSTRACT)

    entries, warnings = parse(data)

    assert [e.title for e in entries] == ["Kept"]
    assert warnings == [ParseWarning(1, msg.W_INVALID_DAY.format(text="Feb 30", line=1))]


def test_bare_date_after_abstract_starts_a_new_day_in_a_plain_copy():
    # Papers without metadata: a bare "Mon D" after an abstract is the next copy's day.
    data = text_dump("Aug 22", "A", ABSTRACT, "B", ABSTRACT, "Aug 23", "C", ABSTRACT)

    entries, warnings = parse(data)

    assert warnings == []
    assert [(e.title, e.digest_date, e.position) for e in entries] == [
        ("A", datetime.date(2024, 8, 22), 1),
        ("B", datetime.date(2024, 8, 22), 2),
        ("C", datetime.date(2024, 8, 23), 1),
    ]


def test_bare_date_after_abstract_is_a_publication_date_in_a_copy_with_metadata():
    data = text_dump("Aug 22", "A", ABSTRACT, "• 3 authors\n·\nAug 1", "B", ABSTRACT, "Aug 21")

    entries, _ = parse(data)

    assert [(e.title, e.published_on) for e in entries] == [
        ("A", datetime.date(2024, 8, 1)),
        ("B", datetime.date(2024, 8, 21)),
    ]


def test_text_before_first_day_and_empty_day_and_stray_meta_are_warned():
    data = text_dump(
        "Some note pasted on top",
        "new",
        "Aug 21",
        "Aug 22",
        "• 3 authors",
        "Title",
        ABSTRACT,
    )

    entries, warnings = parse(data)

    assert [e.title for e in entries] == ["Title"]
    assert warnings == [
        ParseWarning(1, msg.W_BEFORE_FIRST_DAY.format(first=1, last=1)),
        ParseWarning(5, msg.W_EMPTY_DAY.format(day="Aug 21", line=5)),
        ParseWarning(9, msg.W_STRAY_META.format(line=9)),
    ]


def test_abstract_cut_by_a_blank_line_is_joined_with_a_warning():
    first_half = ABSTRACT.rstrip(".") + ", and then"
    data = text_dump("Aug 22", "Title", first_half, ABSTRACT.lower(), "Next", ABSTRACT)

    entries, warnings = parse(data)

    assert entries[0].abstract == first_half + " " + ABSTRACT.lower()
    assert entries[1].title == "Next"
    assert warnings == [ParseWarning(7, msg.W_ABSTRACT_CONTINUED.format(line=7))]


def test_short_abstract_and_markup_like_title():
    data = text_dump(
        "Aug 22", "<script>alert('x')</script> & -- Title", "Short abstract.", "Next", ABSTRACT
    )

    entries, warnings = parse(data)

    assert warnings == []
    assert [(e.title, e.abstract) for e in entries] == [
        ("<script>alert('x')</script> & -- Title", "Short abstract."),
        ("Next", ABSTRACT),
    ]


def test_file_starting_with_a_day_and_no_chrome():
    entries, _ = parse(text_dump("Aug 22", "Title", ABSTRACT))

    assert [(e.title, e.line) for e in entries] == [("Title", 3)]


# --- JSON dumps -----------------------------------------------------------------------------------


def test_json_fixture():
    entries, warnings = parse(read("hf-daily-papers.json"))

    assert [(e.digest_date, e.position, e.line) for e in entries] == [
        (datetime.date(2024, 9, 18), 1, 2),
        (datetime.date(2024, 9, 18), 2, 27),
        (datetime.date(2024, 9, 20), 1, 48),
        (datetime.date(2024, 9, 20), 2, 55),
    ]
    romath, retrieval, selfcorrect, qwen = entries
    assert romath.title == "RoMath: A Mathematical Reasoning Benchmark in Romanian"
    assert romath.abstract == (
        "Mathematics has long been conveyed through natural language. We introduce RoMath. "
        "Code: https://github.com/example/romath"
    )
    assert romath.arxiv_id == "2409.11074"
    # A hidden author is counted, not named (the source's page leaves the name out); an
    # empty name is not an author.
    assert romath.authors == ("Ada Lovelace",)
    assert romath.author_count == 2
    assert romath.published_on == datetime.date(2024, 9, 17)
    assert (romath.upvotes, romath.comments) == (12, 2)
    assert romath.github_repo == "https://github.com/example/romath"
    assert romath.ai_keywords == ("benchmark", "Romanian", "mathematical reasoning")
    assert romath.thumbnail_url == (
        "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2409.11074.png"
    )
    assert romath.source_submitted_by == "akhaliq"  # the user name, not the full name "AK"
    assert (romath.github_stars, romath.project_page, romath.ai_summary, romath.organization) == (
        None,
        None,
        None,
        None,
    )
    assert romath.metadata == {
        "githubRepo": "https://github.com/example/romath",
        "ai_keywords": ["benchmark", "Romanian", "mathematical reasoning"],
        "submittedOnDailyAt": "2024-09-18T06:12:00.000Z",
        "numComments": 2,
    }
    assert retrieval.arxiv_id == "2409.10516"
    assert retrieval.abstract.endswith("important & widely used.")
    assert (selfcorrect.abstract, selfcorrect.authors, selfcorrect.author_count) == ("", (), None)
    assert (selfcorrect.published_on, selfcorrect.upvotes, selfcorrect.comments) == (
        None,
        None,
        None,
    )
    assert (qwen.title, qwen.author_count, qwen.upvotes, qwen.comments) == (
        "Qwen2.5-Coder Technical Report",
        0,
        None,
        5,
    )
    assert warnings == [
        ParseWarning(41, msg.W_JSON_NO_TITLE.format(line=41)),
        ParseWarning(55, msg.W_JSON_BAD_PUBLISHED.format(line=55)),
        # "upvotes": "many"
        ParseWarning(55, msg.W_JSON_NOT_A_COUNT.format(line=55, field="paper.upvotes")),
    ]
    for entry in entries:
        json.dumps(entry.metadata)
        assert entry.abstract not in json.dumps(entry.metadata) or not entry.abstract


def test_json_digest_date_given():
    entries, warnings = parse(read("hf-daily-papers.json"), digest_date=datetime.date(2024, 9, 18))
    assert len(entries) == 4
    assert len(warnings) == 3

    _, warnings = parse(read("hf-daily-papers.json"), digest_date=datetime.date(2024, 9, 19))
    assert warnings[-1] == ParseWarning(2, msg.W_DIGEST_DATE_MISSING.format(date="Sep 19", line=2))


def test_json_compact_one_line_and_missing_digest_date():
    items = [
        {"paper": {"title": "A", "summary": "x"}, "publishedAt": "2024-09-18T08:00:00Z"},
        {"paper": {"title": "B"}, "publishedAt": "yesterday"},
        {"title": "C", "publishedAt": "2024-09-18"},
        {"paper": {"title": "a!"}, "publishedAt": "2024-09-18T09:00:00Z"},
    ]

    entries, warnings = parse(json.dumps(items).encode())

    assert [(e.title, e.position) for e in entries] == [("A", 1), ("C", 2)]
    assert warnings == [
        ParseWarning(1, msg.W_JSON_NO_DATE.format(line=1)),
        ParseWarning(1, msg.W_DUPLICATE.format(title="a!", line=1, day="Sep 18")),
    ]


def test_json_with_bom_crlf_and_leading_blank():
    data = b"\xef\xbb\xbf\r\n  " + read("hf-daily-papers.json").replace(b"\n", b"\r\n")

    entries, _ = parse(data)

    assert [e.line for e in entries] == [3, 28, 49, 56]


def test_json_large_items_across_reads():
    long_summary = "word " * 600_000  # 3 MB, larger than one read
    items = [
        {
            # The upvotes come after the summary: read, they show the item was decoded whole.
            "paper": {"title": f"T{i}", "summary": long_summary if i == 1 else "s", "upvotes": i},
            "publishedAt": "2024-09-18",
        }
        for i in range(3)
    ]

    entries, warnings = parse(json.dumps(items, indent=1).encode())

    # The long abstract is cut at the limit on abstracts, with a warning.
    assert [len(e.abstract) for e in entries] == [1, MAX_ABSTRACT - 1, 1]
    assert entries[1].abstract == long_summary[: MAX_ABSTRACT - 1]
    assert [e.upvotes for e in entries] == [0, 1, 2]
    assert [e.line for e in entries] == [2, 10, 18]
    message = msg.W_ABSTRACT_TOO_LONG.format(title="T1", line=10, limit=MAX_ABSTRACT)
    assert warnings == [ParseWarning(10, message)]


# --- files that are not digests ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", msg.MSG_EMPTY, id="empty"),
        pytest.param(b" \n\r\n\t\n\xc2\xa0\n", msg.MSG_BLANK, id="whitespace-only"),
        pytest.param(b"\xef\xbb\xbf\n\n", msg.MSG_BLANK, id="bom-only"),
        pytest.param(b"Aug 22\n\x00\x01\x02\x03 binary", msg.MSG_BINARY, id="nul-bytes"),
        pytest.param(bytes(range(256)) * 4, msg.MSG_BINARY, id="binary-bytes"),
        pytest.param(b"\x81\x8d\x8f\x90\x9d" * 50, msg.MSG_BINARY, id="undecodable"),
        pytest.param(
            b"PK\x03\x04\x14\x00\x00\x00", msg.MSG_ARCHIVE.format(kind="ZIP archive"), id="zip"
        ),
        pytest.param(b"\x1f\x8b\x08\x00", msg.MSG_ARCHIVE.format(kind="gzip archive"), id="gzip"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3", msg.MSG_ARCHIVE.format(kind="PDF document"), id="pdf"),
        pytest.param(b"<html><body>Aug 22</body></html>", msg.MSG_HTML, id="html-tag"),
        pytest.param(b"\n  <div class='x'>Daily Papers</div>", msg.MSG_HTML, id="leading-tag"),
        pytest.param(b'{"paper": {"title": "x"}}', msg.MSG_JSON_NOT_ARRAY, id="json-object"),
        pytest.param(b"[]", msg.MSG_JSON_EMPTY, id="json-empty-array"),
        pytest.param(b"[\n\n]", msg.MSG_JSON_EMPTY, id="json-empty-array-lines"),
        pytest.param(b'[{"foo": 1}, {"bar": 2}]', msg.MSG_JSON_NO_PAPERS, id="json-wrong-shape"),
        pytest.param(b"[\n1,\n2]", msg.MSG_JSON_ITEM_NOT_OBJECT.format(line=2), id="json-numbers"),
        pytest.param(b"[" * 100_000, msg.MSG_JSON_TOO_DEEP.format(line=1), id="json-deep"),
        pytest.param(
            b'[{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}]",
            msg.MSG_JSON_TOO_DEEP.format(line=1),
            id="json-deep-inside-item",
        ),
        pytest.param(
            b'[{"paper": {"title": "x"}, "publishedAt": "2024-01-01"}]\n]',
            msg.MSG_JSON_TRAILING.format(line=2),
            id="json-trailing",
        ),
        pytest.param(
            b"new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
            b"byAK and the research community\n\nAug 22\n",
            msg.MSG_NO_PAPERS,
            id="header-without-papers",
        ),
        pytest.param(
            b"Dear committee,\n\nThis letter is plain prose. It has no digest day at all.\n",
            msg.MSG_NO_DIGEST_DAY,
            id="prose",
        ),
        pytest.param(b"new\n\nSubscribe\n", msg.MSG_NO_DIGEST_DAY, id="chrome-only"),
        pytest.param(
            b"Aug 22\n\n" + b"x" * (2 << 20), msg.MSG_LINE_TOO_LONG.format(line=3), id="huge-line"
        ),
        pytest.param(
            b"y" * (9 << 20), msg.MSG_LINE_TOO_LONG.format(line=1), id="huge-unended-line"
        ),
        pytest.param(
            b"\n" * 10 + b" " * (2 << 20) + b"Aug 22", msg.MSG_LEADING_BLANK, id="blank-prefix"
        ),
    ],
)
def test_not_a_digest_is_refused_with_one_sentence(data, message):
    err = refused(data)

    assert str(err) == message
    assert str(err).endswith(".")
    assert str(err).count(". ") == 0


def test_html_fixture_is_refused():
    assert str(refused(read("not-a-digest.html"))) == msg.MSG_HTML


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b'[\n{"paper": {"title": "x"}, "publishedAt": "2024-01-01"},\n{"a": 1', 3),
        (b'[\n  {"paper": {"title": "x"},\n   "publishedAt": "2024-01-01"\n  }\n  {"b": 2}\n]', 5),
        (b'[\n{"paper": {"title": "x"}, "publishedAt": "2024-01-01"},\n\n{"a": tru}]', 4),
        (b'[\n{"paper": {"title": "x"}, "publishedAt": "2024-01-01"},\n', 3),
        (b'[\n{\n"paper": {\n"title": "unterminated', 4),
    ],
)
def test_broken_json_names_the_line(data, line):
    err = refused(data)

    assert err.line == line
    assert str(err).startswith(f"The JSON dump is broken at line {line} (")
    assert str(err).endswith(").")


def test_broken_json_late_in_a_file_raises_after_earlier_entries():
    items = [{"paper": {"title": f"T{i}"}, "publishedAt": "2024-09-18"} for i in range(2000)]
    data = json.dumps(items, indent=1).encode()[:-2] + b",\n]"
    stream = parse_dump(io.BytesIO(data), upload_date=UPLOAD)

    seen = []
    with pytest.raises(DumpFormatError) as info:
        for item in stream:
            seen.append(item)

    assert len(seen) == 2000
    assert info.value.line == data.count(b"\n") + 1


def test_json_item_too_large():
    data = b'[{"paper": {"title": "x", "summary": "' + b"a" * (11 << 20) + b'"}}]'

    err = refused(data)

    assert str(err) == msg.MSG_JSON_ITEM_TOO_LARGE.format(line=1)


def test_invalid_utf8_in_json():
    err = refused(b'[\n{"paper": {"title": "caf\xe9"}, "publishedAt": "2024-01-01"}]')

    assert str(err) == msg.MSG_JSON_ENCODING.format(line=2)


# --- normalization ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Attention Is All You Need", "attention is all you need"),
        ("Attention Is All You Need", "  Attention   is all\u00a0you need. "),
        ("NeRV++: An Enhanced Video Representation", "NeRV: an enhanced video representation!"),
        ("What comes after transformers? -- A survey", "What comes after transformers A survey"),
        ('The "Sparseland" handbook', "The “Sparseland” handbook"),
        ("Ten Lessons: Sparse-land", "Ten lessons sparseland"),
        ("Caf\u00e9 models", "Cafe\u0301 models"),
        ("ﬁne-tuning ＬＬＭｓ", "finetuning LLMs"),
        ("Stra\u00dfe", "STRASSE"),
        ("Zero\u200bwidth", "Zerowidth"),
    ],
)
def test_normalize_title_equal_keys(a, b):
    assert normalize_title(a) == normalize_title(b)


def test_normalize_title_values():
    assert normalize_title("  HNeRV: A Hybrid   Neural Representation for Videos ") == (
        "hnervahybridneuralrepresentationforvideos"
    )
    assert normalize_title("Qwen2.5-Coder") == "qwen25coder"
    assert normalize_title("ΑΒΓ: Δέλτα") == "αβγδέλτα"
    assert normalize_title("Text-to-Speech") == normalize_title("Text to speech")
    assert normalize_title("!!!") == "!!!"  # no letters or digits: the text itself
    assert normalize_title("... 1 ...") == "1"
    assert normalize_title("Attention") != normalize_title("Attention 2")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2409.11074", "2409.11074"),
        ("2409.11074v2", "2409.11074"),
        ("arXiv:2409.11074", "2409.11074"),
        ("  arxiv:2409.11074v12 ", "2409.11074"),
        ("https://arxiv.org/abs/2409.11074v3", "2409.11074"),
        ("http://arxiv.org/pdf/2409.11074v1.pdf", "2409.11074"),
        ("https://www.arxiv.org/abs/2409.11074/", "2409.11074"),
        ("https://huggingface.co/papers/2409.11074", "2409.11074"),
        ("1412.6980", "1412.6980"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("hep-th/9901001v2", "hep-th/9901001"),
        ("arXiv:math.AG/0309136", "math.AG/0309136"),
        ("https://arxiv.org/abs/cond-mat/0102536v1", "cond-mat/0102536"),
        # Every form a member may paste on the submission page.
        ("2401.12345", "2401.12345"),
        ("2401.12345v2", "2401.12345"),
        ("arXiv:2401.12345", "2401.12345"),
        ("https://arxiv.org/abs/2401.12345", "2401.12345"),
        ("https://arxiv.org/pdf/2401.12345v3.pdf", "2401.12345"),
        ("https://arxiv.org/pdf/2401.12345v3", "2401.12345"),
        ("https://huggingface.co/papers/2401.12345", "2401.12345"),
        ("https://arxiv.org/html/2401.12345v1", "2401.12345"),
        ("https://arxiv.org/abs/2401.12345v2?context=cs.LG", "2401.12345"),
        ("https://huggingface.co/papers/2401.12345#community", "2401.12345"),
        ("arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("2401.12345?context=cs", None),  # a query string only after an address
        ("https://huggingface.co/abs/2401.12345", None),
        ("https://arxiv.org/list/2401.12345", None),
        ("2409.1107", None),  # 4-digit numbers ended in 2014
        ("1412.69801", None),
        ("2413.11074", None),  # month 13
        ("hello", None),
        ("", None),
        ("https://example.org/abs/2409.11074", None),
        ("2409.11074.5", None),
    ],
)
def test_normalize_arxiv_id(value, expected):
    assert normalize_arxiv_id(value) == expected
