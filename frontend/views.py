"""The web pages: a server-rendered first paint from the curation selectors, then ES modules
(frontend/static/frontend/js/) that call the REST API for every write and for "load more".

No rule of the domain lives here: who may vote, tag, comment or moderate is decided by the
services behind the API, and these views only choose what to show. The "load more" links
they render are API URLs carrying the same opaque cursors the API itself hands out
(config.api.pagination.cursor_encode), so the second page continues where the first paint
stopped.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.roles import is_admin, is_member, is_moderator
from accounts.services import api_token_get
from config.api.pagination import cursor_encode
from config.errors import DomainError
from curation.models import Comment, FlagReason, ModerationAction, Tag, TargetKind, Vote
from curation.selectors import (
    FEED_ORDERINGS,
    TOP_PERIODS,
    comment_tree,
    comments_thread,
    filter_papers,
    moderation_log,
    moderation_queue,
    paper_detail,
    papers_for_digest_day,
    papers_list,
    tags_list,
)
from frontend.cards import CardReader, paper_cards
from frontend.comments import CommentReader, comment_views
from frontend.errors import PageNotFound
from frontend.fragments import fragment_render
from frontend.page_cache import anonymous_page_cache
from papers.models import DumpStatus, PaperStatus
from papers.selectors import dumps_list

PAGE_SIZE = 20
LOG_PAGE_SIZE = 50
STATUS_CHOICES = ["all", *PaperStatus.values]
ORDERS = list(FEED_ORDERINGS)
PERIODS = list(TOP_PERIODS)
# Nullable feed keys: papers never published have no digest day (moderators' status views).
NULLABLE_KEYS = {"hot_score", "first_digest_on"}
FEED_KEYS = {"hot": "hot_score", "new": "first_digest_on", "top": "vote_count"}

MSG_MODERATORS_ONLY = "Only moderators can see this page."
MSG_ADMINS_ONLY = "Only admins can upload dumps."


def _api_url(name: str, params: list[tuple[str, str]], **kwargs) -> str:
    return f"{reverse(name, kwargs=kwargs or None)}?{urlencode(params)}"


def _parse_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _feed_context(
    request: HttpRequest, *, tags: list[str], q: str = "", search_page: bool = False
) -> dict:
    """The papers of one list page (feed, digest day, tag, search) and the API URL of the
    page after it."""
    viewer = request.user
    moderator = is_moderator(viewer)
    order = request.GET.get("order", "hot")
    order = order if order in ORDERS else "hot"
    period = request.GET.get("period", "week" if order == "top" else "all")
    period = period if period in PERIODS else "all"
    status = request.GET.get("status") or None
    if status not in STATUS_CHOICES or not moderator:
        status = None
    day_view = request.GET.get("view") == "day" or bool(request.GET.get("date"))
    date = _parse_date(request.GET.get("date"))
    tag_params = [("tag", slug) for slug in tags]
    reader = CardReader(
        member=is_member(viewer),
        moderator=moderator,
        login_next_url=f"{reverse('login')}?next={quote(request.get_full_path(), safe='/')}",
        home_url=reverse("home"),
    )
    context = {
        "home_url": reader.home_url,
        "order": order,
        "period": period,
        "status": status,
        "status_choices": STATUS_CHOICES,
        "orders": ORDERS,
        "periods": PERIODS,
        "q": q,
        "selected_tags": tags,
        "day": None,
        "moderator": moderator,
    }

    if q or search_page:
        rows = []
        next_url = None
        if q:
            papers = papers_list(viewer=viewer, tags=tags, search=q, prefetch_tags=False)
            rows = list(papers[: PAGE_SIZE + 1])
            if len(rows) > PAGE_SIZE:
                rows = rows[:PAGE_SIZE]
                next_url = _api_url(
                    "api-paper-list",
                    [("q", q), *tag_params, ("page", "2"), ("page_size", str(PAGE_SIZE))],
                )
        context.update(
            papers=rows, cards=paper_cards(rows, reader=reader), next_url=next_url, view="search"
        )
        return context

    if day_view:
        day = papers_for_digest_day(date, viewer=viewer, prefetch_tags=False)
        papers = filter_papers(day.papers, tags=tags)
        rows = list(papers[: PAGE_SIZE + 1])
        next_url = None
        if len(rows) > PAGE_SIZE and day.date:
            rows = rows[:PAGE_SIZE]
            last = rows[-1]
            cursor = cursor_encode(f"day-{day.date.isoformat()}", last.position, last.pk)
            next_url = _api_url(
                "api-paper-list",
                [
                    ("date", day.date.isoformat()),
                    *tag_params,
                    ("page_size", str(PAGE_SIZE)),
                    ("cursor", cursor),
                ],
            )
        context.update(
            papers=rows,
            cards=paper_cards(rows, reader=reader),
            next_url=next_url,
            view="day",
            day=day,
        )
        return context

    try:
        papers = papers_list(
            viewer=viewer, order=order, period=period, tags=tags, status=status, prefetch_tags=False
        )
    except DomainError as exc:
        raise PageNotFound(exc.message) from exc
    field_name = FEED_KEYS[order]
    if status not in (None, PaperStatus.PUBLISHED) and field_name in NULLABLE_KEYS:
        # As the API does for status views: papers without a key come last.
        papers = papers.order_by(F(field_name).desc(nulls_last=True), "-id")
    rows = list(papers[: PAGE_SIZE + 1])
    next_url = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        params = [("order", order), ("period", period), *tag_params]
        if status:
            params.append(("status", status))
        cursor = cursor_encode(order, getattr(last, field_name), last.pk)
        params += [("page_size", str(PAGE_SIZE)), ("cursor", cursor)]
        next_url = _api_url("api-paper-list", params)
    context.update(
        papers=rows, cards=paper_cards(rows, reader=reader), next_url=next_url, view="feed"
    )
    return context


@anonymous_page_cache
def feed(request: HttpRequest) -> HttpResponse:
    """The home page: hot, new or top papers, or one digest day, optionally by tags."""
    tags = [slug for slug in request.GET.getlist("tag") if slug][:20]
    q = request.GET.get("q", "").strip()[:200]
    if q:
        return redirect(f"{reverse('search')}?{urlencode({'q': q})}")
    context = _feed_context(request, tags=tags)
    # The tag chips: this page's view with one tag chosen (the same for every reader).
    if context["view"] == "day":
        day = context["day"]
        where = f"date={day.date.isoformat()}" if day and day.date else "view=day"
        all_where = "view=day"
    else:
        where = f"order={context['order']}&period={context['period']}"
        all_where = f"order={context['order']}"
    home = context["home_url"]
    context["tag_chips"] = fragment_render(
        "frontend/_tag_chips.html",
        {
            "chip_href": f"{home}?{where}&tag=",
            "all_href": f"{home}?{all_where}",
            "selected": tags,
            "tags": list(tags_list().values("slug", "name", "paper_count")),
        },
    )
    return render(request, "frontend/feed.html", context)


@anonymous_page_cache
def tag_page(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    context = _feed_context(request, tags=[tag.slug])
    context["tag"] = tag
    return render(request, "frontend/tag.html", context)


@anonymous_page_cache
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    tags = [slug for slug in request.GET.getlist("tag") if slug][:20]
    context = _feed_context(request, tags=tags, q=q, search_page=True)
    return render(request, "frontend/search.html", context)


@anonymous_page_cache
def paper_page(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.user
    paper = paper_detail(pk=pk, viewer=viewer)
    if paper is None:
        raise PageNotFound("There is no such paper.")
    moderator = is_moderator(viewer)
    published = paper.status == PaperStatus.PUBLISHED
    thread = comment_views(
        comment_tree(comments_thread(paper=paper)),
        reader=CommentReader(
            user_id=viewer.pk if is_member(viewer) else None,
            moderator=moderator,
            paper_published=published,
        ),
    )
    paper_tags = list(paper.paper_tags.all())
    for paper_tag in paper_tags:
        paper_tag.removable = moderator or (
            is_member(viewer) and paper_tag.added_by_id == viewer.pk
        )
    present = {pt.tag_id for pt in paper_tags}
    context = {
        "paper": paper,
        "paper_tags": paper_tags,
        "addable_tags": [
            t for t in tags_list().values("pk", "slug", "name") if t["pk"] not in present
        ],
        "thread": thread,
        "moderator": moderator,
        "member": is_member(viewer),
        "published": published,
        "state_choices": PaperStatus.choices,
        "flag_reasons": FlagReason.choices,
    }
    return render(request, "frontend/paper.html", context)


def signup(request: HttpRequest) -> HttpResponse:
    if is_member(request.user):
        return redirect("home")
    return render(request, "registration/signup.html", {"next": request.GET.get("next", "/")})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    user = request.user
    votes = (
        Vote.objects.filter(user=user).select_related("paper").order_by("-created_at", "-id")[:100]
    )
    comments = (
        Comment.objects.filter(author=user, deleted_at=None)
        .select_related("paper")
        .order_by("-created_at", "-id")[:100]
    )
    context = {
        "votes": votes,
        "comments": comments,
        "token": api_token_get(user=user),
        "moderator": is_moderator(user),
        "admin": is_admin(user),
    }
    return render(request, "frontend/me.html", context)


@login_required
def moderation_queue_page(request: HttpRequest) -> HttpResponse:
    if not is_moderator(request.user):
        raise PermissionDenied(MSG_MODERATORS_ONLY)
    queue = moderation_queue()
    context = {
        "pending": list(queue.papers[:100]),
        "pending_count": queue.papers.count(),
        "flagged": list(queue.comments[:100]),
        "flagged_count": queue.comments.count(),
    }
    return render(request, "frontend/moderation_queue.html", context)


def moderation_log_page(request: HttpRequest) -> HttpResponse:
    moderator = request.GET.get("moderator", "").strip()[:150]
    action = request.GET.get("action", "")
    action = action if action in ModerationAction.values else ""
    target_kind = request.GET.get("target_kind", "")
    target_kind = target_kind if target_kind in TargetKind.values else ""
    events = moderation_log(
        moderator_username=moderator or None,
        action=action or None,
        target_kind=target_kind or None,
    )
    rows = list(events[: LOG_PAGE_SIZE + 1])
    next_url = None
    if len(rows) > LOG_PAGE_SIZE:
        rows = rows[:LOG_PAGE_SIZE]
        last = rows[-1]
        params = [
            (name, value)
            for name, value in (
                ("moderator", moderator),
                ("action", action),
                ("target_kind", target_kind),
            )
            if value
        ]
        params += [
            ("page_size", str(LOG_PAGE_SIZE)),
            ("cursor", cursor_encode("log", last.created_at, last.pk)),
        ]
        next_url = _api_url("api-mod-log", params)
    context = {
        "events": rows,
        "next_url": next_url,
        "filter_moderator": moderator,
        "filter_action": action,
        "filter_kind": target_kind,
        "actions": ModerationAction.choices,
        "kinds": TargetKind.choices,
    }
    return render(request, "frontend/moderation_log.html", context)


@login_required
def uploads(request: HttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied(MSG_ADMINS_ONLY)
    context = {
        "dumps": list(dumps_list().order_by("-uploaded_at", "-id")[:50]),
        "DumpStatus": DumpStatus,
        "today": datetime.date.today(),
    }
    return render(request, "frontend/uploads.html", context)
