"""Citations of papers: BibTeX and RIS, one entry per paper, written as text.

Pure Python with no Django import (import-linter checks it), so it can be read and tested
alone: the callers (the export endpoint, a paper's citation in the API and on the web) choose
the papers with curation.selectors and stream what this module writes.

A paper is anything with the attributes of `Citable` (a papers.models.Paper has them).

BibTeX (`@misc`, as arXiv's own export writes a preprint):
- text is escaped so that it means itself, for BibTeX, biber and LaTeX alike, and for
  bibtexparser's stock LaTeX decoder (pylatexenc), which is what an importer reads it with:
  the ten characters LaTeX treats specially become commands (`\\%`, `\\textbackslash{}`,
  ...); the caret is `{\\string^}`, since pylatexenc reads `\\textasciicircum` as a
  modifier letter (U+02C6), not "^". Pairs that LaTeX would join into one character (`--`,
  ``` `` ```, `''`, `<<` ...) are kept apart with `{}`. BibTeX counts every brace, escaped or
  not, to find where a field ends, so braces of the text that pair up are written `\\{`
  `\\}` and the others `\\ensuremath{\\lbrace}` `\\ensuremath{\\rbrace}` (LaTeX's
  `\\textbraceleft` is unknown to pylatexenc, which drops it); a field's braces always
  balance. Letters of any script are written as they are (UTF-8): biber and bibtexparser
  read them, and so does BibTeX with inputenc.
- the title is wrapped in a second pair of braces so that styles keep its capitals.
- authors are "Last, First" when a name splits cleanly into given names and a family name
  (letters, hyphens, apostrophes and initials only; a lowercase particle such as "van" goes
  with the family name, as BibTeX reads "First von Last"); otherwise the name as given, in
  braces, so BibTeX neither splits it nor takes an "and" inside it for a separator. When the
  paper has more authors than it lists, "and others" follows.
RIS: lines `TY  - JOUR` (with an arXiv id) or `GEN`, then `AU` per author in order, `TI`,
`PY`, `DA`, `AB`, `UR`, ... and `ER  - `, each ending in CR LF as the RIS specification says.
RIS has no escaping: a value is one line, so line breaks and control characters become
spaces.

In both, runs of whitespace in the text become one space. Citation keys are
`<family name><year><first title word>:<disambiguator>`, ASCII only ("anon" when the first
author's name has no Latin letter); the disambiguator is the arXiv id (its "/" written "_") or
`paper<id>`, so two papers never share a key.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from papers.parsing import normalize_arxiv_id

BIBTEX_CONTENT_TYPE = "application/x-bibtex; charset=utf-8"
RIS_CONTENT_TYPE = "application/x-research-info-systems; charset=utf-8"
EXTENSIONS = {"bibtex": "bib", "ris": "ris"}
CONTENT_TYPES = {"bibtex": BIBTEX_CONTENT_TYPE, "ris": RIS_CONTENT_TYPE}
ARXIV_ABS_URL = "https://arxiv.org/abs/{}"
RIS_EOL = "\r\n"

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Small words a citation key skips to find the title's first word that says something.
KEY_SKIPPED_WORDS = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "at", "by"}
)
KEY_PART_MAX = 24
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


class Citable(Protocol):
    """What a citation reads of a paper (read-only, so a model's fields or a dataclass's
    match)."""

    @property
    def pk(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def abstract(self) -> str: ...
    @property
    def arxiv_id(self) -> str | None: ...
    @property
    def authors(self) -> Any: ...  # a list of names, in order
    @property
    def author_count(self) -> int | None: ...
    @property
    def published_on(self) -> datetime.date | None: ...
    @property
    def first_digest_on(self) -> datetime.date | None: ...


# --- Text ----------------------------------------------------------------------------------

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean_text(value: str | None) -> str:
    """One line: control characters and line breaks become spaces, runs of whitespace one
    space, no space at either end."""
    return " ".join(_CONTROL_RE.sub(" ", value or "").split())


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"{\string^}",
}
# Braces of the text that do not pair up (see the module's docstring).
_LONE_BRACES = {"{": r"\ensuremath{\lbrace}", "}": r"\ensuremath{\rbrace}"}
# Pairs of characters LaTeX's fonts join into one (dashes, quotes, inverted marks, guillemets).
_LIGATURES = frozenset({"--", "``", "''", "!`", "?`", "<<", ">>", ",,"})


def _paired_braces(text: str) -> set[int]:
    """Positions of the braces of `text` that pair up (an opening one with a later closing
    one, properly nested)."""
    paired: set[int] = set()
    opened: list[int] = []
    for i, char in enumerate(text):
        if char == "{":
            opened.append(i)
        elif char == "}" and opened:
            paired.update((opened.pop(), i))
    return paired


def bibtex_escape(value: str | None) -> str:
    """`value` (cleaned) as the text of a braced BibTeX field: means itself once read."""
    text = clean_text(value)
    paired = _paired_braces(text)
    out: list[str] = []
    previous = ""
    for i, char in enumerate(text):
        if previous + char in _LIGATURES:
            out.append("{}")
        if char in _LONE_BRACES:
            out.append("\\" + char if i in paired else _LONE_BRACES[char])
        else:
            out.append(_LATEX_SPECIALS.get(char, char))
        previous = char
    return "".join(out)


def ascii_fold(value: str) -> str:
    """Lowercase ASCII letters and digits of `value`, accents taken off ("Ö" -> "o")."""
    decomposed = unicodedata.normalize("NFKD", value)
    return re.sub(r"[^a-z0-9]+", "", decomposed.encode("ascii", "ignore").decode().lower())


# --- Names ---------------------------------------------------------------------------------

# A word of a name that splits cleanly: letters of any script, joined by hyphens or
# apostrophes or dots ("Jean-Pierre", "O'Brien", "J.R.R."), maybe ending in a dot ("J.").
_NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’.][^\W\d_]+)*\.?")


def name_parts(name: str) -> tuple[str, str] | None:
    """(family name, given names) when `name` splits cleanly, else None.

    Clean: two words or more, each a _NAME_WORD_RE, the first and the last not starting with
    a lowercase letter, no suffix (Jr., III) and no word "and". The family name is the last
    word, or from the first lowercase word on ("Ludwig van Beethoven" -> "van Beethoven").
    """
    words = unicodedata.normalize("NFC", clean_text(name)).split(" ")
    if len(words) < 2 or not all(_NAME_WORD_RE.fullmatch(word) for word in words):
        return None
    lowered = {word.lower() for word in words}
    if lowered & NAME_SUFFIXES or "and" in lowered or "others" in lowered:
        return None
    if words[0][0].islower() or words[-1][0].islower():
        return None
    start = next((i for i, word in enumerate(words) if i and word[0].islower()), len(words) - 1)
    return " ".join(words[start:]), " ".join(words[:start])


def bibtex_name(name: str) -> str:
    parts = name_parts(name)
    if parts is None:
        return "{" + bibtex_escape(name) + "}"
    family, given = parts
    return f"{bibtex_escape(family)}, {bibtex_escape(given)}"


def ris_name(name: str) -> str:
    parts = name_parts(name)
    return clean_text(name) if parts is None else f"{parts[0]}, {parts[1]}"


def _authors(paper: Citable) -> list[str]:
    return [clean_text(str(name)) for name in (paper.authors or []) if clean_text(str(name))]


# --- Keys ----------------------------------------------------------------------------------


def citation_date(paper: Citable) -> datetime.date | None:
    """The paper's date: when it was published, else the first digest day that listed it."""
    return paper.published_on or paper.first_digest_on


