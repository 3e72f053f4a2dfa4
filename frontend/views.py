"""The web pages: server-rendered from the curation selectors, paged by curation.paging as
the API is, with ES modules (frontend/static/frontend/js/) that call the REST API for their
writes. The pages made of forms (the tag vocabulary, submitting a paper) post plain forms to
the services instead: frontend/form_pages.py.

No rule of the domain lives here: who may vote, tag, comment or moderate is decided by the
services behind the API, and these views only choose what to show. A list page's "Load more"
is a link to the page after it (the same address with the cursor); the script asks for that
page's items alone (`partial=items`) and appends them, so the items are rendered by the same
templates either way.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.backends import ROLES_BACKEND
from accounts.roles import Viewer, is_admin, is_member, is_moderator, require_member
from accounts.services import api_token_get, user_signup
from config.cursors import CURSOR_PARAM, parse_id
from config.errors import DomainError
from config.spliced import hole
from curation import citations, paging
from curation.models import FlagReason, ModerationAction, Tag, TargetKind
from curation.selectors import (
    FEED_ORDERINGS,
    QUEUE_SOURCES,
    SEARCH_COUNT_CAP,
    SEARCH_RANKED_MATCHES,
    TOP_PERIODS,
    attach_tag_briefs,
    filter_papers,
    member_activity,
    moderation_log,
    moderation_queue,
    paper_citable,
    paper_detail,
    papers_for_digest_day,
    papers_list,
    papers_search_count,
    queue_papers_details,
    tag_by_slug,
    tags_list,
    top_period_with_papers,
    viewer_state_attach,
)
from curation.services import allowed_targets, member_settings_get
from frontend.cards import CardReader, authors_short, paper_cards, paper_url, pressed_values
from frontend.comments import paper_thread
from frontend.errors import PageBadRequest, PageNotFound
from frontend.follows import page_inbox
from frontend.fragments import fragment_render
from frontend.member_pages import (
    member_page_share,
    page_extra,
    page_not_shared,
    page_papers,
    rendering_for_members,
    shared_overrides,
)
from frontend.page_cache import (
    anonymous_page_cache,
    shared_value,
    shared_version,
)
from frontend.queue_items import queue_comment_items, queue_paper_items
from frontend.session_pages import member_settings_context, paper_sessions_context
from frontend.templatetags.paperboard import tag_remove_button
from notifications.models import FollowKind
from notifications.selectors import FollowTarget
from notifications.services import search_query_key
from papers.listing_version import SHARED_SECONDS
from papers.models import DumpStatus, Paper, PaperStatus
from papers.selectors import dump_choices, dumps_list
from recommendations.selectors import (
    FOR_YOU,
    FOR_YOU_BECAUSE,
    for_you_feed_page,
    related_papers,
    tag_suggestions_for,
)

PAGE_SIZE = 20
LOG_PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 25
STATUS_CHOICES = ["all", *PaperStatus.values]
ORDERS = list(FEED_ORDERINGS)
# The order tabs: every reader's, and the home feed's "For you" for members.
ORDER_LABELS = {"hot": "Hot", "new": "New", "top": "Top", FOR_YOU: "For you"}
PERIODS = list(TOP_PERIODS)
# How the top feed's periods read in a sentence ("No paper here from the last 7 days").
PERIOD_PHRASES = {
    "day": "today",
    "week": "the last 7 days",
    "month": "the last 30 days",
    "year": "the last 365 days",
    "all": "all time",
}
PARTIAL_PARAM = "partial"
PAGE_PARAM = "page"

MSG_MODERATORS_ONLY = "Only moderators can see this page."
MSG_PAPER_NOT_FOUND = "There is no such paper."
MSG_TAG_NOT_FOUND = "There is no such tag."
MSG_ADMINS_ONLY = "Only admins can upload dumps."


def _parse_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _page_url(request: HttpRequest, **params: str) -> str:
    """This page's address with `params` set (and no `partial`): the page after this one."""
    query = request.GET.copy()
    query.pop(PARTIAL_PARAM, None)
    for name, value in params.items():
        query[name] = value
    return f"{request.path}?{query.urlencode()}"


