"""The list pages (the feed, a digest day, a tag, a search) rendered once for every member,
with holes for what is each member's own.

Two members who moderate nothing get the same list page but for a few values: their name and
CSRF token in the header, their count of unread items, whether they follow the page's tag or
search, and on each card whether they voted and marked it. So the page is rendered once with
a hole in each of those places (config.spliced, `quoted=False`), kept SHARED_SECONDS at most
under the listing version as the rows it shows are (papers.listing_version: every write that
changes what a list shows moves it on), and each member's page is the pieces joined around
their own values: their vote and marks on the page's papers (one query), their inbox count
and follow (one query), a CSRF token.

A member is served a page of their own, rendered as before, when the shared page may not be
theirs: a moderator or an admin (their header and cards show more), a member with messages
waiting (shown once, on the next page), their "for you" feed or a view of other states, and a
member who hides the papers they marked when the page holds some of them (their page is
filled with others). While the shared page renders, the reader's values come from stand-ins
(`shared_overrides`), never from the member whose request renders it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape

from accounts.roles import is_admin, is_member, is_moderator
from config.spliced import SplicedBody, hole
from curation.selectors import viewer_state_read
from frontend.fragments import template_digest
from frontend.page_cache import shared_version
from frontend.templatetags.paperboard import follow_hint_html, unread_badge_html
from notifications.selectors import FollowTarget, inbox_state
from papers.listing_version import SHARED_SECONDS

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
)
FOR_YOU = "for_you"

# Set on a request while its page renders for every member, and what the view tells of it.
_RENDERING = "member_page_rendering"
_PAPER_IDS = "member_page_paper_ids"
_FOLLOW = "member_page_follow"


def rendering_for_members(request: HttpRequest) -> bool:
    """Whether this request renders its page for every member (with holes)."""
    return getattr(request, _RENDERING, False)


def page_papers(request: HttpRequest, ids: list[int]) -> None:
    """The view says which papers the page's cards show, in order (card `index` = place)."""
    setattr(request, _PAPER_IDS, ids)


def page_follow(request: HttpRequest, target: FollowTarget | None) -> None:
    """The view says what the page's Follow button is about."""
    setattr(request, _FOLLOW, target)


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


def _key(request: HttpRequest) -> str:
    templates = ":".join(template_digest(name) for name in PAGE_TEMPLATES)
    raw = f"{templates}|{request.get_host()}|{request.get_full_path()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"{KEY_PREFIX}{shared_version(request)}:{digest}"


def member_page_share(view):
    """Serve `view`'s page to a member from the page rendered for every member (module
    docstring); `view` renders through frontend.views._list_response and tells the page's
    papers (page_papers) and follow target (page_follow)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not _shareable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        shared = cache.get(key)
        if shared is None:
            shared = _render(view, request, *args, **kwargs)
            if shared is None:  # not a page (a redirect, an error): as the member's own
                return view(request, *args, **kwargs)
            cache.set(key, shared, SHARED_SECONDS)
        answer = _fill(request, shared)
        return answer if answer is not None else view(request, *args, **kwargs)

    return wrapper


def _render(view, request: HttpRequest, *args, **kwargs) -> SharedPage | None:
    setattr(request, _RENDERING, True)
    try:
        response = view(request, *args, **kwargs)
    finally:
        delattr(request, _RENDERING)
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
    )


def _fill(request: HttpRequest, shared: SharedPage) -> HttpResponse | None:
    """The page with this member's values, or None when it may not be theirs (they hide
    papers they marked on it)."""
    user = request.user
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
        return values[name]

    return HttpResponse(shared.body.fill(value), content_type=shared.content_type)