def arxiv_id_of(paper: Citable) -> str | None:
    """The paper's arXiv id when it is one (canonical form), else None."""
    return normalize_arxiv_id(paper.arxiv_id) if paper.arxiv_id else None


def citation_key(paper: Citable) -> str:
    """`vaswani2017attention:1706.03762`: the first author's family name, the year and the
    first word of the title that says something, ASCII-folded, then a disambiguator (the
    arXiv id, else `paper<id>`) after a colon. The part before the colon never holds one, so
    keys of papers with different arXiv ids or ids differ."""
    authors = _authors(paper)
    family = ""
    if authors:
        parts = name_parts(authors[0])
        if parts is not None:
            family = parts[0]
        else:
            words = [w for w in authors[0].split(" ") if w.lower() not in NAME_SUFFIXES]
            family = words[-1] if words else authors[0]
    family = ascii_fold(family)[:KEY_PART_MAX] or "anon"
    date = citation_date(paper)
    year = f"{date.year:04d}" if date else ""
    words = re.findall(r"[a-z0-9]+", _fold_keep_spaces(paper.title))
    word = next((w for w in words if w not in KEY_SKIPPED_WORDS), "")[:KEY_PART_MAX]
    arxiv_id = arxiv_id_of(paper)
    disambiguator = arxiv_id.replace("/", "_") if arxiv_id else f"paper{paper.pk}"
    return f"{family}{year}{word}:{disambiguator}"