def _list_response(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The whole page, or only its items and "Load more" when the page's script asks."""
    if rendering_for_members(request):
        context.update(shared_overrides())
    if request.GET.get(PARTIAL_PARAM) == "items":
        return render(request, "frontend/_paper_items.html", context)
    return render(request, template, context)


def _feed_context(
    request: HttpRequest,
    *,
    tags: list[str],
    q: str = "",
    search_page: bool = False,
    for_you: bool = False,
) -> dict:
    """The papers of one list page (feed, digest day, tag, search) and the address of the
    page after it. for_you: the page offers a member their "for you" feed (the home feed)."""
    viewer = request.user
    moderator = is_moderator(viewer)
    orders = ORDERS + [FOR_YOU] if for_you and is_member(viewer) else ORDERS
    order = request.GET.get("order", "hot")
    order = order if order in orders else "hot"
    period = request.GET.get("period", "week" if order == "top" else "all")
    period = period if period in PERIODS else "all"
    status = request.GET.get("status") or None
    if status not in STATUS_CHOICES or not moderator:
        status = None
    day_view = request.GET.get("view") == "day" or bool(request.GET.get("date"))
    date = _parse_date(request.GET.get("date"))
    cursor = request.GET.get(CURSOR_PARAM) or None
    has_code = request.GET.get(HAS_CODE_PARAM) in HAS_CODE_ON
    reader = CardReader(
        member=is_member(viewer),
        moderator=moderator,
        login_next_url=f"{reverse('login')}?next={quote(request.get_full_path(), safe='/')}",
        home_url=reverse("home"),
    )
    context: dict[str, Any] = {
        "home_url": reader.home_url,
        "order": order,
        "period": period,
        "status": status,
        "status_choices": STATUS_CHOICES,
        "orders": [(o, ORDER_LABELS[o]) for o in orders],
        "periods": PERIODS,
        "q": q,
        "selected_tags": tags,
        "day": None,
        "moderator": moderator,
        "has_code": has_code,
        "has_code_url": _has_code_url(request, on=not has_code),
    }

    def read(reader_user) -> dict[str, Any]:
        """The page's rows as `reader_user` gets them, and what goes with them."""
        return _list_rows(
            request,
            viewer=reader_user,
            tags=tags,
            q=q,
            search_page=search_page,
            order=order,
            period=period,
            status=status,
            day_view=day_view,
            date=date,
            cursor=cursor,
            has_code=has_code,
        )

    if is_member(viewer) and status is None and order != FOR_YOU:
        # The rows every reader gets, shared (page_cache.shared_value), with this reader's
        # own vote and marks read apart in one query. (The "for you" feed is theirs alone.)
        listing = shared_value(
            request,
            "list-rows",
            [request.path, sorted(request.GET.lists())],
            lambda: read(AnonymousUser()),
        )
        if rendering_for_members(request):
            # For every member: their vote and marks are holes (frontend.member_pages).
            page_papers(request, [paper.pk for paper in listing["papers"]])
        else:
            state = viewer_state_attach(listing["papers"], viewer)
            if state.hides_marked and state.marked_shown:
                listing = read(viewer)  # without what they hide, the page filled with others
    else:
        listing = read(viewer)
    because = listing.pop("because", None)
    context.update(listing)
    context["cards"] = paper_cards(
        context["papers"],
        reader=reader,
        because=because,
        holes=rendering_for_members(request),
    )
    return context


@dataclasses.dataclass(frozen=True)
class _DayHeading:
    """What a digest day's page says of the day (curation.selectors.DigestDay without its
    papers' QuerySet, which a shared cache would keep whole)."""

    date: datetime.date | None
    previous: datetime.date | None
    next: datetime.date | None
    has_digest: bool


def _list_rows(
    request: HttpRequest,
    *,
    viewer: Viewer,
    tags: list[str],
    q: str,
    search_page: bool,
    order: str,
    period: str,
    status: str | None,
    day_view: bool,
    date: datetime.date | None,
    cursor: str | None,
    has_code: bool,
) -> dict[str, Any]:
    """The papers of one list page as `viewer` gets them (with their tag briefs), the address
    of the page after it, and what the page says about them (its view, its digest day, the
    search's count, the empty top feed's hint)."""
    listing: dict[str, Any] = {}
    if q or search_page:
        rows: list = []
        next_url = None
        if q:
            # Numbered pages, as the API's search: a rank is not a stable cursor key.
            try:
                number = max(1, int(request.GET.get(PAGE_PARAM, "1")))
            except ValueError:
                raise PageBadRequest("The page number is a whole number.") from None
            offset = (number - 1) * PAGE_SIZE
            papers = papers_list(
                viewer=viewer, tags=tags, search=q, has_code=has_code, prefetch_tags=False
            )
            end = min(offset + PAGE_SIZE, SEARCH_RANKED_MATCHES)
            rows = list(papers[offset : end + 1]) if offset < end else []
            if len(rows) > end - offset and end < SEARCH_RANKED_MATCHES:
                next_url = _page_url(request, **{PAGE_PARAM: str(number + 1)})
            rows = rows[: end - offset]
            if request.GET.get(PARTIAL_PARAM) != "items":
                # Known without a query when the first page holds every match.
                listing["result_count"] = (
                    len(rows) if offset == 0 and next_url is None else papers_search_count(papers)
                )
                listing["result_count_cap"] = SEARCH_COUNT_CAP
                listing["result_count_cap_text"] = f"{SEARCH_COUNT_CAP:,}"
        listing.update(papers=attach_tag_briefs(rows), next_url=next_url, view="search")
        return listing

    because: dict[int, list[dict]] = {}
    try:
        if day_view:
            day = papers_for_digest_day(date, viewer=viewer, prefetch_tags=False)
            # What the page says of the day (plain values); its papers are read as a page below.
            heading = _DayHeading(
                date=day.date, previous=day.previous, next=day.next, has_digest=day.has_digest
            )
            listing.update(view="day", day=heading)
            if day.date is None or not day.has_digest:
                page = paging.KeysetPage(rows=[], next_cursor=None)
            else:
                page = paging.day_page(
                    filter_papers(day.papers, tags=tags, has_code=has_code),
                    date=day.date,
                    page_size=PAGE_SIZE,
                    cursor=cursor,
                )
        elif order == FOR_YOU:
            feed = for_you_feed_page(
                viewer=viewer, page_size=PAGE_SIZE, cursor=cursor, tags=tags, has_code=has_code
            )
            listing.update(view="feed", for_you={"state": feed.state, "order": feed.order})
            page = feed.page
            because = {
                paper.pk: [
                    {"title": near["title"], "url": paper_url(near["id"])}
                    for near in getattr(paper, FOR_YOU_BECAUSE, [])
                ]
                for paper in page.rows
            }
        else:
            papers = papers_list(
                viewer=viewer,
                order=order,
                period=period,
                tags=tags,
                status=status,
                has_code=has_code,
                prefetch_tags=False,
            )
            listing.update(view="feed")
            page = paging.feed_page(
                papers,
                order=order,
                status_view=status not in (None, PaperStatus.PUBLISHED),
                page_size=PAGE_SIZE,
                cursor=cursor,
            )
            if order == "top" and not page.rows and cursor is None:
                listing["top_hint"] = _top_hint(
                    request, viewer=viewer, tags=tags, status=status, period=period
                )
    except paging.BadCursor as exc:
        raise PageBadRequest(exc.message) from exc
    except DomainError as exc:
        raise PageNotFound(exc.message) from exc
    next_url = _page_url(request, **{CURSOR_PARAM: page.next_cursor}) if page.next_cursor else None
    listing.update(papers=attach_tag_briefs(list(page.rows)), next_url=next_url, because=because)
    return listing


HAS_CODE_PARAM = "has_code"
HAS_CODE_ON = ("1", "true", "on")


def _has_code_url(request: HttpRequest, *, on: bool) -> str:
    """This list from its first page, with the "has code" filter on or off."""
    query = request.GET.copy()
    for name in (PARTIAL_PARAM, CURSOR_PARAM, PAGE_PARAM, HAS_CODE_PARAM):
        query.pop(name, None)
    if on:
        query[HAS_CODE_PARAM] = "1"
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def _top_hint(
    request: HttpRequest, *, viewer: Viewer, tags: list[str], status: str | None, period: str
):
    """What an empty top feed says: the shortest period that has papers, and its address."""
    suggested = top_period_with_papers(viewer=viewer, tags=tags, status=status)
    if suggested is None or suggested == period:
        return None
    return {
        "empty": PERIOD_PHRASES[period],
        "suggested": PERIOD_PHRASES[suggested],
        "url": _page_url(request, period=suggested),
    }


def _cite_links(context: dict, *, tags: list[str]) -> dict[str, str] | None:
    """The BibTeX and RIS files of every paper this list page shows (all its pages): the
    API's export with the page's filters. Published papers only, whoever reads: none for a
    moderator's view of other states."""
    if context["status"] not in (None, PaperStatus.PUBLISHED):
        return None
    view = context["view"]
    if view == "search":
        if not context["q"]:
            return None
        params = [("q", context["q"])]
    elif view == "day":
        day = context["day"]
        if day is None or day.date is None:
            return None
        params = [("digest", day.date.isoformat())]
    else:
        params = [("order", context["order"]), ("period", context["period"])]
    params += [("tag", slug) for slug in tags]
    if context["has_code"]:
        params.append((HAS_CODE_PARAM, "true"))
    export = reverse("api-paper-export")
    return {fmt: f"{export}?{urlencode([('format', fmt), *params])}" for fmt in ("bibtex", "ris")}


@anonymous_page_cache
@member_page_share
def feed(request: HttpRequest) -> HttpResponse:
    """The home page: hot, new or top papers, or one digest day, optionally by tags."""
    tags = [slug for slug in request.GET.getlist("tag") if slug][:20]
    q = request.GET.get("q", "").strip()[:200]
    if q:
        return redirect(f"{reverse('search')}?{urlencode({'q': q})}")
    if request.GET.get("order") == FOR_YOU and not is_member(request.user):
        # A member's own feed: log in first, and come back to it.
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
    context = _feed_context(request, tags=tags, for_you=True)
    if request.GET.get(PARTIAL_PARAM) == "items":
        return _list_response(request, "frontend/feed.html", context)
    if context["view"] == "day":
        context["cite_links"] = _cite_links(context, tags=tags)
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
            "tags": shared_value(
                request,
                "tag-list",
                None,
                lambda: list(tags_list().values("slug", "name", "paper_count")),
            ),
        },
    )
    return _list_response(request, "frontend/feed.html", context)


