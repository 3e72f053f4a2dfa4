"""Every write of lists: create, rename, change who sees, delete; editors of team lists; the
papers on a list, their notes and their order.

Who may do what:
- any member creates lists; only the owner renames, changes the visibility, deletes, and
  names or removes editors (an editor may also leave a list);
- the owner, and on a team list its editors, add papers, write their notes, move and remove
  them (lists.selectors.lists_editable_by);
- a list another member may not open (someone else's personal list) is a 404 to them, as if
  it did not exist, whatever they ask; a team list they may open but not change is a 403.
A paper is added only if the member adding it may open it (published, or theirs while
pending, or any for moderators: curation.selectors.papers_visible_to); readers see only the
papers they may open (lists.selectors).

Item writes lock the list's row first, so positions stay 1, 2, 3... (dense, none alike)
however writes interleave: moving an item shifts the run of items between its old and new
place by one in one UPDATE. Every change moves the list's `updated_at`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.roles import Viewer, is_member, require_member
from config.errors import DomainError
from curation.markdown import render_markdown
from curation.selectors import papers_visible_to
from curation.services.member_signals import member_signals_changed
from lists.events import ListEvent, ListEventKind, list_events
from lists.models import LIST_NAME_MAX_LENGTH, ListEditor, ListItem, ListVisibility, PaperList
from lists.selectors import lists_editable_by, lists_visible_to, visible_items
from papers.models import Paper

LIST_NAME_MAX_CHARS = LIST_NAME_MAX_LENGTH
NOTE_MAX_CHARS = 10_000
LIST_MAX_ITEMS = 1_000
LIST_MAX_EDITORS = 50
# How an item moves one step or to an end (the API's `move`).
MOVES = ("up", "down", "first", "last")

MSG_NAME_REQUIRED = "A list needs a name."
MSG_NAME_TOO_LONG = f"A list's name has at most {LIST_NAME_MAX_CHARS} characters."
MSG_UNKNOWN_VISIBILITY = "A list is personal or team."
MSG_NO_SUCH_LIST = "There is no such list."
MSG_NO_SUCH_ITEM = "This paper is not on the list (any more)."
MSG_NO_SUCH_PAPER = "There is no such paper."
MSG_OWNER_ONLY = "Only the list's owner can do this."
MSG_EDITORS_ONLY = "Only the list's owner and its editors can change its papers."
MSG_TEAM_ONLY_EDITORS = "Only team lists have editors: make the list a team list first."
MSG_NO_SUCH_MEMBER = "There is no member of that name."
MSG_EDITOR_IS_OWNER = "The owner can change the list already."
MSG_TOO_MANY_EDITORS = f"A list has at most {LIST_MAX_EDITORS} editors."
MSG_NOT_AN_EDITOR = "This member is not an editor of the list."
MSG_ALREADY_ON_LIST = "This paper is on the list already."
MSG_LIST_FULL = f"A list holds at most {LIST_MAX_ITEMS:,} papers."
MSG_NOTE_TOO_LONG = f"A note has at most {NOTE_MAX_CHARS:,} characters."
MSG_MOVE_ONE_WAY = "Move an item to a position, or up, down, first or last: one of them."
MSG_UNKNOWN_MOVE = "An item moves up, down, first or last."


def _invalid(field: str, message: str, *, status_code: int = 400) -> DomainError:
    """A refusal about one field, named as the API's validation errors name theirs."""
    return DomainError(
        message, code="invalid", status_code=status_code, extra={"fields": {field: [message]}}
    )


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise _invalid("name", MSG_NAME_REQUIRED)
    if len(name) > LIST_NAME_MAX_CHARS:
        raise _invalid("name", MSG_NAME_TOO_LONG)
    return name


def _clean_visibility(visibility: str | None) -> str:
    if visibility not in ListVisibility.values:
        raise _invalid("visibility", MSG_UNKNOWN_VISIBILITY)
    return visibility


def _note(note: str | None) -> tuple[str, str]:
    """The note as written and its sanitized HTML (curation.markdown, as comments are)."""
    note = note or ""
    if len(note) > NOTE_MAX_CHARS:
        raise _invalid("note", MSG_NOTE_TOO_LONG)
    if not note.strip():
        return "", ""
    return note, render_markdown(note)


def _lock(paper_list: PaperList, user: Viewer) -> PaperList:
    """The list's row, locked for this transaction, if `user` may open it; a 404 otherwise
    (someone else's personal list, or a list deleted meanwhile)."""
    user = require_member(user)
    locked = lists_visible_to(user).select_for_update().filter(pk=paper_list.pk).first()
    if locked is None:
        raise DomainError(MSG_NO_SUCH_LIST, code="not_found", status_code=404)
    return locked


