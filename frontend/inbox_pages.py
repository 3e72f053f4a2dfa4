"""The inbox page (/inbox/): a member's items, unread first, then newest, each linking to
what it is about, with plain forms (the CSRF token, no script needed) that mark one item or
all of them read through notifications.services; the member's follows, each with the
page it is about; and their delivery settings (e-mail digests, the private Atom feed), also
plain forms. Anonymous readers are sent to log in.

Two pages need no login, the token in their address being the key: the private Atom feed
(/inbox/feed/<token>.atom) and a digest's unsubscribe link (GET: a page that asks; POST:
done, also RFC 8058's one-click POST that mail providers send, hence no CSRF check there)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import require_member
from accounts.time_zones import member_time_zone
from config.cursors import CURSOR_PARAM, parse_id, parse_whole
from config.errors import DomainError
from frontend.errors import PageBadRequest, PageNotFound
from notifications.models import DeliveryTopic, DigestCadence
from notifications.presentation import follow_view, item_view
from notifications.selectors import (
    follows_of,
    inbox_feed_items,
    inbox_feed_of,
    inbox_feed_owner,
    inbox_items,
    inbox_page,
    notification_of,
    webhook_of,
    webhook_targets,
    webhooks_of,
)
from notifications.services import (
    delivery_settings_get,
    delivery_settings_update,
    digests_unsubscribe,
    inbox_feed_issue,
    inbox_feed_revoke,
    notification_mark_read,
    notifications_mark_all_read,
    webhook_create,
    webhook_delete,
)
from notifications.services.delivery import unsubscribe_member
from notifications.services.inbox import MSG_NO_SUCH_ITEM

PAGE_SIZE = 30
FOLLOWS_SHOWN = 100
MSG_MARKED_ALL = "Every item is marked read."
MSG_UNKNOWN_ACTION = "This form asks for something the page does not do."
MSG_DELIVERY_SAVED = "Your delivery settings are saved."
MSG_FEED_REVOKED = "Your feed's address no longer works."
MSG_NO_FEED = "There is no such feed: its address was replaced or stopped."


@login_required
def inbox(request: HttpRequest, new_feed_url: str | None = None) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "read-all":
            notifications_mark_all_read(user=request.user)
            messages.success(request, MSG_MARKED_ALL)
        elif action == "read":
            pk = parse_id(request.POST.get("item"))
            if pk is None:
                raise PageBadRequest(MSG_NO_SUCH_ITEM)
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
        "delivery": delivery_settings_get(member=request.user),
        "cadences": DigestCadence.choices,
        "hours": range(24),
        "zone": member_time_zone(request.user).key,
        "feed": inbox_feed_of(member=require_member(request.user)),
        "new_feed_url": new_feed_url,
    }
    response = render(request, "frontend/inbox.html", context)
    if new_feed_url:
        response["Cache-Control"] = "no-store"  # it shows a secret address
    return response


@login_required
@require_POST
def inbox_delivery(request: HttpRequest) -> HttpResponse:
    """The inbox page's delivery forms: the settings, and making or stopping the feed."""
    action = request.POST.get("action", "")
    if action == "settings":
        topics = {}
        for topic in DeliveryTopic.values:
            topics[topic] = {
                "email": request.POST.get(f"email-{topic}", DigestCadence.OFF),
                "feed": request.POST.get(f"feed-{topic}") == "yes",
            }
        hour = parse_whole(request.POST.get("digest_hour"), maximum=99)
        try:
            delivery_settings_update(
                member=request.user,
                digest_hour=-1 if hour is None else hour,  # refused with the service's sentence
                topics=topics,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, MSG_DELIVERY_SAVED)
    elif action == "feed-create":
        issued = inbox_feed_issue(member=request.user)
        url = request.build_absolute_uri(reverse("inbox-feed", kwargs={"token": issued.token}))
        # Shown on this answer only (no redirect): the address is never shown again.
        request.method = "GET"
        return inbox(request, new_feed_url=url)
    elif action == "feed-revoke":
        inbox_feed_revoke(member=request.user)
        messages.success(request, MSG_FEED_REVOKED)
    else:
        raise PageBadRequest(MSG_UNKNOWN_ACTION)
    return redirect(reverse("inbox") + "#delivery-h")


