"""The inbox page (/inbox/): a member's items, unread first, then newest, each linking to
what it is about, with plain forms (the CSRF token, no script needed) that mark one item or
all of them read through notifications.services; and the member's follows, each with the
page it is about. Anonymous readers are sent to log in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from config.cursors import CURSOR_PARAM
from config.errors import DomainError
from frontend.errors import PageBadRequest, PageNotFound
from notifications.presentation import follow_view, item_view
from notifications.selectors import follows_of, inbox_items, inbox_page, notification_of
from notifications.services import notification_mark_read, notifications_mark_all_read
from notifications.services.inbox import MSG_NO_SUCH_ITEM

PAGE_SIZE = 30
FOLLOWS_SHOWN = 100
MSG_MARKED_ALL = "Every item is marked read."
MSG_UNKNOWN_ACTION = "This form asks for something the page does not do."


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "read-all":
            notifications_mark_all_read(user=request.user)
            messages.success(request, MSG_MARKED_ALL)
        elif action == "read":
            try:
                pk = int(request.POST.get("item", ""))
            except ValueError:
                raise PageBadRequest(MSG_NO_SUCH_ITEM) from None
            item = notification_of(viewer=request.user, pk=pk)
            if item is None:
                raise PageNotFound(MSG_NO_SUCH_ITEM)
            notification_mark_read(notification=item, user=request.user)
        else:
            raise PageBadRequest(MSG_UNKNOWN_ACTION)
        return redirect("inbox")

    try:
        page = inbox_page(
            inbox_items(viewer=request.user),
            page_size=PAGE_SIZE,
            cursor=request.GET.get(CURSOR_PARAM) or None,
        )
    except DomainError as exc:
        raise PageBadRequest(exc.message) from exc
    follows = list(follows_of(viewer=request.user)[:FOLLOWS_SHOWN])
    context = {
        "rows": [(item, item_view(item)) for item in page.rows],
        "next_url": f"?{CURSOR_PARAM}={page.next_cursor}" if page.next_cursor else None,
        "first_page": not request.GET.get(CURSOR_PARAM),
        "follows": [(follow, follow_view(follow)) for follow in follows],
    }
    return render(request, "frontend/inbox.html", context)