def _require_owner(locked: PaperList, user: User) -> None:
    if locked.owner_id != user.pk:
        raise DomainError(MSG_OWNER_ONLY, code="permission_denied", status_code=403)


def _require_editor(locked: PaperList, user: User) -> None:
    if not lists_editable_by(user).filter(pk=locked.pk).exists():
        raise DomainError(MSG_EDITORS_ONLY, code="permission_denied", status_code=403)


def _touch(locked: PaperList) -> None:
    PaperList.objects.filter(pk=locked.pk).update(updated_at=timezone.now())


# --- Lists ----------------------------------------------------------------------------------


@transaction.atomic
def list_create(
    *, owner: Viewer, name: str, visibility: str = ListVisibility.PERSONAL.value
) -> PaperList:
    """A new, empty list of `owner`'s: personal (theirs alone) or team (every member reads
    it)."""
    owner = require_member(owner)
    return PaperList.objects.create(
        owner=owner, name=_clean_name(name), visibility=_clean_visibility(visibility)
    )


@transaction.atomic
def list_update(
    *, paper_list: PaperList, user: Viewer, name: str | None = None, visibility: str | None = None
) -> PaperList:
    """Rename the list and/or change who sees it (the owner only). A team list made
    personal loses its editors: nobody but the owner opens it any more."""
    user = require_member(user)
    locked = _lock(paper_list, user)
    _require_owner(locked, user)
    if name is not None:
        locked.name = _clean_name(name)
    if visibility is not None:
        locked.visibility = _clean_visibility(visibility)
        if not locked.is_team:
            ListEditor.objects.filter(paper_list=locked).delete()
    locked.save()
    return locked


@transaction.atomic
def list_delete(*, paper_list: PaperList, user: Viewer) -> None:
    """Delete the list and its items (the owner only). The papers stay, of course."""
    user = require_member(user)
    locked = _lock(paper_list, user)
    _require_owner(locked, user)
    adders = ListItem.objects.filter(paper_list=locked).values_list("added_by_id", flat=True)
    member_signals_changed(user_ids=set(adders))
    locked.delete()


# --- Editors --------------------------------------------------------------------------------


@transaction.atomic
def list_editor_add(
    *, paper_list: PaperList, user: Viewer, username: str
) -> tuple[ListEditor, bool]:
    """Let the member named `username` (any case) change the team list's papers (the owner
    only). Idempotent: (the editor, whether they were not one before)."""
    user = require_member(user)
    locked = _lock(paper_list, user)
    _require_owner(locked, user)
    if not locked.is_team:
        raise DomainError(MSG_TEAM_ONLY_EDITORS, code="not_team_list", status_code=409)
    member = (
        get_user_model().objects.filter(username__iexact=(username or "").strip()).first()
        if username
        else None
    )
    if member is None or not is_member(member):
        raise _invalid("username", MSG_NO_SUCH_MEMBER)
    if member.pk == locked.owner_id:
        raise _invalid("username", MSG_EDITOR_IS_OWNER)
    editor = ListEditor.objects.filter(paper_list=locked, user=member).first()
    if editor is not None:
        return editor, False
    if ListEditor.objects.filter(paper_list=locked).count() >= LIST_MAX_EDITORS:
        raise DomainError(MSG_TOO_MANY_EDITORS, code="too_many_editors", status_code=409)
    editor = ListEditor.objects.create(paper_list=locked, user=member)
    _touch(locked)
    return editor, True


@transaction.atomic
def list_editor_remove(*, paper_list: PaperList, user: Viewer, username: str) -> None:
    """The member named `username` may no longer change the list: the owner removes any
    editor, an editor may leave."""
    user = require_member(user)
    locked = _lock(paper_list, user)
    if (username or "").casefold() != user.get_username().casefold():
        _require_owner(locked, user)
    deleted, _ = ListEditor.objects.filter(
        paper_list=locked, user__username__iexact=username
    ).delete()
    if not deleted:
        raise DomainError(MSG_NOT_AN_EDITOR, code="not_found", status_code=404)
    _touch(locked)


# --- Items ----------------------------------------------------------------------------------


