"""What one dump item may carry, and how many warnings a paper and a dump may give.

An abstract that goes on for megabytes of paragraphs, a JSON item with a million authors or a
file with a warning on every line: each is read in time and memory linear in the file, its
values cut at the limits with a warning naming the line, and its warnings bounded (the first
ones kept with their line numbers, the rest counted by kind in one summary each). Not timed:
bench/parse.py measures the speed.
"""

import datetime
import io
import json
import pickle
import tracemalloc
from pathlib import Path

import pytest

from papers.parsing import ParsedEntry, ParseWarning, parse_dump
from papers.parsing import errors as msg
from papers.parsing.limits import (
    MAX_ABSTRACT,
    MAX_AI_SUMMARY,
    MAX_AUTHOR_NAME,
    MAX_AUTHORS,
    MAX_KEYWORD,
    MAX_KEYWORDS,
    MAX_SOURCE_COUNT,
    MAX_SOURCE_NAME,
    MAX_URL,
    MAX_WARNINGS,
    MAX_WARNINGS_PER_PAPER,
    WarningTally,
)
from papers.parsing.stream import parse_batches

UPLOAD = datetime.date(2024, 11, 20)
HEAD = "Daily Papers\n\nAug 22\n\nA paper whose abstract never ends\n\n"
CONTINUED_EXAMPLE = "The paragraph at line … was read as a continuation of the abstract before it"


def parse(data: bytes):
    items = list(parse_dump(io.BytesIO(data), upload_date=UPLOAD))
    entries = [i for i in items if isinstance(i, ParsedEntry)]
    warnings = [i for i in items if isinstance(i, ParseWarning)]
    return entries, warnings


def endless_abstract(paragraphs: int, *, long_lines: bool = False) -> tuple[bytes, list[int]]:
    """A title, then an abstract in `paragraphs` paragraphs that each continue the one before
    (lower case, no full stop), and the line of each paragraph."""
    text = [HEAD]
    line = HEAD.count("\n") + 1
    lines = []
    for n in range(paragraphs):
        lines.append(line)
        if long_lines:
            text.append(f"{'and goes on ' * 40}{n}\n\n")
            line += 2
        else:
            text.append(f"and goes on {n}\nstill going\n\n")
            line += 3
    return "".join(text).encode(), lines


def continued(line: int) -> ParseWarning:
    return ParseWarning(line, msg.W_ABSTRACT_CONTINUED.format(line=line))


def summary(count: int, example: str, line: int, *, kind: str = "") -> ParseWarning:
    message = msg.W_MORE_WARNINGS.format(count=f"{count:,}", example=example, line=line)
    return ParseWarning(line, message, kind=kind, omitted=count)


# --- text: one abstract in many paragraphs ---------------------------------------------------


def test_an_abstract_in_many_paragraphs_keeps_its_first_warnings_and_a_summary():
    data, lines = endless_abstract(5000)

    (entry,), warnings = parse(data)

    title = "A paper whose abstract never ends"
    assert (entry.title, entry.line) == (title, 5)
    kept = lines[1 : 1 + MAX_WARNINGS_PER_PAPER]  # the first paragraph is the abstract itself
    left_out = 5000 - 1 - MAX_WARNINGS_PER_PAPER
    assert warnings == [
        ParseWarning(5, msg.W_ABSTRACT_TOO_LONG.format(title=title, line=5, limit=MAX_ABSTRACT)),
        *(continued(line) for line in kept),
        summary(left_out, CONTINUED_EXAMPLE, lines[1 + MAX_WARNINGS_PER_PAPER]),
    ]
    assert "There are 4,989 more warnings like" in warnings[-1].message


def test_an_abstract_is_cut_at_the_limit_on_a_word_of_its_own_text():
    data, _ = endless_abstract(5000)

    (entry,), _ = parse(data)

    expected = " ".join(f"and goes on {n} still going" for n in range(5000))
    assert entry.abstract == expected[:MAX_ABSTRACT].rstrip()
    assert len(entry.abstract) <= MAX_ABSTRACT


def test_an_abstract_within_the_limit_is_whole_with_a_warning_per_paragraph():
    data, lines = endless_abstract(4)

    (entry,), warnings = parse(data)

    assert entry.abstract == " ".join(f"and goes on {n} still going" for n in range(4))
    assert warnings == [continued(line) for line in lines[1:]]


