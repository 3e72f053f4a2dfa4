"""What an inbox item and a follow say, in words and as a link: one place for the API and the
web pages (neither builds its own sentence)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from notifications.models import Follow, FollowKind, Notification, NotificationKind

EXCERPT_CHARS = 160
SOMEONE = "Someone"
PAPER_GONE = "a paper you can no longer open"


@dataclass(frozen=True)
class ItemView:
    text: str  # one sentence
    url: str | None  # the page it is about, None when the reader may no longer open it
    excerpt: str  # the comment's first words, while it is visible


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def item_view(item: Notification) -> ItemView:
    """An item of inbox_items (annotated `paper_openable`) as its reader sees it now."""
    openable = bool(getattr(item, "paper_openable", False)) and item.paper_id is not None
    title = f"“{item.paper.title}”" if openable and item.paper is not None else PAPER_GONE
    paper_url = reverse("paper", args=[item.paper_id]) if openable else None
    comment = item.comment
    comment_shown = comment is not None and comment.is_visible and openable
    actor = item.actor.username if item.actor is not None else SOMEONE
    if comment is not None and not comment_shown:
        actor = SOMEONE  # who wrote a comment hidden or deleted since is not told
    excerpt = _excerpt(comment.body) if comment_shown and comment is not None else ""
    url = paper_url
    if comment_shown and paper_url is not None:
        url = f"{paper_url}#c{item.comment_id}"

    kind = item.kind
    if kind == NotificationKind.REPLY:
        text = f"{actor} replied to your comment on {title}."
    elif kind == NotificationKind.MENTION:
        text = f"{actor} mentioned you in a comment on {title}."
    elif kind == NotificationKind.PAPER_COMMENT:
        text = f"{actor} commented on {title}, a paper you follow."
    elif kind == NotificationKind.LIST_COMMENT:
        where = f"“{item.paper_list.name}”" if item.paper_list is not None else "a list"
        text = f"{actor} commented on {title}, on {where}, a list you follow."
    elif kind == NotificationKind.TAG_PAPER:
        if item.tag is not None:
            text = f"New paper tagged {item.tag.name}: {title}."
        else:  # the tag deleted since
            text = f"New paper with a tag you follow: {title}."
    elif kind == NotificationKind.SEARCH_PAPER:
        follow = item.follow
        search = f"“{follow.name or follow.query}”" if follow is not None else "a saved search"
        text = f"New paper matching your search {search}: {title}."
    elif kind == NotificationKind.MADE_PRESENTER:
        session = f"“{item.session.title}”" if item.session is not None else "a session"
        text = f"{actor} made you the presenter of {title} in the session {session}."
        url = reverse("session", args=[item.session_id]) if item.session_id else None
    else:
        text = "Something happened."
    return ItemView(text=text, url=url, excerpt=excerpt)


@dataclass(frozen=True)
class FollowView:
    label: str
    url: str | None


def follow_view(follow: Follow) -> FollowView:
    """A follow of follows_of (annotated `paper_openable`, `list_openable`)."""
    if follow.kind == FollowKind.TAG and follow.tag is not None:
        return FollowView(f"Tag {follow.tag.name}", reverse("tag", args=[follow.tag.slug]))
    if follow.kind == FollowKind.PAPER:
        if getattr(follow, "paper_openable", False) and follow.paper is not None:
            return FollowView(
                f"Paper “{follow.paper.title}”", reverse("paper", args=[follow.paper_id])
            )
        return FollowView(f"Paper: {PAPER_GONE}", None)
    if follow.kind == FollowKind.LIST:
        if getattr(follow, "list_openable", False) and follow.paper_list is not None:
            return FollowView(
                f"List “{follow.paper_list.name}”", reverse("list", args=[follow.paper_list_id])
            )
        return FollowView("A list you can no longer open", None)
    return FollowView(
        f"Search “{follow.name or follow.query}”",
        f"{reverse('search')}?{urlencode({'q': follow.query})}",
    )