def _locked_item(item: ListItem, user: Viewer) -> tuple[PaperList, ListItem]:
    """The item's list locked (for `user`, who may change it) and the item read again under
    that lock; a 404 when the item is gone or shows a paper `user` may not open."""
    user = require_member(user)
    locked = _lock(item.paper_list, user)
    _require_editor(locked, user)
    current = visible_items(user).filter(pk=item.pk, paper_list=locked).first()
    if current is None:
        raise DomainError(MSG_NO_SUCH_ITEM, code="not_found", status_code=404)
    return locked, current


@transaction.atomic
def list_item_add(*, paper_list: PaperList, user: Viewer, paper: Paper, note: str = "") -> ListItem:
    """Put `paper` at the end of the list, with `note` (Markdown), as `user` (the owner or an
    editor), who must be able to open the paper. A paper is on a list once: a second time
    is a 409 naming the item that is there."""
    user = require_member(user)
    locked = _lock(paper_list, user)
    _require_editor(locked, user)
    if not papers_visible_to(user).filter(pk=paper.pk).exists():
        raise DomainError(MSG_NO_SUCH_PAPER, code="not_found", status_code=404)
    note, note_html = _note(note)
    existing = ListItem.objects.filter(paper_list=locked, paper=paper).first()
    if existing is not None:
        raise DomainError(
            MSG_ALREADY_ON_LIST, code="duplicate", status_code=409, extra={"item_id": existing.pk}
        )
    items = ListItem.objects.filter(paper_list=locked)
    last = items.aggregate(last=Max("position"))["last"] or 0
    if last >= LIST_MAX_ITEMS:  # positions are dense: the last one is the count
        raise DomainError(MSG_LIST_FULL, code="list_full", status_code=409)
    item = ListItem.objects.create(
        paper_list=locked,
        paper=paper,
        position=last + 1,
        note=note,
        note_html=note_html,
        added_by=user,
    )
    _touch(locked)
    member_signals_changed(user_ids=[user.pk])
    # Once committed: the webhooks of a team list (notifications).
    list_events.emit(
        [
            ListEvent(
                kind=ListEventKind.PAPER_ADDED,
                list_id=locked.pk,
                paper_id=paper.pk,
                actor_id=user.pk,
                item_id=item.pk,
            )
        ]
    )
    return item


@transaction.atomic
def list_item_note_edit(*, item: ListItem, user: User, note: str) -> ListItem:
    """Write the item's note again (Markdown; empty takes it off)."""
    locked, current = _locked_item(item, user)
    current.note, current.note_html = _note(note)
    current.save(update_fields=["note", "note_html"])
    _touch(locked)
    return current


def _target(locked: PaperList, current: ListItem, user: User, *, position, move) -> int:
    """The place `current` goes to. A step (up, down) passes the next item `user` sees, so
    the list reads to them as they asked; first and last are the list's ends."""
    if (position is None) == (move is None):
        raise _invalid("move", MSG_MOVE_ONE_WAY)
    count = ListItem.objects.filter(paper_list=locked).count()
    if position is not None:
        return max(1, min(int(position), count))
    if move not in MOVES:
        raise _invalid("move", MSG_UNKNOWN_MOVE)
    if move == "first":
        return 1
    if move == "last":
        return count
    seen = visible_items(user).filter(paper_list=locked)
    if move == "up":
        neighbour = seen.filter(position__lt=current.position).order_by("-position", "-id")
    else:
        neighbour = seen.filter(position__gt=current.position).order_by("position", "id")
    found = neighbour.values_list("position", flat=True).first()
    return current.position if found is None else found


@transaction.atomic
def list_item_move(
    *, item: ListItem, user: User, position: int | None = None, move: str | None = None
) -> ListItem:
    """Move the item to `position` (1 is the first place; beyond the end is the last), or
    one step `move` "up" or "down", or to the "first" or "last" place. The items between
    its old and new place shift by one."""
    locked, current = _locked_item(item, user)
    target = _target(locked, current, user, position=position, move=move)
    items = ListItem.objects.filter(paper_list=locked)
    if target < current.position:
        items.filter(position__gte=target, position__lt=current.position).update(
            position=F("position") + 1
        )
    elif target > current.position:
        items.filter(position__gt=current.position, position__lte=target).update(
            position=F("position") - 1
        )
    else:
        return current
    current.position = target
    current.save(update_fields=["position"])
    _touch(locked)
    return current


@transaction.atomic
def list_item_remove(*, item: ListItem, user: User) -> None:
    """Take the item (its note with it) off the list; the items after it move up by one."""
    locked, current = _locked_item(item, user)
    current.delete()
    member_signals_changed(user_ids=[current.added_by_id])
    ListItem.objects.filter(paper_list=locked, position__gt=current.position).update(
        position=F("position") - 1
    )
    _touch(locked)
