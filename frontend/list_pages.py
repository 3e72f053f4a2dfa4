"""The lists' web pages: "My lists" (/lists/: the lists I may open, newest first, and a form
that makes one) and a list's page (/lists/<id>/: its papers in order, with their notes).

Lists are members' business: anonymous readers are sent to log in, and someone else's
personal list is a 404 page, as if it did not exist. The forms of the lists themselves
(create, rename and change who sees it, delete, name and remove editors) post to these pages
with the CSRF token and go through lists.services, as the form pages do (frontend/form_pages):
a refusal is the service's sentence on its form, with what was typed kept. The papers of a
list are added, noted, moved and removed by its script (list.js, addtolist.js) through the
API, so they change in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.roles import is_member, is_moderator
from config.cursors import CURSOR_PARAM
from config.errors import DomainError
from frontend.cards import CardReader, paper_cards
from frontend.errors import PageBadRequest, PageNotFound
from frontend.follows import page_inbox
from lists.models import ListVisibility, PaperList
from lists.selectors import (
    SCOPES,
    list_detail,
    list_items,
    list_items_page,
    lists_for_member,
    lists_page,
)
from lists.services import (
    LIST_NAME_MAX_CHARS,
    MSG_NO_SUCH_LIST,
    NOTE_MAX_CHARS,
    list_create,
    list_delete,
    list_editor_add,
    list_editor_remove,
    list_update,
)
from notifications.models import FollowKind
from notifications.selectors import FollowTarget

LISTS_PAGE_SIZE = 50
ITEMS_PAGE_SIZE = 50
PARTIAL_PARAM = "partial"
SCOPE_LABELS = {
    "all": "All",
    "mine": "Mine",
    "team": "Team lists",
    "editable": "I can change",
}

MSG_UNKNOWN_ACTION = "This form asks for something the page does not do."
MSG_CONFIRM_DELETE = "Tick the box to confirm: the list and its notes are deleted."
MSG_CREATED = "Made the list “{name}”."
MSG_SAVED = "Saved the list “{name}”."
MSG_DELETED = "Deleted the list “{name}”."
MSG_EDITOR_ADDED = "{username} may now change this list."
MSG_EDITOR_REMOVED = "{username} may no longer change this list."
MSG_LEFT = "You may no longer change “{name}”."


def _page_url(request: HttpRequest, **params: str) -> str:
    query = request.GET.copy()
    query.pop(PARTIAL_PARAM, None)
    for name, value in params.items():
        query[name] = value
    return f"{request.path}?{query.urlencode()}"


def _cursor(request: HttpRequest) -> str | None:
    return request.GET.get(CURSOR_PARAM) or None


@login_required
def my_lists(request: HttpRequest) -> HttpResponse:
    """The lists I may open (tabs: all, mine, the team's, those I can change), each with its
    count of papers I may open, and the form that makes a list."""
    scope = request.GET.get("scope", "all")
    scope = scope if scope in SCOPES else "all"
    context: dict = {"form_error": "", "errors": {}, "values": {"visibility": "personal"}}
    if request.method == "POST":
        values = {
            "name": request.POST.get("name", ""),
            "visibility": request.POST.get("visibility", ""),
        }
        try:
            created = list_create(owner=request.user, **values)
        except DomainError as error:
            context.update(
                values=values,
                errors=error.extra.get("fields") or {},
                form_error="" if error.extra.get("fields") else error.message,
            )
        else:
            messages.success(request, MSG_CREATED.format(name=created.name))
            return redirect("list", pk=created.pk)
    try:
        page = lists_page(
            lists_for_member(viewer=request.user, scope=scope),
            page_size=LISTS_PAGE_SIZE,
            cursor=_cursor(request),
        )
    except DomainError as exc:
        raise PageBadRequest(exc.message) from exc
    context.update(
        lists=page.rows,
        next_url=_page_url(request, **{CURSOR_PARAM: page.next_cursor})
        if page.next_cursor
        else None,
        scope=scope,
        scopes=[(value, SCOPE_LABELS[value]) for value in SCOPES],
        visibilities=ListVisibility.choices,
        name_max=LIST_NAME_MAX_CHARS,
    )
    if request.GET.get(PARTIAL_PARAM) == "items":
        return render(request, "frontend/_list_rows.html", context)
    return render(request, "frontend/lists.html", context)


@dataclass
class Refusal:
    form: str  # "settings", "delete", "editors"
    message: str


def _list_settings(request: HttpRequest, paper_list: PaperList) -> str:
    saved = list_update(
        paper_list=paper_list,
        user=request.user,
        name=request.POST.get("name", ""),
        visibility=request.POST.get("visibility", ""),
    )
    return MSG_SAVED.format(name=saved.name)


def _list_editor_add(request: HttpRequest, paper_list: PaperList) -> str:
    editor, _ = list_editor_add(
        paper_list=paper_list, user=request.user, username=request.POST.get("username", "")
    )
    return MSG_EDITOR_ADDED.format(username=editor.user.get_username())


def _list_editor_remove(request: HttpRequest, paper_list: PaperList) -> str:
    username = request.POST.get("username", "")
    list_editor_remove(paper_list=paper_list, user=request.user, username=username)
    if username.casefold() == request.user.get_username().casefold():
        return MSG_LEFT.format(name=paper_list.name)
    return MSG_EDITOR_REMOVED.format(username=username)


LIST_ACTIONS = {
    "settings": ("settings", _list_settings),
    "editor-add": ("editors", _list_editor_add),
    "editor-remove": ("editors", _list_editor_remove),
}


def _card_reader(request: HttpRequest) -> CardReader:
    return CardReader(
        member=is_member(request.user),
        moderator=is_moderator(request.user),
        login_next_url=f"{reverse('login')}?next={quote(request.get_full_path(), safe='/')}",
        home_url=reverse("home"),
    )


@login_required
def list_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A list's papers in its order, each as its card with its note and who added it; for
    its owner, the forms that rename it, change who sees it, name its editors and delete
    it."""
    paper_list = list_detail(pk=pk, viewer=request.user)
    if paper_list is None:
        raise PageNotFound(MSG_NO_SUCH_LIST)
    refusal: Refusal | None = None
    posted: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "delete":
                if request.POST.get("confirm") != "yes":
                    raise DomainError(MSG_CONFIRM_DELETE)
                list_delete(paper_list=paper_list, user=request.user)
                messages.success(request, MSG_DELETED.format(name=paper_list.name))
                return redirect("lists")
            if action not in LIST_ACTIONS:
                raise PageBadRequest(MSG_UNKNOWN_ACTION)
            done = LIST_ACTIONS[action][1](request, paper_list)
        except DomainError as error:
            form = "delete" if action == "delete" else LIST_ACTIONS[action][0]
            refusal = Refusal(form=form, message=error.message)
            posted = {
                name: request.POST.get(name, "") for name in ("name", "visibility", "username")
            }
            # What the page shows reads the list again (a refused change changed nothing,
            # but the list may have been changed or deleted meanwhile).
            paper_list = list_detail(pk=pk, viewer=request.user)
            if paper_list is None:
                raise PageNotFound(MSG_NO_SUCH_LIST) from error
        else:
            messages.success(request, done)
            return redirect("list", pk=pk)

    try:
        page = list_items_page(
            list_items(paper_list=paper_list, viewer=request.user),
            list_id=paper_list.pk,
            page_size=ITEMS_PAGE_SIZE,
            cursor=_cursor(request),
        )
    except DomainError as exc:
        raise PageBadRequest(exc.message) from exc
    cards = paper_cards([item.paper for item in page.rows], reader=_card_reader(request))
    context = {
        "paper_list": paper_list,
        "rows": list(zip(page.rows, cards, strict=True)),
        # Annotated by the selector (lists.selectors.with_viewer_rights).
        "can_edit": bool(getattr(paper_list, "viewer_can_edit", False)),
        "is_owner": paper_list.owner_id == request.user.pk,
        "is_editor": any(e.user_id == request.user.pk for e in paper_list.editors.all()),
        "next_url": _page_url(request, **{CURSOR_PARAM: page.next_cursor})
        if page.next_cursor
        else None,
        "refusal": refusal,
        "posted": posted,
        "visibilities": ListVisibility.choices,
        "name_max": LIST_NAME_MAX_CHARS,
        "note_max": NOTE_MAX_CHARS,
        **page_inbox(request, FollowTarget(kind=FollowKind.LIST, paper_list_id=paper_list.pk)),
    }
    if request.GET.get(PARTIAL_PARAM) == "items":
        return render(request, "frontend/_list_items.html", context)
    return render(request, "frontend/list.html", context)