def _fold_keep_spaces(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value or "")
    return decomposed.encode("ascii", "ignore").decode().lower()


def file_stem(paper: Citable) -> str:
    """A file name for one paper's citation: its key, with characters file systems refuse
    (the colon) replaced."""
    return citation_key(paper).replace(":", "-")


# --- BibTeX --------------------------------------------------------------------------------


def bibtex_entry(paper: Citable) -> str:
    """One `@misc` entry, ending with a blank line."""
    fields: list[tuple[str, str]] = [("title", "{{" + bibtex_escape(paper.title) + "}}")]
    authors = [bibtex_name(name) for name in _authors(paper)]
    if authors and (paper.author_count or 0) > len(authors):
        authors.append("others")
    if authors:
        fields.append(("author", "{" + " and ".join(authors) + "}"))
    date = citation_date(paper)
    if date:
        fields.append(("year", f"{{{date.year:04d}}}"))
        fields.append(("month", MONTHS[date.month - 1]))  # BibTeX's own month macros
    arxiv_id = arxiv_id_of(paper)
    if arxiv_id:
        # An id in canonical form holds only [0-9A-Za-z./-]: nothing to escape, and `eprint`
        # and `url` are read verbatim by biblatex.
        fields.append(("eprint", "{" + arxiv_id + "}"))
        fields.append(("archivePrefix", "{arXiv}"))
        fields.append(("url", "{" + ARXIV_ABS_URL.format(arxiv_id) + "}"))
    abstract = bibtex_escape(paper.abstract)
    if abstract:
        fields.append(("abstract", "{" + abstract + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{citation_key(paper)},\n{body}\n}}\n\n"


def bibtex_lines(papers: Iterable[Citable]) -> Iterator[str]:
    """One entry per paper, as they come (streamed: nothing is kept)."""
    for paper in papers:
        yield bibtex_entry(paper)


# --- RIS -----------------------------------------------------------------------------------


def ris_record(paper: Citable) -> str:
    """One record, `TY` to `ER`, lines ending in CR LF, then a blank line."""
    arxiv_id = arxiv_id_of(paper)
    lines = [("TY", "JOUR" if arxiv_id else "GEN"), ("ID", citation_key(paper))]
    lines.append(("TI", clean_text(paper.title)))
    lines += [("AU", ris_name(name)) for name in _authors(paper)]
    date = citation_date(paper)
    if date:
        lines.append(("PY", f"{date.year:04d}"))
        lines.append(("DA", f"{date.year:04d}/{date.month:02d}/{date.day:02d}/"))
    if arxiv_id:
        lines.append(("T2", "arXiv"))
        lines.append(("AN", f"arXiv:{arxiv_id}"))
        lines.append(("UR", ARXIV_ABS_URL.format(arxiv_id)))
    abstract = clean_text(paper.abstract)
    if abstract:
        lines.append(("AB", abstract))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}{RIS_EOL}" for tag, value in lines) + RIS_EOL


def ris_lines(papers: Iterable[Citable]) -> Iterator[str]:
    """One record per paper, as they come (streamed: nothing is kept)."""
    for paper in papers:
        yield ris_record(paper)


WRITERS = {"bibtex": bibtex_lines, "ris": ris_lines}


def citations(papers: Iterable[Citable], *, fmt: str) -> Iterator[str]:
    """The papers' citations in `fmt` ("bibtex" or "ris"), entry by entry."""
    return WRITERS[fmt](papers)


def citation(paper: Citable, *, fmt: str) -> str:
    """One paper's citation in `fmt`."""
    return "".join(citations([paper], fmt=fmt))
