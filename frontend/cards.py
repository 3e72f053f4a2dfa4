"""What a paper card (templates/frontend/_paper_card.html) shows, computed once per paper in
Python rather than by template filters: a list page renders twenty cards, and in Django's
templates `{% url %}`, `truncatechars` and `date` cost tens of microseconds each, which made
the cards most of a page's time."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from django.urls import reverse

from curation.selectors import attach_tag_briefs
from papers.models import Paper

# Abstracts longer than this fold behind a "Show the whole abstract" summary that shows
# their first ABSTRACT_SHORT characters (the same numbers as feed.js).
ABSTRACT_FOLD = 280
ABSTRACT_SHORT = 240


@lru_cache(maxsize=8192)
def paper_url(pk: int) -> str:
    return reverse("paper", args=[pk])


def abstract_short(text: str) -> str:
    """The folded abstract's visible start, or "" when the abstract is shown whole."""
    if len(text) <= ABSTRACT_FOLD:
        return ""
    return text[: ABSTRACT_SHORT - 1] + "…"


def cards_prepare(papers: Sequence[Paper]) -> Sequence[Paper]:
    """Give each paper of a list page what its card shows: `url`, `digest_iso`,
    `abstract_short` and `tag_briefs` (its tags, one query for the page)."""
    for paper in papers:
        paper.url = paper_url(paper.pk)
        paper.digest_iso = paper.first_digest_on.isoformat() if paper.first_digest_on else ""
        paper.abstract_short = abstract_short(paper.abstract or "")
    return attach_tag_briefs(papers)
