"""A paper page's thread: each comment's block (templates/frontend/_comment_block.html)
rendered from the plain values of comment_context and shared between readers through
frontend.fragments; a comment whose text, state, age or reader (its author, a member, a
moderator) changed has another key. thread_html nests the blocks into the thread's list.

A thread is the same for every reader of one kind (anonymous, member, moderator) who wrote
none of its comments and flagged none: its whole markup is kept for them (THREAD_SECONDS at
most) under the thread's version (curation.selectors.thread_version, which every write to the
thread moves on) and the minute: ages are told from the start of the current minute ("just
now", "3 minutes ago"), so the longest thread of the bench is rendered once a minute, not
once a page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts.roles import Viewer, is_member
from curation.models import Comment
from curation.selectors import CommentNode, comment_tree, comments_thread, thread_version
from frontend.fragments import fragments_render, template_digest
from frontend.templatetags.paperboard import time_ago
from papers.models import Paper, PaperStatus

COMMENT_TEMPLATE = "frontend/_comment_block.html"
THREAD_PREFIX = "web:thread:v1:"
THREAD_SECONDS = 60


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


def comment_views(
    thread: list[CommentNode], *, reader: CommentReader, now=None
) -> list[CommentView]:
    """The thread (selectors.comment_tree) with each comment's block rendered, in one pass of
    the cache for the whole thread; ages told at `now` (this minute's start by default)."""
    now = now or this_minute()
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


def this_minute():
    """Now, to the minute: what the thread's ages are told from (see the module docstring)."""
    return timezone.now().replace(second=0, microsecond=0)


def views_markup(views: list[CommentView]) -> SafeString:
    """The <li> of each comment of `views`, its replies nested in their own list."""
    items = []
    for view in views:
        replies = (
            f'<ol class="thread replies">{views_markup(view.replies)}</ol>' if view.replies else ""
        )
        items.append(f"<li>{view.html}{replies}</li>")
    return mark_safe("".join(items))  # the blocks' HTML, escaped by their template


def thread_html(paper: Paper, viewer: Viewer, *, moderator: bool) -> SafeString:
    """The items of `paper`'s thread as `viewer` sees it ("" when it has no comment): kept for
    every reader like them when they wrote and flagged none of it (module docstring)."""
    member = is_member(viewer)
    user_id = viewer.pk if member and viewer is not None else None
    published = paper.status == PaperStatus.PUBLISHED
    reader = CommentReader(user_id=user_id, moderator=moderator, paper_published=published)
    version = thread_version(paper.pk)  # before the thread: never a newer key on older rows
    comments = comments_thread(paper=paper, viewer=viewer)
    now = this_minute()
    key = None
    if not member or not any(
        comment.author_id == user_id or getattr(comment, "viewer_flagged", False)
        for comment in comments
    ):
        kind = "moderator" if moderator else "member" if member else "anonymous"
        key = (
            f"{THREAD_PREFIX}{template_digest(COMMENT_TEMPLATE)}:{paper.pk}:{version}:"
            f"{kind}:{int(published)}:{now.isoformat()}"
        )
        kept = cache.get(key)
        if kept is not None:
            return mark_safe(kept)  # rendered below, escaped by the templates
    html = views_markup(comment_views(comment_tree(comments), reader=reader, now=now))
    if key is not None:
        cache.set(key, str(html), THREAD_SECONDS)
    return html


EMPTY_THREAD = mark_safe('<li class="empty">No comments yet.</li>')


def paper_thread(paper: Paper, viewer: Viewer, *, moderator: bool) -> SafeString:
    """The paper page's thread list: thread_html, or a line saying it has no comment."""
    return thread_html(paper, viewer, moderator=moderator) or EMPTY_THREAD
