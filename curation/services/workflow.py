"""The paper workflow: who moves a paper from which state to which, and the log of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.roles import Viewer, require_moderator
from config.errors import DomainError
from curation.models import ModerationAction, TargetKind
from curation.services._guards import clean_reason
from curation.services.events import moderation_event_record
from curation.services.tags import paper_tag_counts_shift
from papers.listing_version import listings_changed
from papers.models import Paper, PaperStatus
from papers.services import paper_update
from papers.services.changes import (
    papers_changed_batched,
    papers_changed_schedule,
    papers_states_changed,
)

# The one table of allowed moves: (from, to) -> the action logged.
TRANSITIONS: dict[tuple[str, str], str] = {
    (PaperStatus.PENDING, PaperStatus.PUBLISHED): ModerationAction.PUBLISH,
    (PaperStatus.PENDING, PaperStatus.REJECTED): ModerationAction.REJECT,
    (PaperStatus.PUBLISHED, PaperStatus.HIDDEN): ModerationAction.HIDE,
    (PaperStatus.HIDDEN, PaperStatus.PUBLISHED): ModerationAction.RESTORE,
    (PaperStatus.REJECTED, PaperStatus.PUBLISHED): ModerationAction.PUBLISH,
}
# Moves into these states must say why.
REASON_REQUIRED = frozenset({PaperStatus.REJECTED, PaperStatus.HIDDEN})

MSG_UNKNOWN_STATE = "“{state}” is not a state of a paper."
MSG_TRANSITION_REFUSED = "A {from_state} paper cannot be made {to_state}."
MSG_REASON_REQUIRED = "Say why the paper is {to_state}."
MSG_PAPER_GONE = "There is no such paper."


def allowed_targets(from_state: str) -> list[str]:
    """The states a paper in `from_state` may move to (for forms and API docs)."""
    return [to for (frm, to) in TRANSITIONS if frm == from_state]


@transaction.atomic
def paper_transition(*, paper: Paper, moderator: Viewer, to_state: str, reason: str = "") -> Paper:
    """Move `paper` to `to_state` and log it; return the paper as saved.

    Only moderators; the move must be in TRANSITIONS; reject and hide need a reason. The row
    is locked first, so two moderators acting at once are serialized and the second one is
    judged against the state the first one left. `paper` itself is updated in place too.

    A paper that no digest listed (a member's submission) takes the day it is first
    published as its digest day, which places it in the feeds and gives it a hot score.
    """
    moderator = require_moderator(moderator)
    if to_state not in PaperStatus.values:
        raise DomainError(MSG_UNKNOWN_STATE.format(state=to_state), code="invalid_state")
    reason = clean_reason(reason)

    locked = Paper.objects.select_for_update().filter(pk=paper.pk).first()
    if locked is None:  # deleted since it was read
        raise DomainError(MSG_PAPER_GONE, code="not_found", status_code=404)
    from_state = locked.status
    action = TRANSITIONS.get((from_state, to_state))
    if action is None:
        raise DomainError(
            MSG_TRANSITION_REFUSED.format(from_state=from_state, to_state=to_state),
            code="invalid_transition",
            status_code=409,
            extra={"from_state": from_state, "allowed": allowed_targets(from_state)},
        )
    if to_state in REASON_REQUIRED and not reason:
        raise DomainError(MSG_REASON_REQUIRED.format(to_state=to_state), code="reason_required")

    locked.status = to_state
    update_fields = ["status", "updated_at"]
    if to_state == PaperStatus.PUBLISHED and locked.first_digest_on is None:
        locked.first_digest_on = timezone.localdate()
        update_fields.append("first_digest_on")
    locked.save(update_fields=update_fields)
    if PaperStatus.PUBLISHED in (from_state, to_state):
        delta = +1 if to_state == PaperStatus.PUBLISHED else -1
        paper_tag_counts_shift(paper_ids=[locked.pk], delta=delta)
    if to_state == PaperStatus.PUBLISHED:
        papers_changed_schedule()  # a newly published paper joins the others' related papers
    else:
        listings_changed()
        papers_states_changed()  # a paper hidden is out of the others' lists at once
    moderation_event_record(
        moderator=moderator,
        action=action,
        target_kind=TargetKind.PAPER,
        target_id=locked.pk,
        target_label=locked.title,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
    paper.status = locked.status
    paper.first_digest_on = locked.first_digest_on
    paper.updated_at = locked.updated_at
    return locked


def paper_publish(*, paper: Paper, moderator: User, reason: str = "") -> Paper:
    return paper_transition(
        paper=paper, moderator=moderator, to_state=PaperStatus.PUBLISHED, reason=reason
    )


def paper_reject(*, paper: Paper, moderator: User, reason: str) -> Paper:
    return paper_transition(
        paper=paper, moderator=moderator, to_state=PaperStatus.REJECTED, reason=reason
    )


def paper_hide(*, paper: Paper, moderator: User, reason: str) -> Paper:
    return paper_transition(
        paper=paper, moderator=moderator, to_state=PaperStatus.HIDDEN, reason=reason
    )


def paper_restore(*, paper: Paper, moderator: User, reason: str = "") -> Paper:
    """A hidden paper back to published."""
    return paper_transition(
        paper=paper, moderator=moderator, to_state=PaperStatus.PUBLISHED, reason=reason
    )


@dataclass
class BulkOutcome:
    done: list[Paper] = field(default_factory=list)
    refused: list[tuple[Paper, str]] = field(default_factory=list)


def papers_bulk_transition(
    *, papers: Iterable[Paper], moderator: Viewer, to_state: str, reason: str = ""
) -> BulkOutcome:
    """Each paper through paper_transition, each in its own transaction: a refused paper
    (wrong state) is reported and the others still move. A non-moderator is refused at once.
    The tasks that follow published papers are sent once, after the last paper."""
    moderator = require_moderator(moderator)
    outcome = BulkOutcome()
    with papers_changed_batched():
        for paper in papers:
            try:
                outcome.done.append(
                    paper_transition(
                        paper=paper, moderator=moderator, to_state=to_state, reason=reason
                    )
                )
            except DomainError as error:
                outcome.refused.append((paper, error.message))
    return outcome


@transaction.atomic
def papers_delete(*, papers: Iterable[Paper], moderator: Viewer, reason: str = "") -> int:
    """Delete papers for good (the admin's delete), with their votes, comments, tags and
    digest entries; each deletion is logged. Return the number deleted. The published ones
    no longer count in their tags' paper_count."""
    moderator = require_moderator(moderator)
    ids = sorted({paper.pk for paper in papers})
    locked = list(Paper.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    published = [paper.pk for paper in locked if paper.status == PaperStatus.PUBLISHED]
    paper_tag_counts_shift(paper_ids=published, delta=-1)
    for paper in locked:
        moderation_event_record(
            moderator=moderator,
            action=ModerationAction.DELETE,
            target_kind=TargetKind.PAPER,
            target_id=paper.pk,
            target_label=paper.title,
            from_state=paper.status,
            reason=clean_reason(reason),
        )
    Paper.objects.filter(pk__in=[paper.pk for paper in locked]).delete()
    listings_changed()
    papers_states_changed()
    return len(locked)


@transaction.atomic
def paper_edit(*, paper: Paper, moderator: Viewer, changes: dict, reason: str = "") -> list[str]:
    """A moderator corrects a paper's own data (papers.services.paper_update: title, abstract,
    arXiv id, authors, publication date; its title key and search vector follow). Logged with
    the fields that changed; returns them."""
    moderator = require_moderator(moderator)
    changed = paper_update(paper=paper, changes=changes)
    if changed:
        moderation_event_record(
            moderator=moderator,
            action=ModerationAction.EDIT,
            target_kind=TargetKind.PAPER,
            target_id=paper.pk,
            target_label=paper.title,
            to_state=", ".join(changed),
            reason=clean_reason(reason),
        )
    return changed
