"""Paper cards (templates/frontend/_paper_card.html): the one markup of a paper in every list
page, rendered from the plain values of card_context and shared between readers through
frontend.fragments: a card whose paper, counts, tags or reader's state (voted, marked,
moderator, signed in) changed has another key, so a kept card is never stale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.urls import reverse
from django.utils.safestring import SafeString

from config.spliced import hole
from curation.selectors import MARK_ATTRS, TAG_BRIEFS, VIEWER_VOTED, attach_tag_briefs
from frontend.fragments import fragments_render
from papers.models import Paper

CARD_TEMPLATE = "frontend/_paper_card.html"
# Abstracts longer than this fold behind a "Show the whole abstract" summary that shows
# their first ABSTRACT_SHORT characters (the same numbers as feed.js).
ABSTRACT_FOLD = 280
ABSTRACT_SHORT = 240


@dataclass(frozen=True)
class CardReader:
    """What of the reader a card shows."""

    member: bool
    moderator: bool
    login_next_url: str = ""  # where "log in to vote" leads an anonymous reader
    home_url: str = "/"


@lru_cache(maxsize=8192)
def paper_url(pk: int) -> str:
    return reverse("paper", args=[pk])


def abstract_short(text: str) -> str:
    """The folded abstract's visible start, or "" when the abstract is shown whole."""
    if len(text) <= ABSTRACT_FOLD:
        return ""
    return text[: ABSTRACT_SHORT - 1] + "…"


# A card names this many authors, then "et al."
CARD_AUTHORS = 3


def authors_short(authors: Sequence[str] | None, author_count: int | None) -> str:
    """ "A, B, C et al." (the first CARD_AUTHORS names), or "N authors" when only the count
    is known, or "". "et al." also follows fewer names when the paper has more authors than
    it names (the source hides some): a card never shows some authors as all of them."""
    names = [name for name in (authors or []) if isinstance(name, str) and name.strip()]
    if names:
        shown = ", ".join(names[:CARD_AUTHORS])
        more = len(names) > CARD_AUTHORS or (author_count or 0) > len(names)
        return f"{shown} et al." if more else shown
    if author_count:
        return f"{author_count} author{'' if author_count == 1 else 's'}"
    return ""


def arxiv_links(arxiv_id: str | None) -> dict[str, str]:
    """The arXiv abstract page and PDF of an id, or {} when the paper has none."""
    if not arxiv_id:
        return {}
    return {
        "abs": f"https://arxiv.org/abs/{arxiv_id}",
        "pdf": f"https://arxiv.org/pdf/{arxiv_id}",
    }


# The buttons that say what the reader did to a paper (its card's, its page's): the hole's
# name, the row's attribute.
PRESSED_ATTRS = {
    "voted": VIEWER_VOTED,
    "read": MARK_ATTRS["read"],
    "not_interested": MARK_ATTRS["not_interested"],
}


def pressed_values(paper: Paper, index: int | None = None) -> dict[str, str]:
    """The reader's vote and marks on `paper` (selectors.with_viewer_state) as the buttons'
    aria-pressed: "true" or "false", or, with the paper's `index` in a page rendered for
    every member (frontend.member_pages), the holes where each reader's go."""
    if index is not None:
        return {name: hole(name, index) for name in PRESSED_ATTRS}
    return {
        name: "true" if getattr(paper, attr, False) else "false"
        for name, attr in PRESSED_ATTRS.items()
    }


def card_context(
    paper: Paper,
    reader: CardReader,
    because: list[dict] | None = None,
    *,
    index: int | None = None,
) -> dict:
    """Everything the card of `paper` shows to `reader`, as plain values. `paper` carries
    `tag_briefs` (selectors.attach_tag_briefs), `viewer_voted` and the viewer's marks.
    because: in the reader's "for you" feed, the papers of theirs it is closest to
    ({"title", "url"}), for "Why this paper". index: the card's place in a page rendered for
    every member, whose vote and marks are holes (frontend.member_pages)."""
    return {
        "paper": {
            "pk": paper.pk,
            "url": paper_url(paper.pk),
            "title": paper.title,
            "abstract": paper.abstract or "",
            "abstract_short": abstract_short(paper.abstract or ""),
            "digest_iso": paper.first_digest_on.isoformat() if paper.first_digest_on else "",
            "authors_short": authors_short(paper.authors, paper.author_count),
            "arxiv": arxiv_links(paper.arxiv_id),
            "source_upvotes": paper.upvotes,
            "code_url": paper.github_repo,
            "code_stars": paper.github_stars,
            "project_url": paper.project_page,
            "vote_count": paper.vote_count,
            "comment_count": paper.comment_count,
            "status": paper.status,
            "status_label": paper.get_status_display(),
            **{f"pressed_{name}": value for name, value in pressed_values(paper, index).items()},
            "tag_briefs": getattr(paper, TAG_BRIEFS),
        },
        "because": because or [],
        "member": reader.member,
        "moderator": reader.moderator,
        "login_next_url": "" if reader.member else reader.login_next_url,
        "home_url": reader.home_url,
    }


def paper_cards(
    papers: Sequence[Paper],
    *,
    reader: CardReader,
    because: dict[int, list[dict]] | None = None,
    holes: bool = False,
) -> list[SafeString]:
    """The HTML of each paper's card, in order (frontend.fragments). The page's tags are read
    here, in one query, unless the rows came with them (attach_tag_briefs). because: by paper
    id, what its card says of "why this paper". holes: the reader's vote and marks are holes
    (a page rendered for every member: frontend.member_pages)."""
    if not all(hasattr(paper, TAG_BRIEFS) for paper in papers):
        attach_tag_briefs(papers)
    because = because or {}
    return fragments_render(
        CARD_TEMPLATE,
        [
            card_context(paper, reader, because.get(paper.pk), index=index if holes else None)
            for index, paper in enumerate(papers)
        ],
    )
