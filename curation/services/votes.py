"""Upvotes. The count on Paper never drifts from the rows of Vote.

How it stays exact under concurrency: the paper row is locked first (which also makes the
"only published papers" check hold until commit), the vote row is inserted in a savepoint
(the unique constraint on (user, paper) is the final word on a duplicate), and
Paper.vote_count moves by one with an F() expression only when a row was really inserted or
deleted, in the same transaction. Paper.hot_score is a generated column and follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.member_version import member_changed
from accounts.roles import Viewer, require_member
from config.errors import DomainError
from curation.models import Vote
from curation.services.member_signals import member_signals_changed
from papers.listing_version import listings_changed
from papers.models import Paper, PaperStatus

MSG_NOT_PUBLISHED = "Only published papers can be voted on."


@dataclass(frozen=True)
class VoteOutcome:
    changed: bool  # False when the vote was already there (cast) or not there (withdraw)
    vote_count: int


def _lock_published(paper: Paper) -> Paper:
    locked = Paper.objects.select_for_update().filter(pk=paper.pk).first()
    if locked is None or locked.status != PaperStatus.PUBLISHED:
        raise DomainError(MSG_NOT_PUBLISHED, code="not_published", status_code=409)
    return locked


@transaction.atomic
def vote_cast(*, user: Viewer, paper: Paper) -> VoteOutcome:
    """Upvote `paper` as `user` (members only, published papers only).

    Idempotent: voting again is no error and changes nothing (`changed=False`).
    """
    user = require_member(user)
    locked = _lock_published(paper)
    changed = False
    try:
        with transaction.atomic():
            Vote.objects.create(user=user, paper=locked)
        changed = True
    except IntegrityError:
        pass  # already voted: the constraint said no
    if changed:
        Paper.objects.filter(pk=locked.pk).update(vote_count=F("vote_count") + 1)
        listings_changed()
        member_changed(user.pk)  # what is kept of their state on the papers
        member_signals_changed(user_ids=[user.pk])
    count = Paper.objects.filter(pk=locked.pk).values_list("vote_count", flat=True).get()
    paper.vote_count = count
    return VoteOutcome(changed=changed, vote_count=count)


@transaction.atomic
def vote_withdraw(*, user: Viewer, paper: Paper) -> VoteOutcome:
    """Take `user`'s vote on `paper` back. Idempotent: without a vote, nothing changes.

    Like casting, only on published papers (a hidden paper's votes stay frozen).
    """
    user = require_member(user)
    locked = _lock_published(paper)
    deleted, _ = Vote.objects.filter(user=user, paper=locked).delete()
    if deleted:
        Paper.objects.filter(pk=locked.pk).update(vote_count=F("vote_count") - deleted)
        listings_changed()
        member_changed(user.pk)  # what is kept of their state on the papers
        member_signals_changed(user_ids=[user.pk])
    count = Paper.objects.filter(pk=locked.pk).values_list("vote_count", flat=True).get()
    paper.vote_count = count
    return VoteOutcome(changed=bool(deleted), vote_count=count)


@transaction.atomic
def paper_recount_votes(*, paper: Paper | None = None) -> int:
    """Maintenance: set vote_count from the Vote rows, for one paper or all of them, in one
    UPDATE. Returns the number of papers updated."""
    counted = (
        Vote.objects.filter(paper=OuterRef("pk"))
        .order_by()
        .values("paper")
        .annotate(n=Count("pk"))
        .values("n")
    )
    papers = Paper.objects.all() if paper is None else Paper.objects.filter(pk=paper.pk)
    return papers.update(vote_count=Coalesce(Subquery(counted), 0))