@anonymous_page_cache
@member_page_share
def tag_page(request: HttpRequest, slug: str) -> HttpResponse:
    tag = shared_value(request, "tag", slug, lambda: tag_by_slug(slug))
    if tag is None:
        raise PageNotFound(MSG_TAG_NOT_FOUND)
    if tag.slug != slug:  # an address from before a rename or a merge: the tag's own now
        query = request.META.get("QUERY_STRING", "")
        current = reverse("tag", kwargs={"slug": tag.slug})
        return redirect(f"{current}?{query}" if query else current, permanent=True)
    context = _feed_context(request, tags=[tag.slug])
    context["tag"] = tag
    context["cite_links"] = _cite_links(context, tags=[tag.slug])
    context.update(page_inbox(request, FollowTarget(kind=FollowKind.TAG, tag_id=tag.pk)))
    if is_moderator(request.user) and request.GET.get(PARTIAL_PARAM) != "items":
        context["suggestions"] = tag_suggestion_block(tag=tag, viewer=request.user)
    return _list_response(request, "frontend/tag.html", context)


def tag_suggestion_block(*, tag: Tag, viewer: Viewer) -> dict:
    """The tag page's block of suggestions (moderators), each line with its authors as a
    card shows them."""
    block = tag_suggestions_for(tag=tag, viewer=viewer)
    return {
        "state": block.state,
        "message": block.message,
        "trained_at": block.trained_at,
        "positives": block.positives,
        "items": [
            {
                "id": item.id,
                "title": item.title,
                "authors_short": authors_short(item.authors, item.author_count),
                "first_digest_on": item.first_digest_on,
            }
            for item in block.items
        ],
    }


