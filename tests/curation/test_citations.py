"""curation.citations alone (no database): BibTeX read back by bibtexparser means what the
paper says, whatever its title and authors; RIS read back by a strict reader; keys."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation import citations
from curation.citations import (
    bibtex_entry,
    bibtex_escape,
    citation,
    citation_key,
    clean_text,
    name_parts,
    ris_record,
)


@dataclass
class FakePaper:
    """What a citation reads of a paper (curation.citations.Citable)."""

    pk: int | None = 1
    title: str = "A Title"
    abstract: str = ""
    arxiv_id: str | None = None
    authors: list = field(default_factory=list)
    author_count: int | None = None
    published_on: datetime.date | None = None
    first_digest_on: datetime.date | None = None


HOSTILE_TITLES = [
    "Braces {BERT} and {nested {deep}} ones",
    "Unbalanced } closing { opening",
    "}{",
    "{",
    "Percent 50% off & more $5 #1 a_b ~tilde ^caret",
    r"Back\slash \\ double and trailing \\",
    r"LaTeX-looking $\alpha$-Nets with \emph{emphasis} and \cite{key} \\ \par",
    r"\end{document} \def\x{y} \input{/etc/passwd}",
    "Accents: Über Gödel Pérez façade naïve Ångström",
    "Non-Latin: 量子计算 Квантовые вычисления ניסוי كمومي 양자",
    "Ligatures -- dashes --- and ``quotes'' !` ?` <<guillemets>> ,,low",
    "L^2 and x^{-1} and ^^ carets^",
    "Lone brace{ in a word} and {x}{y} }{",
    "Quotes \"double\" 'single' and @misc{fake, title={x}} inside",
    "Comment % like @comment{x} and = signs, commas, ",
    "<script>alert(1)</script>",
    "Tabs\tand\nnewlines\r\n and  double  spaces ",
    "Emoji 🚀 and zero\u200bwidth and non\u00a0breaking",
    "",
]
HOSTILE_AUTHORS = [
    "Ashish Vaswani",
    "Ludwig van Beethoven",
    "Juan Carlos de la Cruz Pérez",
    "J. R. R. Tolkien",
    "Jean-Pierre O'Brien",
    "Martin Luther King Jr.",
    "Qwen Team",
    "DeepSeek-AI",
    "张伟",
    "Research and Development",
    "Smith, John",
    "{Braced} Name",
    r"Back\slash % Author & Co $",
    "Jean d'Alembert",
    "Ångström Ærø",
]

# bibtexparser's own LaTeX decoder, as it comes: what someone importing the files reads.
STOCK_DECODING = LatexDecodingMiddleware()
DECODER = STOCK_DECODING._decoder


def parse_bibtex(text: str) -> list:
    """Entries as bibtexparser reads them, every field decoded from LaTeX; no failed block."""
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    return library.entries


def parse_bibtex_authors(text: str) -> list[list[str]]:
    """Each entry's authors as bibtexparser splits them (First von Last Jr.), each part
    decoded from LaTeX, joined first-name-first."""
    library = bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), SplitNameParts()]
    )
    assert library.failed_blocks == []
    names = []
    for entry in library.entries:
        parts = entry.fields_dict["author"].value if "author" in entry.fields_dict else []
        names.append(
            [
                " ".join(DECODER.latex_to_text(w) for w in [*p.first, *p.von, *p.last, *p.jr])
                for p in parts
            ]
        )
    return names


RIS_LINE_RE = re.compile(r"([A-Z][A-Z0-9])  - (.*)")


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """A strict RIS reader: every line ends in CR LF; a record is `TY` first, then tagged
    lines `XX  - value`, then `ER  - `; blank lines only between records."""
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert all("\n" not in line and "\r" not in line for line in lines)
    records: list[dict[str, list[str]]] = []
    record: dict[str, list[str]] | None = None
    for number, line in enumerate(lines, start=1):
        if record is None:
            if line == "":
                continue
            match = RIS_LINE_RE.fullmatch(line)
            assert match and match[1] == "TY", f"line {number}: a record starts with TY: {line!r}"
            record = {"TY": [match[2]]}
            continue
        if line == "ER  - ":
            records.append(record)
            record = None
            continue
        match = RIS_LINE_RE.fullmatch(line)
        assert match, f"line {number} is not a tagged line: {line!r}"
        assert match[1] not in ("TY", "ER")
        record.setdefault(match[1], []).append(match[2])
    assert record is None, "the last record has no ER"
    return records


# --- BibTeX: escaping round-trips ----------------------------------------------------------


def test_hostile_titles_and_abstracts_read_back_as_written():
    papers = [
        FakePaper(pk=i, title=title, abstract=f"Abstract of: {title}")
        for i, title in enumerate(HOSTILE_TITLES, start=1)
    ]
    text = "".join(citations.citations(papers, fmt="bibtex"))

    entries = parse_bibtex(text)

    assert [e.key for e in entries] == [citation_key(p) for p in papers]
    assert [e["title"] for e in entries] == [clean_text(p.title) for p in papers]
    with_abstract = {e.key: e["abstract"] for e in entries if "abstract" in e.fields_dict}
    assert with_abstract == {citation_key(p): clean_text(p.abstract) for p in papers}


def test_hostile_authors_read_back_in_order():
    paper = FakePaper(authors=HOSTILE_AUTHORS)

    [names] = parse_bibtex_authors(bibtex_entry(paper))

    assert names == [unicodedata.normalize("NFC", n) for n in HOSTILE_AUTHORS]


def test_braces_of_the_field_always_balance_for_bibtex_itself():
    # BibTeX counts every brace, escaped or not, to find where a field ends.
    for title in HOSTILE_TITLES:
        escaped = bibtex_escape(title)
        depth = 0
        for char in escaped:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, title
        assert depth == 0, title


def test_latex_specials_become_commands():
    assert bibtex_escape("50% & $x^2$ #1 a_b ~ \\") == (
        r"50\% \& \$x{\string^}2\$ \#1 a\_b \textasciitilde{} \textbackslash{}"
    )
    assert bibtex_escape("{x} }") == r"\{x\} \ensuremath{\rbrace}"
    assert bibtex_escape("a -- b --- c") == "a -{}- b -{}-{}- c"


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    title=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
    | st.text(alphabet="\\{}$%&#_~^-`'!?<>,@\"= aZ\n\t", max_size=40),
    names=st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
        | st.lists(
            st.sampled_from(["Ada", "van", "de", "J.", "O'Brien", "and", "Jr.", "Ü", "{x}", ","]),
            min_size=1,
            max_size=4,
        ).map(" ".join),
        max_size=3,
    ),
)
def test_any_title_and_authors_read_back(title, names):
    paper = FakePaper(title=title, abstract=title, authors=names)
    text = bibtex_entry(paper)

    [entry] = parse_bibtex(text)
    [authors] = parse_bibtex_authors(text)

    assert entry["title"] == clean_text(title)
    assert authors == [
        unicodedata.normalize("NFC", clean_text(n)) if name_parts(n) else clean_text(n)
        for n in names
        if clean_text(n)
    ]


# --- BibTeX: fields ------------------------------------------------------------------------


def test_an_arxiv_paper_has_its_eprint_url_year_and_month():
    paper = FakePaper(
        title="Attention Is All You Need",
        authors=["Ashish Vaswani", "Noam Shazeer"],
        arxiv_id="1706.03762",
        published_on=datetime.date(2017, 6, 12),
        first_digest_on=datetime.date(2017, 6, 13),
    )

    [entry] = parse_bibtex(bibtex_entry(paper))

    assert entry.entry_type == "misc"
    assert entry.key == "vaswani2017attention:1706.03762"
    assert entry["author"] == "Vaswani, Ashish and Shazeer, Noam"
    assert entry["year"] == "2017"
    assert entry["month"] == "jun"
    assert entry["eprint"] == "1706.03762"
    assert entry["archivePrefix"] == "arXiv"
    assert entry["url"] == "https://arxiv.org/abs/1706.03762"


def test_without_arxiv_id_or_publication_date_the_digest_day_dates_it():
    paper = FakePaper(title="Local Work", first_digest_on=datetime.date(2024, 8, 22))

    [entry] = parse_bibtex(bibtex_entry(paper))

    assert (entry["year"], entry["month"]) == ("2024", "aug")
    assert not {"eprint", "archivePrefix", "url", "author"} & set(entry.fields_dict)


def test_an_undated_paper_has_no_year():
    [entry] = parse_bibtex(bibtex_entry(FakePaper()))
    assert "year" not in entry.fields_dict
    assert entry.key == "anontitle:paper1"


def test_a_cut_author_list_ends_with_others():
    paper = FakePaper(authors=["Ada Lovelace", "Alan Turing"], author_count=40)
    [entry] = parse_bibtex(bibtex_entry(paper))
    assert entry["author"] == "Lovelace, Ada and Turing, Alan and others"


def test_the_title_keeps_its_capitals():
    assert "title = {{BERT: Pre-training}}" in bibtex_entry(FakePaper(title="BERT: Pre-training"))


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Ashish Vaswani", ("Vaswani", "Ashish")),
        ("Ludwig van Beethoven", ("van Beethoven", "Ludwig")),
        ("Juan Carlos de la Cruz", ("de la Cruz", "Juan Carlos")),
        ("J. R. R. Tolkien", ("Tolkien", "J. R. R.")),
        ("  José   Pérez-García ", ("Pérez-García", "José")),
        ("Ada", None),
        ("张伟", None),
        ("Martin Luther King Jr.", None),
        ("Research and Development", None),
        ("Smith, John", None),
        ("Agent 007", None),
        ("van Beethoven", None),
    ],
)
def test_names_split_only_when_they_split_cleanly(name, parts):
    assert name_parts(name) == parts


# --- Keys ----------------------------------------------------------------------------------


def test_keys_are_stable_ascii_and_made_of_author_year_word():
    paper = FakePaper(
        pk=7,
        title="The Über-Model: a study",
        authors=["Jürgen Müller-Lüdenscheidt", "Bob"],
        published_on=datetime.date(2023, 1, 2),
    )
    key = citation_key(paper)
    assert key == "mullerludenscheidt2023uber:paper7"
    assert key == citation_key(paper)
    assert key.isascii()


@pytest.mark.parametrize(
    ("arxiv_id", "disambiguator"),
    [
        ("2401.00001", "2401.00001"),
        ("hep-th/9901001", "hep-th_9901001"),
        ("math.AG/0309136", "math.AG_0309136"),
        ("not an id", "paper3"),
        (None, "paper3"),
    ],
)
def test_keys_end_with_the_arxiv_id_or_the_paper_id(arxiv_id, disambiguator):
    paper = FakePaper(pk=3, title="Deep Nets", authors=["Ada Lovelace"], arxiv_id=arxiv_id)
    assert citation_key(paper) == f"lovelacedeep:{disambiguator}"


def test_papers_alike_in_author_year_and_title_never_share_a_key():
    day = datetime.date(2024, 1, 1)
    papers = [
        FakePaper(pk=pk, title="Deep Nets", authors=["Ada Lovelace"], published_on=day)
        for pk in range(1, 500)
    ] + [
        FakePaper(
            pk=1000 + n,
            title="Deep Nets",
            authors=["Ada Lovelace"],
            published_on=day,
            arxiv_id=f"2401.{n:05d}",
        )
        for n in range(1, 500)
    ]
    keys = [citation_key(p) for p in papers]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[a-z0-9]*:[A-Za-z0-9._-]+", key) for key in keys)


def test_a_name_or_title_without_latin_letters_still_makes_a_key():
    paper = FakePaper(
        pk=9, title="量子计算", authors=["张伟"], published_on=datetime.date(2024, 5, 1)
    )
    assert citation_key(paper) == "anon2024:paper9"


# --- RIS -----------------------------------------------------------------------------------


def test_ris_records_read_back_strictly():
    papers = [
        FakePaper(
            pk=i,
            title=title,
            abstract=f"Abstract\nof\r\n{title}",
            authors=HOSTILE_AUTHORS[:4],
            arxiv_id="2401.00001" if i == 1 else None,
            published_on=datetime.date(2024, 3, 5) if i % 2 else None,
            first_digest_on=datetime.date(2024, 3, 6),
        )
        for i, title in enumerate(HOSTILE_TITLES, start=1)
    ]

    records = parse_ris("".join(citations.citations(papers, fmt="ris")))

    assert len(records) == len(papers)
    for record, paper in zip(records, papers, strict=True):
        assert record["TY"] == ["JOUR" if paper.arxiv_id else "GEN"]
        assert record["ID"] == [citation_key(paper)]
        assert record["TI"] == [clean_text(paper.title)]
        assert record["AU"] == [
            "Vaswani, Ashish",
            "van Beethoven, Ludwig",
            "de la Cruz Pérez, Juan Carlos",
            "Tolkien, J. R. R.",
        ]
        date = paper.published_on or paper.first_digest_on
        assert record["PY"] == [str(date.year)]
        assert record["DA"] == [date.strftime("%Y/%m/%d/")]
        assert record["AB"] == [clean_text(paper.abstract)]
    assert records[0]["UR"] == ["https://arxiv.org/abs/2401.00001"]
    assert records[0]["AN"] == ["arXiv:2401.00001"]
    assert "UR" not in records[1]


def test_ris_names_that_do_not_split_are_given_as_they_are():
    [record] = parse_ris(ris_record(FakePaper(authors=["Qwen Team", "张伟", "Smith, John"])))
    assert record["AU"] == ["Team, Qwen", "张伟", "Smith, John"]


def test_one_paper_citation_is_its_entry():
    paper = FakePaper(title="One")
    assert citation(paper, fmt="bibtex") == bibtex_entry(paper)
    assert citation(paper, fmt="ris") == ris_record(paper)
