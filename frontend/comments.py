"""A paper page's thread: each comment's block (templates/frontend/_comment_block.html)
rendered from the plain values of comment_context and shared between readers through
frontend.fragments; a comment whose text, state, age or reader (its author, a member, a
moderator) changed has another key. The nesting is the thread template's
(_comment.html)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.safestring import SafeString

from curation.models import Comment
from curation.selectors import CommentNode
from frontend.fragments import fragments_render
from frontend.templatetags.paperboard import time_ago

COMMENT_TEMPLATE = "frontend/_comment_block.html"


@dataclass(frozen=True)
class CommentReader:
    """What of the reader a comment shows."""

    user_id: int | None  # None: anonymous
    moderator: bool
    paper_published: bool


@dataclass
class CommentView:
    html: SafeString
    replies: list[CommentView] = field(default_factory=list)


def comment_context(comment: Comment, reader: CommentReader, *, now) -> dict:
    member = reader.user_id is not None
    deleted, hidden = comment.is_deleted, comment.is_hidden
    mine = member and comment.author_id == reader.user_id
    return {
        "c": {
            "pk": comment.pk,
            "author": (comment.author.get_username() if comment.author else "")
            if comment.shows_author_to(moderator=reader.moderator)
            else None,
            "created_iso": comment.created_at.isoformat(),
            "ago": time_ago(comment.created_at, now),
            "edited": comment.is_edited and not deleted,
            "deleted": deleted,
            "hidden": hidden,
            "hidden_reason": comment.hidden_reason if hidden else "",
            "html": comment.html_for(moderator=reader.moderator),
            "mine": mine,
            "source": comment.body if mine and not deleted else "",
            # Flagged by this reader already (selectors.comments_thread): no second Flag.
            "flagged": member and not mine and bool(getattr(comment, "viewer_flagged", False)),
        },
        "member": member,
        "moderator": reader.moderator,
        "published": reader.paper_published,
    }


def comment_views(thread: list[CommentNode], *, reader: CommentReader) -> list[CommentView]:
    """The thread (selectors.comment_tree) with each comment's block rendered, in one pass of
    the cache for the whole thread."""
    now = timezone.now()
    nodes: list[CommentNode] = []

    def walk(level: list[CommentNode]) -> None:
        for node in level:
            nodes.append(node)
            walk(node.replies)

    walk(thread)
    blocks = fragments_render(
        COMMENT_TEMPLATE, [comment_context(node.comment, reader, now=now) for node in nodes]
    )
    html = {id(node): block for node, block in zip(nodes, blocks, strict=True)}

    def build(level: list[CommentNode]) -> list[CommentView]:
        return [CommentView(html[id(node)], build(node.replies)) for node in level]

    return build(thread)