@anonymous_page_cache
@member_page_share
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    tags = [slug for slug in request.GET.getlist("tag") if slug][:20]
    context = _feed_context(request, tags=tags, q=q, search_page=True)
    context["cite_links"] = _cite_links(context, tags=tags)
    if q:
        target = FollowTarget(kind=FollowKind.SEARCH, query_key=search_query_key(q))
        context.update(page_inbox(request, target))
    return _list_response(request, "frontend/search.html", context)


@dataclasses.dataclass(frozen=True)
class _PaperParts:
    """What paper_detail read, as plain lists: kept in a shared cache, model instances and
    lists unpickle in microseconds, a prefetched QuerySet (its whole query) in milliseconds."""

    paper: Paper
    paper_tags: list
    digest_entries: list


def _paper_parts(paper: Paper | None) -> _PaperParts | None:
    if paper is None:
        return None
    parts = _PaperParts(
        paper=paper,
        paper_tags=list(paper.paper_tags.all()),
        digest_entries=list(paper.digest_entries.all()),
    )
    paper._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    return parts


@anonymous_page_cache
@member_page_share(sessions=True)
def paper_page(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.user
    parts = None
    if is_member(viewer):
        # A published paper, its tags and digest days, as every reader gets them (shared,
        # page_cache.shared_value), with this reader's vote and marks read apart; any other
        # (a moderator's or its submitter's view of a paper not published) read for them.
        parts = shared_value(request, "paper", pk, lambda: _paper_parts(paper_detail(pk=pk)))
        if rendering_for_members(request) and (
            parts is None or parts.paper.submitted_by_id == viewer.pk
        ):
            page_not_shared(request)  # their own view of it: its state, a paper not public
        if parts is not None and not rendering_for_members(request):
            viewer_state_attach([parts.paper], viewer)
    if parts is None:
        parts = _paper_parts(paper_detail(pk=pk, viewer=viewer))
    if parts is None:
        raise PageNotFound(MSG_PAPER_NOT_FOUND)
    paper, paper_tags = parts.paper, parts.paper_tags
    moderator = is_moderator(viewer)
    published = paper.status == PaperStatus.PUBLISHED
    if rendering_for_members(request):
        # For every member (frontend.member_pages): what is the reader's own is a hole.
        page_papers(request, [paper.pk])
        page_extra(
            request,
            paper_status=paper.status,
            submitters=[paper.submitted_by_id] if paper.submitted_by_id else [],
            tags=[(pt.added_by_id, pt.tag.slug, pt.tag.name) for pt in paper_tags],
        )
        pressed = pressed_values(paper, 0)
        tag_rows = [(pt, hole("tag_remove", index)) for index, pt in enumerate(paper_tags)]
        thread: str = hole("thread", 0)
    else:
        pressed = pressed_values(paper)
        tag_rows = [
            (
                pt,
                tag_remove_button(pt.tag.slug, pt.tag.name)
                if moderator or (is_member(viewer) and pt.added_by_id == viewer.pk)
                else "",
            )
            for pt in paper_tags
        ]
        thread = paper_thread(paper, viewer, moderator=moderator)
    present = {pt.tag_id for pt in paper_tags}
    context = {
        "paper": paper,
        "tag_rows": tag_rows,
        "pressed": pressed,
        "digest_entries": parts.digest_entries,
        # The page's parts that show only the paper's own data are rendered once per
        # version of the lists (a write that changes the paper moves it on).
        "shared_version": shared_version(request),
        "shared_seconds": SHARED_SECONDS,
        "addable_tags": [
            t
            for t in shared_value(
                request,
                "tag-vocabulary",
                None,
                lambda: list(tags_list().values("pk", "slug", "name")),
            )
            if t["pk"] not in present
        ],
        "thread": thread,
        "moderator": moderator,
        "member": is_member(viewer),
        "published": published,
        # Only the moves the workflow allows from this state, the first one chosen.
        "transition_choices": [
            (state, PaperStatus(state).label) for state in allowed_targets(paper.status)
        ],
        "flag_reasons": FlagReason.choices,
        "show_thumbnails": settings.SHOW_SOURCE_THUMBNAILS,
        "thumbnail_url": _thumbnail_url(paper),
        **paper_sessions_context(paper=paper, viewer=viewer),
        # One query: the related table's rows for this paper, with their papers.
        "related": shared_value(
            request,
            "related",
            paper.pk,
            lambda: [
                {"paper": item, "authors": authors_short(item.authors, item.author_count)}
                for item in related_papers(paper_id=paper.pk)
            ],
        ),
        **page_inbox(request, FollowTarget(kind=FollowKind.PAPER, paper_id=paper.pk)),
    }
    if rendering_for_members(request):
        context.update(shared_overrides())
    return render(request, "frontend/paper.html", context)


def _thumbnail_url(paper: Paper) -> str:
    """The source's thumbnail of the paper when the setting shows them and the page's policy
    lets it load (https only, frontend.middleware.THUMBNAILS_OVERRIDES), else ""."""
    url = paper.thumbnail_url or ""
    return url if settings.SHOW_SOURCE_THUMBNAILS and url.startswith("https://") else ""


def paper_citation(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A paper's citation as a file (cite.bib, cite.ris), for whoever may open the paper."""
    paper = paper_citable(pk=pk, viewer=request.user)
    if paper is None:
        raise PageNotFound(MSG_PAPER_NOT_FOUND)
    response = HttpResponse(
        citations.citation(paper, fmt=fmt), content_type=citations.CONTENT_TYPES[fmt]
    )
    name = f"{citations.file_stem(paper)}.{citations.EXTENSIONS[fmt]}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """Where to go after signing up: `value` when it is an address of this site (as Django's
    log-in checks its `next`), else the feed."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("home")


def signup(request: HttpRequest) -> HttpResponse:
    """The sign-up page. Its script signs up through the API; without a script the form posts
    here, to the same service."""
    if is_member(request.user):
        return redirect("home")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    context: dict = {"next": next_url, "errors": {}, "values": {}}
    if request.method == "POST":
        context["values"] = {name: request.POST.get(name, "") for name in ("username", "email")}
        try:
            user = user_signup(
                username=request.POST.get("username", ""),
                email=request.POST.get("email", ""),
                password=request.POST.get("password", ""),
            )
        except DomainError as error:
            context["errors"] = error.extra.get("fields") or {}
            context["form_error"] = "" if context["errors"] else error.message
            return render(request, "registration/signup.html", context, status=400)
        login(request, user, backend=ROLES_BACKEND)
        return redirect(next_url)
    return render(request, "registration/signup.html", context)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    user = require_member(request.user)
    activity = member_activity(user=user)
    context = {
        "votes": activity.votes,
        "comments": activity.comments,
        "submissions": activity.submissions,
        "hide_marked": member_settings_get(user=user).hide_marked,
        "token": api_token_get(user=user),
        "moderator": is_moderator(user),
        "admin": is_admin(user),
        **member_settings_context(user=user),
    }
    return render(request, "frontend/me.html", context)


@login_required
def moderation_queue_page(request: HttpRequest) -> HttpResponse:
    if not is_moderator(request.user):
        raise PermissionDenied(MSG_MODERATORS_ONLY)
    source = request.GET.get("source") or None
    source = source if source in QUEUE_SOURCES else None
    dump = request.GET.get("dump", "")
    dump_id = parse_id(dump)
    date = _parse_date(request.GET.get("date"))
    cursor = request.GET.get(CURSOR_PARAM) or None
    partial = request.GET.get(PARTIAL_PARAM) == "items"

    def read() -> dict[str, Any]:
        """The queue as every moderator sees it (shared: page_cache.shared_value; a flag, a
        move or a new paper moves the listing version on)."""
        queue = moderation_queue(source=source, dump_id=dump_id, date=date)
        try:
            page = paging.queue_page(queue.papers, page_size=QUEUE_PAGE_SIZE, cursor=cursor)
        except paging.BadCursor as exc:
            raise PageBadRequest(exc.message) from exc
        shown: dict[str, Any] = {
            "pending": queue_papers_details(list(page.rows)),
            "next_cursor": page.next_cursor,
        }
        if not partial:
            shown.update(
                pending_count=queue.papers.count(),
                flagged=list(queue.comments[:QUEUE_PAGE_SIZE]),
                flagged_count=queue.comments.count(),
                dump_choices=list(dump_choices()),
            )
        return shown

    shown = shared_value(request, "queue", [source, dump_id, date, cursor, partial], read)
    pending = shown["pending"]
    context: dict[str, Any] = {
        "pending": pending,
        "pending_items": queue_paper_items(pending),
        "next_url": _page_url(request, **{CURSOR_PARAM: shown["next_cursor"]})
        if shown["next_cursor"]
        else None,
    }
    if partial:
        return render(request, "frontend/_queue_items.html", context)
    context.update(
        pending_count=shown["pending_count"],
        flagged=shown["flagged"],
        flagged_items=queue_comment_items(shown["flagged"]),
        flagged_count=shown["flagged_count"],
        source=source,
        dump_id=dump_id,
        date=date,
        filtered=bool(source or dump_id or date),
        dump_choices=shown["dump_choices"],
    )
    return render(request, "frontend/moderation_queue.html", context)


def moderation_log_page(request: HttpRequest) -> HttpResponse:
    moderator = request.GET.get("moderator", "").strip()[:150]
    action = request.GET.get("action", "")
    action = action if action in ModerationAction.values else ""
    target_kind = request.GET.get("target_kind", "")
    target_kind = target_kind if target_kind in TargetKind.values else ""
    events = moderation_log(
        viewer=request.user,
        moderator_username=moderator or None,
        action=action or None,
        target_kind=target_kind or None,
    )
    try:
        page = paging.log_page(
            events, page_size=LOG_PAGE_SIZE, cursor=request.GET.get(CURSOR_PARAM) or None
        )
    except paging.BadCursor as exc:
        raise PageBadRequest(exc.message) from exc
    context = {
        "events": page.rows,
        "next_url": _page_url(request, **{CURSOR_PARAM: page.next_cursor})
        if page.next_cursor
        else None,
        "filter_moderator": moderator,
        "filter_action": action,
        "filter_kind": target_kind,
        "actions": ModerationAction.choices,
        "kinds": TargetKind.choices,
    }
    if request.GET.get(PARTIAL_PARAM) == "items":
        return render(request, "frontend/_log_items.html", context)
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
    if request.GET.get(PARTIAL_PARAM) == "dumps":  # the list again, once a dump has ended
        return render(request, "frontend/_dumps_table.html", context)
    return render(request, "frontend/uploads.html", context)
