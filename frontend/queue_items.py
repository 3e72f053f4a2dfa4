"""The moderation queue's items as shared fragments (frontend.fragments): a pending paper and
a flagged comment are each rendered from a dict of what they show, so an item that did not
change since a moderator last saw it comes from the cache (the page's fifty items were most
of its time, as the cards were of the feeds')."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from curation.models import Comment
from frontend.cards import arxiv_links
from frontend.fragments import fragments_render
from frontend.templatetags.paperboard import time_ago
from papers.models import Paper

PAPER_TEMPLATE = "frontend/_queue_paper.html"
COMMENT_TEMPLATE = "frontend/_queue_comment.html"
AUTHORS_SHOWN = 12
ABSTRACT_CHARS = 3000


def _shortened(text: str, chars: int) -> str:
    """`text` cut to `chars` characters with an ellipsis (Django's truncatechars); walked
    only when longer (Truncator weighs each character, 5 ms for a 3,000-character text)."""
    return text if len(text) <= chars else Truncator(text).chars(chars)


def _paper_context(paper: Paper, home: str) -> dict:
    authors = list(paper.authors or [])
    return {
        "pk": paper.pk,
        "title": paper.title,
        "url": reverse("paper", args=[paper.pk]),
        "submitted_by": paper.submitted_by.get_username() if paper.submitted_by else "",
        "created_ago": time_ago(paper.created_at),
        "arxiv_id": paper.arxiv_id or "",
        "arxiv_url": arxiv_links(paper.arxiv_id).get("abs", ""),
        "code_url": paper.github_repo or "",
        "listed_on": [
            {"day": day.isoformat(), "url": f"{home}?date={day.isoformat()}"}
            for day in getattr(paper, "listed_on", [])
        ],
        "authors": ", ".join(authors[:AUTHORS_SHOWN]),
        "authors_more": max(0, len(authors) - AUTHORS_SHOWN),
        "abstract": _shortened(paper.abstract, ABSTRACT_CHARS),
    }


def queue_paper_items(papers: Sequence[Paper]) -> list[SafeString]:
    """The HTML of each pending paper's item (queue_papers_details has given `listed_on`)."""
    home = reverse("home")
    return fragments_render(PAPER_TEMPLATE, [_paper_context(paper, home) for paper in papers])


def _comment_context(comment: Comment) -> dict:
    return {
        "pk": comment.pk,
        "author": comment.author.get_username() if comment.author else "",
        "paper_url": f"{reverse('paper', args=[comment.paper_id])}#c{comment.pk}",
        "paper_title": comment.paper.title,
        "flag_count": getattr(comment, "open_flag_count", 0),
        "body_html": comment.body_html,
        "hidden": comment.is_hidden,
        "flags": [
            {
                "reason": flag.get_reason_display(),
                "user": flag.user.get_username(),
                "note": flag.note,
            }
            for flag in getattr(comment, "open_flags", [])
        ],
    }


def queue_comment_items(comments: Sequence[Comment]) -> list[SafeString]:
    """The HTML of each flagged comment's item (moderation_queue has read its open flags)."""
    return fragments_render(COMMENT_TEMPLATE, [_comment_context(c) for c in comments])
