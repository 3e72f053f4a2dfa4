"""The list pages (the feed, a digest day, a tag, a search) and a paper's page rendered once
for every member, with holes for what is each member's own.

Two members who moderate nothing get the same list page but for a few values: their name and
CSRF token in the header, their count of unread items, whether they follow the page's tag or
search, and on each card whether they voted and marked it; on a paper's page, also the × of
the tags they added and the thread (itself kept whole for most readers: frontend.comments).
So the page is rendered once with a hole in each of those places (config.spliced,
`quoted=False`), kept SHARED_SECONDS at most under the listing version as the rows it shows
are (papers.listing_version: every write that changes what a list shows moves it on; a
paper's page also under the sessions' generation), one copy per time zone, and each member's
page is the pieces joined around their own values: their vote and marks on the page's papers
(one query), their inbox count and follow (one query), a CSRF token, the thread.

A member is served a page of their own, rendered as before, when the shared page may not be
theirs: a moderator or an admin (their header and cards show more), a member with messages
waiting (shown once, on the next page), their "for you" feed or a view of other states, the
submitter of a paper (who sees its state) or a paper not public, and a member who hides the
papers they marked when the page holds some of them (their page is filled with others).
While the shared page renders, the reader's values come from stand-ins (`shared_overrides`),
never from the member whose request renders it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import partial, wraps

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape

from accounts.roles import is_admin, is_member, is_moderator
from accounts.time_zones import member_time_zone
from config.spliced import SplicedBody, hole
from curation.selectors import viewer_state_read
from frontend.comments import paper_thread
from frontend.fragments import template_digest
from frontend.page_cache import shared_version
from frontend.templatetags.paperboard import (
    follow_hint_html,
    tag_remove_button,
    unread_badge_html,
)
from notifications.selectors import FollowTarget, inbox_state
from papers.listing_version import SHARED_SECONDS
from papers.models import Paper
from readinggroup.selectors import sessions_version
from recommendations.selectors import FOR_YOU

KEY_PREFIX = "web:member-page:v1:"
# The templates a list page is made of: a changed one (a deployment) is a new key.
PAGE_TEMPLATES = (
    "frontend/base.html",
    "frontend/feed.html",
    "frontend/tag.html",
    "frontend/search.html",
    "frontend/_paper_card.html",
    "frontend/_follow_button.html",
    "frontend/_paper_items.html",
    "frontend/paper.html",
    "frontend/_comment_block.html",
    "frontend/sessions/_paper_sessions.html",
)

# Set on a request while its page renders for every member, and what the view tells of it.
_RENDERING = "member_page_rendering"
_PAPER_IDS = "member_page_paper_ids"
_FOLLOW = "member_page_follow"
_EXTRA = "member_page_extra"


def rendering_for_members(request: HttpRequest) -> bool:
    """Whether this request renders its page for every member (with holes)."""
    return getattr(request, _RENDERING, False)


def page_papers(request: HttpRequest, ids: list[int]) -> None:
    """The view says which papers the page's cards show, in order (card `index` = place)."""
    setattr(request, _PAPER_IDS, ids)


def page_follow(request: HttpRequest, target: FollowTarget | None) -> None:
    """The view says what the page's Follow button is about."""
    setattr(request, _FOLLOW, target)


def page_extra(request: HttpRequest, **extra) -> None:
    """The paper page tells what its holes need beyond the cards': the paper's state (its
    thread), its submitter (who gets a page of their own) and, for each tag, who added it,
    its slug and name (its × for its adder)."""
    setattr(request, _EXTRA, extra)


def page_not_shared(request: HttpRequest) -> None:
    """The view found its page is not the same for every member (the paper's submitter sees
    its state; a paper not public): it goes on rendering it for this reader alone."""
    setattr(request, _RENDERING, False)


class _Member:
    """The reader in a page rendered for every member: signed in, with a hole for a name."""

    is_authenticated = True
    is_anonymous = False
    pk = None

    def get_username(self) -> str:
        return hole("username", 0)


@dataclass(frozen=True)
class InboxHoles:
    """The page's `inbox` while it renders for every member (see the paperboard filters)."""

    holes: bool = True
    badge: str = hole("inbox", 0)
    follow_id: str = hole("follow_id", 0)
    pressed: str = hole("follow_pressed", 0)
    hint: str = hole("follow_hint", 0)


def shared_overrides() -> dict:
    """The template context's reader while a page renders for every member: what the
    context processors would say of the member whose request renders it, as holes."""
    return {
        "user": _Member(),
        "roles": {"member": True, "moderator": False, "admin": False},
        "csrf_token": hole("csrf", 0),
        "inbox": InboxHoles(),
    }


