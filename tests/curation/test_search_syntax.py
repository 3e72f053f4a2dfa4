"""The web search syntax (quotes, or, -word) as the SQLite default reads it; the selector
tests (test_selectors.py) check that both databases find the same papers for each form."""

import pytest

from curation.search_syntax import MAX_TERMS, Term, parse_websearch, positive_terms


@pytest.mark.parametrize(
    ("query", "groups"),
    [
        ("graph neural", [[Term("graph"), Term("neural")]]),
        ('"Large  Language" model', [[Term("large language"), Term("model")]]),
        ("graph neural or diffusion", [[Term("graph"), Term("neural")], [Term("diffusion")]]),
        ("graph OR net", [[Term("graph")], [Term("net")]]),
        ("diffusion -video", [[Term("diffusion"), Term("video", negated=True)]]),
        ('signal -"segmentation fault"', [[Term("signal"), Term("segmentation fault", True)]]),
        # Read leniently, as websearch_to_tsquery does:
        ("or graph", [[Term("graph")]]),
        ("graph or", [[Term("graph")]]),
        ("graph or or net", [[Term("graph")], [Term("net")]]),
        ("graph - net", [[Term("graph"), Term("net")]]),
        ('"unclosed phrase', [[Term("unclosed phrase")]]),
        ('""', []),
        ("   ", []),
        ("-", []),
    ],
)
def test_parse_websearch(query, groups):
    assert parse_websearch(query) == groups


def test_a_query_keeps_at_most_max_terms():
    parsed = parse_websearch(" ".join(f"w{i}" for i in range(50)))
    assert sum(len(group) for group in parsed) == MAX_TERMS


def test_positive_terms_rank_by_what_may_appear():
    assert positive_terms(parse_websearch('graph -video or "graph" net')) == ["graph", "net"]
