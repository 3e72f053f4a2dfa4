"""The pages whose writes are plain HTML forms: the tag vocabulary (moderators), "Submit a
paper" (members) and My page's reading settings.

Each form posts to its own page, with the CSRF token, and the view hands what was typed to a
service: the pages need no script, and the rules stay in the services (who may, clashes,
merging a tag into itself, duplicates). A refusal (DomainError) shows the service's sentence
on the form it came from, with what was typed kept; nothing was written, as each service runs
in one transaction. A success redirects (post/redirect/get) with a message.

A refusal answers 200, as Django's own form views do: the page is whole and its form waits for
a correction (a browser reports a page answered 4xx as an error in its console).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.roles import is_moderator
from config.cursors import parse_id
from config.errors import DomainError
from curation.models import Tag
from curation.selectors import paper_detail, tags_list
from curation.services import (
    member_settings_update,
    paper_submit,
    tag_create,
    tag_delete,
    tag_merge,
    tag_rename,
)
from curation.services.submissions import ABSTRACT_MAX_CHARS, TITLE_MAX_CHARS
from curation.services.tags import TAG_DESCRIPTION_MAX_CHARS, TAG_NAME_MAX_CHARS
from frontend.errors import PageBadRequest, PageNotFound
from recommendations.services import tag_suggestion_accept, tag_suggestion_dismiss

MSG_MODERATORS_ONLY = "Only moderators can keep the tag vocabulary."
MSG_UNKNOWN_ACTION = "This form asks for something the page does not do."
MSG_NO_SUCH_TAG = "There is no such tag: another moderator may have merged or deleted it."
MSG_CHOOSE_MERGE = "Choose both tags: the one to merge and the one it goes into."
MSG_CONFIRM_DELETE = "Tick the box to confirm: the tag is taken off every paper."
MSG_TAG_CREATED = "Created the tag “{name}”."
MSG_TAG_SAVED = "Saved the tag “{name}”."
MSG_TAG_MERGED = "Merged “{source}” into “{target}”: {moved} paper{s} moved."
MSG_TAG_DELETED = "Deleted the tag “{name}”."
MSG_SUBMITTED = "Submitted “{title}”: it is pending until a moderator publishes it."

PAGE_FORM = "page"  # a refusal shown above every form (its own form is gone)


# --- The tag vocabulary -------------------------------------------------------------------


@dataclass
class Refusal:
    form: str  # "create", "merge", "rename-<id>", "delete-<id>" or PAGE_FORM
    message: str


@dataclass
class TagRow:
    """A tag of the page and its forms' values: the tag's own, or what was typed when the
    refusal is theirs."""

    tag: Tag
    rename_name: str
    rename_description: str
    rename_error: str = ""
    delete_reason: str = ""
    delete_error: str = ""

    @property
    def open(self) -> bool:
        return bool(self.rename_error or self.delete_error)


def _tag_rows(tags: list[Tag], refusal: Refusal | None, posted: dict[str, str]) -> list[TagRow]:
    rows = []
    for tag in tags:
        row = TagRow(tag=tag, rename_name=tag.name, rename_description=tag.description)
        if refusal is not None and refusal.form == f"rename-{tag.pk}":
            row.rename_error = refusal.message
            row.rename_name, row.rename_description = posted["name"], posted["description"]
        if refusal is not None and refusal.form == f"delete-{tag.pk}":
            row.delete_error, row.delete_reason = refusal.message, posted["reason"]
        rows.append(row)
    return rows


def _posted_tag(request: HttpRequest, name: str) -> Tag | None:
    pk = parse_id(request.POST.get(name))
    return tags_list().filter(pk=pk).first() if pk is not None else None


def _tag_create(request: HttpRequest) -> str:
    tag = tag_create(
        moderator=request.user,
        name=request.POST.get("name", ""),
        description=request.POST.get("description", ""),
    )
    return MSG_TAG_CREATED.format(name=tag.name)


def _tag_rename(request: HttpRequest) -> str:
    tag = _posted_tag(request, "tag")
    if tag is None:
        raise DomainError(MSG_NO_SUCH_TAG, code="not_found", status_code=404)
    tag = tag_rename(
        tag=tag,
        moderator=request.user,
        name=request.POST.get("name", ""),
        description=request.POST.get("description", ""),
    )
    return MSG_TAG_SAVED.format(name=tag.name)


def _tag_merge(request: HttpRequest) -> str:
    if not request.POST.get("source") or not request.POST.get("into"):
        raise DomainError(MSG_CHOOSE_MERGE)
    source, target = _posted_tag(request, "source"), _posted_tag(request, "into")
    if source is None or target is None:
        # The merge form stays on the page, so the sentence goes there.
        raise DomainError(MSG_NO_SUCH_TAG)
    moved = tag_merge(
        source=source, target=target, moderator=request.user, reason=request.POST.get("reason", "")
    )
    return MSG_TAG_MERGED.format(
        source=source.name, target=target.name, moved=moved, s="" if moved == 1 else "s"
    )


def _tag_delete(request: HttpRequest) -> str:
    tag = _posted_tag(request, "tag")
    if tag is None:
        raise DomainError(MSG_NO_SUCH_TAG, code="not_found", status_code=404)
    if request.POST.get("confirm") != "yes":
        raise DomainError(MSG_CONFIRM_DELETE)
    tag_delete(tag=tag, moderator=request.user, reason=request.POST.get("reason", ""))
    return MSG_TAG_DELETED.format(name=tag.name)


TAG_ACTIONS: dict[str, Callable[[HttpRequest], str]] = {
    "create": _tag_create,
    "rename": _tag_rename,
    "merge": _tag_merge,
    "delete": _tag_delete,
}


def _refusal_form(action: str, request: HttpRequest, error: DomainError) -> str:
    if action in ("rename", "delete"):
        if error.status_code == 404:
            return PAGE_FORM  # the tag's row, and its forms, are gone from the page
        return f"{action}-{request.POST.get('tag', '')}"
    return action


@login_required
def tags_manage(request: HttpRequest) -> HttpResponse:
    """Moderators: every tag with its count of published papers and its description; create,
    rename (name and description), merge one into another, delete with a reason."""
    if not is_moderator(request.user):
        raise PermissionDenied(MSG_MODERATORS_ONLY)
    refusal: Refusal | None = None
    posted: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        handler = TAG_ACTIONS.get(action)
        if handler is None:
            raise PageBadRequest(MSG_UNKNOWN_ACTION)
        try:
            done = handler(request)
        except DomainError as error:
            refusal = Refusal(form=_refusal_form(action, request, error), message=error.message)
            posted = {
                name: request.POST.get(name, "")
                for name in ("name", "description", "reason", "source", "into", "confirm")
            }
        else:
            messages.success(request, done)
            return redirect(reverse("moderation-tags"))

    tags = list(tags_list())
    context = {
        "tags": tags,
        "rows": _tag_rows(tags, refusal, posted),
        "refusal": refusal,
        "posted": posted,
        "name_max": TAG_NAME_MAX_CHARS,
        "description_max": TAG_DESCRIPTION_MAX_CHARS,
    }
    return render(request, "frontend/tags_manage.html", context)


# --- A tag's suggestions (the tag page's block, moderators) --------------------------------

MSG_SUGGESTION_ADDED = "Added “{title}” to {tag}."
MSG_SUGGESTION_DISMISSED = "Dismissed “{title}”: it will not be suggested for {tag} again."
MSG_NO_SUCH_TAG_PAGE = "There is no such tag."
SUGGESTION_ACTIONS = {"accept": tag_suggestion_accept, "dismiss": tag_suggestion_dismiss}


@login_required
@require_POST
def tag_suggestion(request: HttpRequest, slug: str, paper_id: int) -> HttpResponse:
    """Add a suggested paper to the tag, or dismiss it; back to the tag's suggestions with
    what was done, or the service's sentence (a suggestion gone meanwhile, a paper no longer
    published, not a moderator)."""
    tag = tags_list().filter(slug=slug).first()
    if tag is None:
        raise PageNotFound(MSG_NO_SUCH_TAG_PAGE)
    action = request.POST.get("action", "")
    service = SUGGESTION_ACTIONS.get(action)
    if service is None:
        raise PageBadRequest(MSG_UNKNOWN_ACTION)
    try:
        suggestion = service(tag=tag, paper_id=paper_id, moderator=request.user)
    except DomainError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
    else:
        done = MSG_SUGGESTION_ADDED if action == "accept" else MSG_SUGGESTION_DISMISSED
        messages.success(request, done.format(title=suggestion.paper.title, tag=tag.name))
    return redirect(reverse("tag", args=[tag.slug]) + "#suggestions-h")


# --- Submit a paper -----------------------------------------------------------------------

SUBMIT_FIELDS = ("arxiv_id", "title", "abstract")


@login_required
def submit(request: HttpRequest) -> HttpResponse:
    """Members: an arXiv id or address, and the title and abstract of a paper that is not
    here yet. A paper that is here already is shown (linked) when the member may open it,
    never created twice; a new one is created pending and shown on its page."""
    context: dict = {
        "values": {},
        "errors": {},
        "form_error": "",
        "duplicate": None,
        "title_max": TITLE_MAX_CHARS,
        "abstract_max": ABSTRACT_MAX_CHARS,
    }
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in SUBMIT_FIELDS}
        context["values"] = values
        try:
            paper = paper_submit(user=request.user, **values)
        except DomainError as error:
            paper_id = error.extra.get("paper_id")
            duplicate = paper_detail(pk=paper_id, viewer=request.user) if paper_id else None
            context["errors"] = error.extra.get("fields") or {}
            context["duplicate"] = duplicate
            context["duplicate_message"] = error.message
            if not context["errors"] and duplicate is None:
                context["form_error"] = error.message
        else:
            messages.success(request, MSG_SUBMITTED.format(title=paper.title))
            return redirect("paper", pk=paper.pk)
    return render(request, "frontend/submit.html", context)


# --- My reading settings (a form of My page) ----------------------------------------------

MSG_SETTINGS_HIDING = (
    "Saved: the papers you marked read or not interested are left out of your feeds, digest "
    "days, tags, search and exports."
)
MSG_SETTINGS_SHOWING = "Saved: your feeds show the papers you marked again."


@login_required
@require_POST
def reading_settings(request: HttpRequest) -> HttpResponse:
    """The form of My page that hides, or shows again, the papers I marked; back to My page
    with what changed."""
    hide = request.POST.get("hide_marked") == "yes"
    member_settings_update(user=request.user, hide_marked=hide)
    messages.success(request, MSG_SETTINGS_HIDING if hide else MSG_SETTINGS_SHOWING)
    return redirect(reverse("me") + "#reading-h")