def inbox_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's private Atom feed of their inbox (the topics they put in it): the token in
    the address is the only key (a wrong, replaced or stopped one is a 404)."""
    member = inbox_feed_owner(token=token)
    if member is None:
        raise PageNotFound(MSG_NO_FEED)
    kinds = delivery_settings_get(member=member).feed_kinds()
    inbox_url = request.build_absolute_uri(reverse("inbox"))
    feed = Atom1Feed(
        title=f"Paperboard inbox of {member.get_username()}",
        link=inbox_url,
        description="Replies, mentions and news of what you follow on Paperboard.",
        feed_url=request.build_absolute_uri(),
        author_name="Paperboard",
    )
    for item in inbox_feed_items(member=member, kinds=kinds):
        view = item_view(item)
        feed.add_item(
            title=view.text,
            link=request.build_absolute_uri(view.url) if view.url else inbox_url,
            description=view.excerpt or view.text,
            unique_id=f"{inbox_url}#item-{item.pk}",
            pubdate=item.created_at,
            updateddate=item.created_at,
            categories=[item.kind],
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    # Private to its owner: kept by no shared cache, and indexed by no search engine.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@csrf_exempt  # RFC 8058: the mail provider's one-click POST carries no CSRF token
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A digest's unsubscribe link: GET asks (a link opened by a mail scanner changes
    nothing), POST turns every digest of the member off at once."""
    try:
        member = unsubscribe_member(token=token)
    except DomainError as error:
        raise PageBadRequest(error.message) from error
    done = False
    if request.method == "POST":
        digests_unsubscribe(token=token)
        done = True
    context = {"member_name": member.get_username(), "done": done}
    response = render(request, "frontend/unsubscribe.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


MSG_WEBHOOK_DELETED = "The webhook is deleted: nothing is posted to its address any more."
MSG_NO_SUCH_WEBHOOK = "There is no such webhook of yours."
MSG_CHOOSE_TARGET = "Choose a tag or a team list for the webhook."


def _webhook_target(value: str) -> dict:
    """The form's "tag:<slug>" or "list:<id>" as webhook_create's arguments."""
    kind, _, key = value.partition(":")
    if kind == "tag" and key:
        return {"tag": key}
    list_id = parse_id(key) if kind == "list" else None
    if list_id is not None:
        return {"paper_list": list_id}
    raise DomainError(MSG_CHOOSE_TARGET, code="invalid", extra={"fields": {"target": []}})


def _target_groups(targets) -> list[tuple[str, list[tuple[str, str]]]]:
    """The form's choices, as (group label, [(value, label)]), empty groups left out."""
    groups = [
        ("Tags", [(f"tag:{slug}", name) for slug, name in targets.tags]),
        ("My team lists", [(f"list:{pk}", name) for pk, name in targets.lists]),
    ]
    return [(label, options) for label, options in groups if options]


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    """My webhooks (/inbox/webhooks/): the list, a form that adds one on a tag (moderators)
    or a team list I own, showing its secret on that answer only, and a delete button each;
    plain forms through notifications.services."""
    values = {"target": "", "url": ""}
    error = ""
    created = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "delete":
            pk = parse_id(request.POST.get("webhook"))
            hook = webhook_of(viewer=request.user, pk=pk) if pk is not None else None
            if hook is None:
                raise PageNotFound(MSG_NO_SUCH_WEBHOOK)
            webhook_delete(webhook=hook, user=request.user)
            messages.success(request, MSG_WEBHOOK_DELETED)
            return redirect("webhooks")
        if action != "create":
            raise PageBadRequest(MSG_UNKNOWN_ACTION)
        values = {name: request.POST.get(name, "").strip() for name in values}
        try:
            created = webhook_create(
                owner=request.user, url=values["url"], **_webhook_target(values["target"])
            )
        except DomainError as exc:
            error, status = exc.message, exc.status_code or 400
    context = {
        "hooks": list(webhooks_of(viewer=request.user)),
        "target_groups": _target_groups(webhook_targets(viewer=request.user)),
        "values": values,
        "error": error,
        "created": created,
    }
    response = render(request, "frontend/webhooks.html", context, status=status)
    if created is not None:
        response["Cache-Control"] = "no-store"  # it shows the secret
    return response
