"""What the limits of the parser leave in the database: authors and abstracts cut with a
warning, and the warnings of a dump bounded but exactly counted, their summaries stored."""

import json

import pytest
from django.core.management import call_command

from papers.admin import DumpAdmin
from papers.management.commands.ingest_digest import LINE_MORE_WARNINGS, LINE_WARNING
from papers.models import Dump, DumpStatus, Paper
from papers.parsing import errors as msg
from papers.parsing.limits import MAX_ABSTRACT, MAX_AUTHORS, MAX_WARNINGS_PER_PAPER
from papers.services.dumps import MAX_STORED_WARNINGS


def hf_dump(*items) -> bytes:
    return ("[\n" + ",\n".join(json.dumps(i) for i in items) + "\n]\n").encode()


def item(title: str, **paper) -> dict:
    return {"paper": {"title": title, **paper}, "publishedAt": "2024-09-18T08:00:00Z"}


def test_a_paper_with_too_many_authors_keeps_the_first_names_and_the_whole_count(ingest):
    authors = [{"name": f"Author {i}"} for i in range(5000)]

    dump = ingest(hf_dump(item("Many Hands", authors=authors)), name="d.json")

    paper = Paper.objects.get()
    assert paper.authors == [f"Author {i}" for i in range(MAX_AUTHORS)]  # a list of names
    assert paper.author_count == 5000
    message = msg.W_JSON_TOO_MANY_AUTHORS.format(line=2, count="5,000", limit="1,000")
    assert (dump.warning_count, dump.warnings) == (1, [{"line": 2, "message": message}])


def endless_abstract(paragraphs: int) -> bytes:
    parts = ["Aug 22\n\nA paper whose abstract never ends\n\n"]
    parts += [f"and goes on {n}\nstill going\n\n" for n in range(paragraphs)]
    return "".join(parts).encode()


def test_an_endless_abstract_is_cut_and_its_warnings_summarized(ingest):
    dump = ingest(endless_abstract(5000))

    assert dump.status == DumpStatus.DONE
    assert len(Paper.objects.get().abstract) <= MAX_ABSTRACT
    # Every warning counted: 4,999 paragraphs read on, and the cut.
    assert dump.warning_count == dump.stats["warnings"] == 5000
    assert len(dump.warnings) == MAX_WARNINGS_PER_PAPER + 2
    summary = dump.warnings[-1]
    assert summary["omitted"] == 5000 - 1 - MAX_WARNINGS_PER_PAPER
    assert summary["message"].startswith("There are 4,989 more warnings like")
    assert dump.warnings_unlisted == 0


def many_bad_items(count: int) -> bytes:
    return hf_dump(*(item(f"T{n}", publishedAt="soon") for n in range(count)))


def test_the_summaries_of_a_dump_are_stored_even_when_the_list_is_full(ingest):
    dump = ingest(many_bad_items(MAX_STORED_WARNINGS + 200), name="d.json")

    assert dump.warning_count == MAX_STORED_WARNINGS + 200
    assert len(dump.warnings) == MAX_STORED_WARNINGS
    *listed, summary = dump.warnings
    assert all("omitted" not in w for w in listed)
    assert summary["omitted"] == 200
    assert summary["line"] == MAX_STORED_WARNINGS + 2
    # One warning was neither listed nor summarized: the summary took its place in the list.
    assert dump.warnings_unlisted == 1


def test_the_command_and_the_admin_count_only_what_is_neither_listed_nor_summarized(
    ingest, tmp_path, capsys
):
    path = tmp_path / "d.json"
    path.write_bytes(many_bad_items(MAX_STORED_WARNINGS + 200))

    call_command("ingest_digest", str(path), "--sync", verbosity=2)

    out = capsys.readouterr().out
    dump = Dump.objects.get()
    assert LINE_WARNING.format(**dump.warnings[-1]) in out
    assert out.rstrip().endswith(LINE_MORE_WARNINGS.format(more=1))
    assert "… and 1 more" in DumpAdmin.warnings_block(None, dump)


@pytest.mark.parametrize("count", [3, MAX_STORED_WARNINGS])
def test_a_dump_within_the_limits_lists_every_warning(ingest, count):
    dump = ingest(many_bad_items(count), name="d.json")

    assert dump.warning_count == len(dump.warnings) == count
    assert dump.warnings_unlisted == 0
