"""A member's own marks on papers (read, not interested) and the setting that hides the marked
papers from the member's listings.

Marks are private: nobody else sees them, nothing is counted from them. A member marks any
paper they may open (curation.selectors.papers_visible_to). Setting and taking a mark off
are idempotent, like votes: the unique (user, paper, kind) constraint is the final word on a
duplicate, so two clicks at once make one row.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from accounts.member_version import member_changed
from accounts.roles import Viewer, require_member
from config.errors import DomainError
from curation.models import MarkKind, MemberSettings, PaperMark
from curation.selectors import papers_visible_to
from curation.services.member_signals import member_signals_changed
from papers.models import Paper

MSG_UNKNOWN_MARK = "A mark is “read” or “not_interested”."
MSG_PAPER_NOT_FOUND = "There is no such paper."


def _check(*, user: Viewer, paper: Paper, kind: str) -> None:
    user = require_member(user)
    if kind not in MarkKind.values:
        raise DomainError(
            MSG_UNKNOWN_MARK, code="invalid", extra={"fields": {"mark": [MSG_UNKNOWN_MARK]}}
        )
    if not papers_visible_to(user).filter(pk=paper.pk).exists():
        raise DomainError(MSG_PAPER_NOT_FOUND, code="not_found", status_code=404)


def paper_marks_of(*, user: User, paper: Paper) -> list[str]:
    """The kinds `user` has set on `paper`, in MarkKind's order."""
    kinds = set(PaperMark.objects.filter(user=user, paper=paper).values_list("kind", flat=True))
    return [kind for kind in MarkKind.values if kind in kinds]


@transaction.atomic
def paper_mark_set(*, user: Viewer, paper: Paper, kind: str) -> bool:
    """Mark `paper` as `kind` for `user`. True when the mark is new, False when it was
    there already."""
    user = require_member(user)
    _check(user=user, paper=paper, kind=kind)
    try:
        with transaction.atomic():
            PaperMark.objects.create(user=user, paper=paper, kind=kind)
    except IntegrityError:
        return False  # marked already: the constraint said no
    member_changed(user.pk)  # what is kept of their state on the papers
    if kind == MarkKind.NOT_INTERESTED:
        member_signals_changed(user_ids=[user.pk])
    return True


@transaction.atomic
def paper_mark_unset(*, user: Viewer, paper: Paper, kind: str) -> bool:
    """Take `user`'s mark `kind` off `paper`. True when there was one."""
    user = require_member(user)
    _check(user=user, paper=paper, kind=kind)
    deleted, _ = PaperMark.objects.filter(user=user, paper=paper, kind=kind).delete()
    if deleted:
        member_changed(user.pk)
    if deleted and kind == MarkKind.NOT_INTERESTED:
        member_signals_changed(user_ids=[user.pk])
    return bool(deleted)


def member_settings_get(*, user: Viewer) -> MemberSettings:
    """`user`'s settings, or the defaults (unsaved) when they never chose."""
    user = require_member(user)
    found = MemberSettings.objects.filter(user=user).first()
    return found if found is not None else MemberSettings(user=user)


@transaction.atomic
def member_settings_update(*, user: Viewer, hide_marked: bool | None = None) -> MemberSettings:
    """Change what is given of `user`'s settings; what is None stays."""
    user = require_member(user)
    defaults = {} if hide_marked is None else {"hide_marked": bool(hide_marked)}
    found, _ = MemberSettings.objects.update_or_create(user=user, defaults=defaults)
    member_changed(user.pk)  # hide_marked is part of their kept state
    return found