@dataclass(frozen=True)
class SharedPage:
    body: SplicedBody
    paper_ids: tuple[int, ...]
    follow: FollowTarget | None
    content_type: str
    needs_inbox: bool = field(default=False)
    extra: dict = field(default_factory=dict)


def _shareable(request: HttpRequest) -> bool:
    user = request.user
    return (
        request.method in ("GET", "HEAD")
        and is_member(user)
        and not is_moderator(user)
        and not is_admin(user)
        and request.GET.get("order") != FOR_YOU
        and not request.GET.get("status")
        and len(messages.get_messages(request)) == 0
    )


def _key(request: HttpRequest, *, sessions: bool) -> str:
    templates = ":".join(template_digest(name) for name in PAGE_TEMPLATES)
    # Times show in the member's zone (a paper's sessions): one copy per zone.
    zone = member_time_zone(request.user).key
    raw = f"{templates}|{zone}|{request.get_host()}|{request.get_full_path()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()
    version = f"{shared_version(request)}:{sessions_version() if sessions else ''}"
    return f"{KEY_PREFIX}{version}:{digest}"


def member_page_share(view=None, *, sessions: bool = False):
    """Serve `view`'s page to a member from the page rendered for every member (module
    docstring); `view` renders with shared_overrides and tells the page's papers
    (page_papers), its follow target (page_follow) and what else its holes need
    (page_extra). sessions: the page shows the reading-group sessions, so it is kept under
    their generation as well as the listing version."""
    if view is None:
        return partial(member_page_share, sessions=sessions)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not _shareable(request):
            return view(request, *args, **kwargs)
        key = _key(request, sessions=sessions)
        shared = cache.get(key)
        if shared is None:
            shared = _render(view, request, *args, **kwargs)
            if isinstance(shared, HttpResponse):  # the reader's own page
                return shared
            if shared is None:  # not a page (a redirect, an error): as the member's own
                return view(request, *args, **kwargs)
            cache.set(key, shared, SHARED_SECONDS)
        answer = _fill(request, shared)
        return answer if answer is not None else view(request, *args, **kwargs)

    return wrapper


def _render(view, request: HttpRequest, *args, **kwargs) -> SharedPage | HttpResponse | None:
    """The page rendered for every member, or the reader's own page when the view found it
    is not the same for all (page_not_shared), or None when it is not a page to share."""
    setattr(request, _RENDERING, True)
    try:
        response = view(request, *args, **kwargs)
    finally:
        shared = getattr(request, _RENDERING)
        delattr(request, _RENDERING)
    if not shared:
        return response
    ids = getattr(request, _PAPER_IDS, None)
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or ids is None
        or not isinstance(response, HttpResponse)
    ):
        return None
    body = SplicedBody.cut(response.content, quoted=False)
    return SharedPage(
        body=body,
        paper_ids=tuple(ids),
        follow=getattr(request, _FOLLOW, None),
        content_type=response["Content-Type"],
        needs_inbox=any(name.startswith(("inbox", "follow")) for name, _ in body.holes),
        extra=getattr(request, _EXTRA, {}),
    )


def _fill(request: HttpRequest, shared: SharedPage) -> HttpResponse | None:
    """The page with this member's values, or None when it may not be theirs (they submitted
    its paper, or hide papers they marked on it)."""
    user = request.user
    if user.pk in shared.extra.get("submitters", ()):
        return None  # the page shows its submitter the paper's state
    ids = shared.paper_ids
    state = viewer_state_read(ids, user)
    if state.hides_marked and state.marks:
        return None
    values: dict[str, bytes] = {}
    if shared.needs_inbox:
        inbox = inbox_state(viewer=user, follow=shared.follow)
        values["inbox"] = unread_badge_html(inbox.unread).encode()
        values["follow_id"] = str(inbox.follow_id or "").encode()
        values["follow_pressed"] = b"true" if inbox.follow_id else b"false"
        values["follow_hint"] = follow_hint_html(inbox.follow_id).encode()

    def value(name: str, index: int) -> bytes:
        if name == "voted":
            return b"true" if ids[index] in state.voted else b"false"
        if name in ("read", "not_interested"):
            return b"true" if name in state.marks.get(ids[index], ()) else b"false"
        if name == "csrf":
            if "csrf" not in values:
                values["csrf"] = get_token(request).encode()
            return values["csrf"]
        if name == "username":
            return escape(user.get_username()).encode()
        if name == "tag_remove":
            added_by, slug, tag_name = shared.extra["tags"][index]
            return tag_remove_button(slug, tag_name).encode() if added_by == user.pk else b""
        if name == "thread":
            paper = Paper(pk=ids[0], status=shared.extra["paper_status"])
            return paper_thread(paper, user, moderator=False).encode()
        return values[name]

    return HttpResponse(shared.body.fill(value), content_type=shared.content_type)
