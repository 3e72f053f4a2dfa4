"""What the pages with a Follow button (a tag, a paper, a list, a search) read of their
reader: their count of unread items for the header and whether they follow the page's
target, in the one query of notifications.selectors.inbox_state (the header alone would cost
that query anyway), read only when the page shows them."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from frontend.member_pages import page_follow
from notifications.selectors import FollowTarget, inbox_state


def page_inbox(request: HttpRequest, target: FollowTarget | None) -> dict:
    """The page's `inbox` (replacing the context processor's, which has no target). The
    target is also what a page rendered for every member fills its Follow button's holes
    from (frontend.member_pages)."""
    page_follow(request, target)
    return {"inbox": SimpleLazyObject(lambda: inbox_state(viewer=request.user, follow=target))}
