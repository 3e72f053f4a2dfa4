"""The web search syntax people know, read as PostgreSQL's websearch_to_tsquery reads it, for
the databases that lack it (the embedded SQLite default; curation.selectors.papers_search).

- words not in quotes must all appear: `graph neural` finds papers with both;
- "a quoted phrase" must appear as written;
- `or` between two terms accepts either: `graph neural or diffusion` is
  (graph and neural) or diffusion, as in PostgreSQL, where "and" binds tighter than "or";
- a leading `-` excludes a word or a phrase: `diffusion -video`.

A lone `-`, a leading or trailing `or` and an unclosed quote are read leniently, as
PostgreSQL does (the quote runs to the end). Pure functions: no Django here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# At most this many terms are kept from one query (the rest are ignored): each is a
# substring test on two columns.
MAX_TERMS = 10

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    text: str  # a word or a phrase, lower-cased, inner blank space collapsed
    negated: bool = False


# A query: a disjunction of groups, each a conjunction of terms.
Query = list[list[Term]]


def _terms(query: str):
    """Terms and the `or` markers (None), in order."""
    for match in _TOKEN.finditer(query):
        dash, phrase, word = match.groups()
        if word is not None:
            negated = word.startswith("-")
            word = word.lstrip("-").strip("\"'")
            if not word:
                continue
            if word.lower() == "or" and not negated:
                yield None
                continue
            yield Term(word.lower(), negated)
        else:
            text = " ".join((phrase or "").split()).lower()
            if text:
                yield Term(text, bool(dash))


def parse_websearch(query: str) -> Query:
    """The groups of `query` (see the module's docstring); [] when it holds no term."""
    groups: Query = [[]]
    pending_or = False
    kept = 0
    for item in _terms(query):
        if item is None:
            pending_or = bool(groups[-1])
            continue
        if kept == MAX_TERMS:
            break
        if pending_or:
            groups.append([])
            pending_or = False
        groups[-1].append(item)
        kept += 1
    return [group for group in groups if group]


def positive_terms(query: Query) -> list[str]:
    """The words and phrases a match may contain (for ranking), each once, in order."""
    seen: dict[str, None] = {}
    for group in query:
        for term in group:
            if not term.negated:
                seen.setdefault(term.text)
    return list(seen)