def test_a_single_paragraph_longer_than_the_limit_is_cut():
    prose = ("word " * (MAX_ABSTRACT // 4)).strip()  # one line of about 25,000 characters
    data = f"Aug 22\n\nA Title\n\n{prose}\n".encode()

    (entry,), warnings = parse(data)

    assert entry.abstract == prose[:MAX_ABSTRACT].rstrip()
    message = msg.W_ABSTRACT_TOO_LONG.format(title="A Title", line=3, limit=MAX_ABSTRACT)
    assert warnings == [ParseWarning(3, message)]


@pytest.mark.parametrize("long_lines", [False, True], ids=["short-paragraphs", "long-lines"])
def test_a_2_mb_hostile_abstract_parses_with_bounded_warnings_and_memory(long_lines):
    """The reproduction of the quadratic parse: 5.4 MB took 27 s and gave 320,000 warnings."""
    paragraphs = 2_000_000 // (484 if long_lines else 30)
    data, lines = endless_abstract(paragraphs, long_lines=long_lines)
    assert len(data) > 1_900_000

    tracemalloc.start()
    try:
        (entry,), warnings = parse(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(warnings) == MAX_WARNINGS_PER_PAPER + 2  # kept, the summary, the cut
    assert warnings[-1].omitted == paragraphs - 1 - MAX_WARNINGS_PER_PAPER
    assert len(entry.abstract) <= MAX_ABSTRACT
    # One read (1 MB) and its lines at a time, whatever the length of the abstract: 9 MB
    # here and 10.5 MB for 4 MB of short paragraphs. Holding the abstract and its warnings
    # took 25.5 MB for these 2 MB, and twice that for 4 MB.
    assert peak < 12_000_000, peak


# --- JSON: authors and abstracts -------------------------------------------------------------


def json_dump(**paper) -> bytes:
    item = {"paper": {"title": "A Title", **paper}, "publishedAt": "2024-08-22T08:00:00Z"}
    return json.dumps([{"paper": {"title": "First"}, "publishedAt": "2024-08-22"}, item]).encode()


def test_a_json_item_with_too_many_authors_keeps_the_first_names_and_the_whole_count():
    authors = [{"name": f"Author {i}"} for i in range(MAX_AUTHORS + 500)]

    entries, warnings = parse(json_dump(authors=authors))

    entry = entries[1]
    assert entry.authors == tuple(f"Author {i}" for i in range(MAX_AUTHORS))
    assert entry.author_count == MAX_AUTHORS + 500
    message = msg.W_JSON_TOO_MANY_AUTHORS.format(line=1, count="1,500", limit="1,000")
    assert warnings == [ParseWarning(1, message)]


def test_blank_authors_are_not_counted():
    authors = [{"name": " "}, {"name": "A"}, 3, None, {"name": "\u200b"}, "B"]

    entries, warnings = parse(json_dump(authors=authors))

    assert (entries[1].authors, entries[1].author_count, warnings) == (("A", "B"), 2, [])


def test_a_long_author_name_is_cut_with_one_warning_for_the_item():
    long_name = "Very Long Collaboration Name " * 20

    entries, warnings = parse(json_dump(authors=[{"name": long_name}] * 3 + [{"name": "B"}]))

    cut = long_name[:MAX_AUTHOR_NAME].rstrip()
    assert entries[1].authors == (cut, cut, cut, "B")
    message = msg.W_JSON_AUTHOR_NAME_TOO_LONG.format(line=1, limit=MAX_AUTHOR_NAME)
    assert warnings == [ParseWarning(1, message)]


def test_a_json_abstract_longer_than_the_limit_is_cut():
    summary_text = "An abstract. " * 2000

    entries, warnings = parse(json_dump(summary=summary_text))

    assert entries[1].abstract == summary_text[:MAX_ABSTRACT].rstrip()
    message = msg.W_ABSTRACT_TOO_LONG.format(title="A Title", line=1, limit=MAX_ABSTRACT)
    assert warnings == [ParseWarning(1, message)]


def test_values_within_the_limits_are_kept_whole_without_a_warning():
    authors = [{"name": "N" * MAX_AUTHOR_NAME}] * MAX_AUTHORS
    summary_text = "A" * MAX_ABSTRACT

    entries, warnings = parse(json_dump(authors=authors, summary=summary_text))

    assert (len(entries[1].authors), entries[1].author_count) == (MAX_AUTHORS, MAX_AUTHORS)
    assert entries[1].authors[0] == "N" * MAX_AUTHOR_NAME
    assert entries[1].abstract == summary_text
    assert warnings == []


# --- warnings per dump -----------------------------------------------------------------------


def many_warnings_json(bad_published: int, no_title: int) -> bytes:
    """One item per line: `bad_published` with an unreadable paper.publishedAt, then
    `no_title` without a title."""
    items = [
        {"paper": {"title": f"T{n}", "publishedAt": "soon"}, "publishedAt": "2024-08-22"}
        for n in range(bad_published)
    ] + [{"paper": {}, "publishedAt": "2024-08-22"}] * no_title
    return ("[\n" + ",\n".join(json.dumps(i) for i in items) + "\n]\n").encode()


def test_warnings_beyond_the_dumps_limit_are_summarized_by_kind():
    data = many_warnings_json(MAX_WARNINGS + 200, 300)

    entries, warnings = parse(data)

    assert len(entries) == MAX_WARNINGS + 200
    bad = [ParseWarning(n, msg.W_JSON_BAD_PUBLISHED.format(line=n)) for n in range(2, 1002)]
    assert warnings[:MAX_WARNINGS] == bad  # the first ones, with their line numbers
    first_no_title = MAX_WARNINGS + 200 + 2
    assert warnings[MAX_WARNINGS:] == [
        summary(
            200,
            "The JSON item at line … has an unreadable paper.publishedAt, so its publication "
            "date was left empty",
            MAX_WARNINGS + 2,
        ),
        summary(
            300,
            "The JSON item at line … has no usable title, so it was skipped",
            first_no_title,
        ),
    ]
    assert sum(w.omitted or 1 for w in warnings) == MAX_WARNINGS + 200 + 300


def test_a_dump_within_the_limit_gives_every_warning():
    _, warnings = parse(many_warnings_json(MAX_WARNINGS, 0))

    assert len(warnings) == MAX_WARNINGS
    assert all(w.omitted == 0 for w in warnings)


def test_a_single_warning_of_a_kind_beyond_the_limit_is_given_as_it_is():
    _, warnings = parse(many_warnings_json(MAX_WARNINGS, 1))

    line = MAX_WARNINGS + 2
    assert warnings[-1] == ParseWarning(line, msg.W_JSON_NO_TITLE.format(line=line))


def test_a_summary_of_summaries_adds_up_what_they_stand_for():
    """Past the dump's limit, the papers' own summaries count for what they stand for."""
    kind = msg.W_ABSTRACT_CONTINUED
    tally = WarningTally(1)
    first = msg.warning(kind, 3)
    left_out = [
        summary(40, CONTINUED_EXAMPLE, 10, kind=kind),
        summary(2, CONTINUED_EXAMPLE, 20, kind=kind),
        msg.warning(kind, 30),
    ]

    admitted = [w for w in [first, *left_out] if tally.admit(w)]

    assert admitted == [first]
    assert tally.summaries() == [summary(43, CONTINUED_EXAMPLE, 10)]


def test_every_warning_names_its_kind():
    data, _ = endless_abstract(50)
    _, warnings = parse(data + b"Aug 40\n\n")
    _, json_warnings = parse(many_warnings_json(3, 2))

    templates = {v for k, v in vars(msg).items() if k.startswith("W_")}
    assert {w.kind for w in warnings + json_warnings} <= templates
    assert all(w.kind for w in warnings + json_warnings)


def test_summaries_cross_to_the_ingesting_process_whole():
    data, _ = endless_abstract(100)

    items = [i for batch, _ in parse_batches(io.BytesIO(data), upload_date=UPLOAD) for i in batch]
    back = pickle.loads(pickle.dumps(items))

    assert back == items
    assert [w.omitted for w in back if isinstance(w, ParseWarning)][-1] == 89
    assert {w.kind for w in back if isinstance(w, ParseWarning)} >= {msg.W_ABSTRACT_CONTINUED}


def test_the_format_document_states_the_limits():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "DIGEST_FORMAT.md").read_text()

    assert f"| abstract | {MAX_ABSTRACT:,} characters" in doc
    assert f"| authors (JSON) | {MAX_AUTHORS:,} names" in doc
    assert f"| author name (JSON) | {MAX_AUTHOR_NAME} characters" in doc
    assert f"at most {MAX_WARNINGS_PER_PAPER} warnings" in doc
    assert f"at most {MAX_WARNINGS:,} warnings in file order" in doc
    assert f"githubStars) | 0 to {MAX_SOURCE_COUNT:,} (a whole number)" in doc
    assert f"thumbnail) | {MAX_URL:,} characters, http or https" in doc
    assert f"| AI summary (ai_summary) | {MAX_AI_SUMMARY:,} characters | cut there" in doc
    assert f"| {MAX_KEYWORDS} keywords of up to {MAX_KEYWORD} characters |" in doc
    assert f"| names (organization, submitter) | {MAX_SOURCE_NAME} characters |" in doc
