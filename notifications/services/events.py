"""What becomes an inbox item, and for whom. Each writer runs in a Celery task sent once the
write that caused it has committed (notifications.handlers, notifications.tasks), reads
the follows as they are then (an unfollow stops the next items at once) and records through
notifications_record, so running it twice records nothing twice.

The read rules are curation's and the lists' (papers_visible_to, lists_visible_to): an item
is made only for a member who may open what it is about, and never for a comment deleted or
hidden, nor for the member who did it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from accounts.roles import with_moderator_flag
from curation.models import Comment, PaperTag
from curation.selectors import papers_search, papers_visible_to
from lists.selectors import lists_visible_to
from notifications.mentions import mentioned_usernames
from notifications.models import Follow, FollowKind, NotificationKind, PaperAnnouncement
from notifications.services.inbox import Draft, notifications_record
from notifications.services.webhooks import webhooks_comment_posted, webhooks_papers_published
from papers.models import PaperSearch
from papers.services.search_index import search_index_enabled
from readinggroup.models import SessionPaper
from readinggroup.permissions import can_see_sessions

logger = logging.getLogger(__name__)

ANNOUNCE_BATCH = 500


def _members(user_ids: Iterable[int]) -> dict[int, User]:
    """The active members among `user_ids`, each knowing whether they moderate (one query)."""
    ids = set(user_ids)
    if not ids:
        return {}
    users = with_moderator_flag(User.objects.filter(pk__in=ids, is_active=True))
    return {user.pk: user for user in users}


def _may_open_paper(members: dict[int, User], paper_id: int) -> set[int]:
    """Those of `members` who may open the paper (curation's papers_visible_to). A paper every
    reader may open (published) is asked about once, not once per member."""
    if papers_visible_to(None).filter(pk=paper_id).exists():
        return set(members)
    return {
        pk for pk, user in members.items() if papers_visible_to(user).filter(pk=paper_id).exists()
    }


# --- Comments -------------------------------------------------------------------------------


def comment_notify(*, comment_id: int, edited: bool = False) -> int:
    """Tell of a new comment: its parent's author (a reply), the members it names (a
    mention), the followers of its paper and of the lists that hold the paper; of an edited
    one, only the members its words name now. One item per comment and member
    (event_key "comment:<id>"), of the most specific kind. Returns the drafts offered."""
    comment = Comment.objects.select_related("parent").filter(pk=comment_id).first()
    if comment is None or not comment.is_visible or comment.author_id is None:
        return 0
    author_id = comment.author_id
    candidates: list[Draft] = []
    key = f"comment:{comment.pk}"
    refs = {"actor_id": author_id, "paper_id": comment.paper_id, "comment_id": comment.pk}

    parent = comment.parent
    if not edited and parent is not None and parent.author_id is not None:
        candidates.append(Draft(parent.author_id, NotificationKind.REPLY, key, **refs))

    names = mentioned_usernames(comment.body)
    if names:
        named = get_user_model().objects.filter(
            reduce(or_, (Q(username__iexact=name) for name in names))
        )
        candidates += [
            Draft(pk, NotificationKind.MENTION, key, **refs)
            for pk in named.values_list("pk", flat=True)
        ]

    list_follows: list[Follow] = []
    if not edited:
        for follow_id, user_id in Follow.objects.filter(
            kind=FollowKind.PAPER, paper_id=comment.paper_id
        ).values_list("pk", "user_id"):
            candidates.append(
                Draft(user_id, NotificationKind.PAPER_COMMENT, key, follow_id=follow_id, **refs)
            )
        list_follows = list(
            Follow.objects.filter(
                kind=FollowKind.LIST, paper_list__items__paper_id=comment.paper_id
            ).order_by("pk")
        )
        candidates += [
            Draft(
                follow.user_id,
                NotificationKind.LIST_COMMENT,
                key,
                follow_id=follow.pk,
                paper_list_id=follow.paper_list_id,
                **refs,
            )
            for follow in list_follows
        ]

    members = _members(d.recipient_id for d in candidates if d.recipient_id != author_id)
    readers = _may_open_paper(members, comment.paper_id)
    drafts = []
    for draft in candidates:
        if draft.recipient_id not in readers:
            continue
        if draft.kind == NotificationKind.LIST_COMMENT:
            # The list must still be theirs to open (a team list made personal is not).
            user = members[draft.recipient_id]
            if not lists_visible_to(user).filter(pk=draft.paper_list_id or 0).exists():
                continue
        drafts.append(draft)
    with transaction.atomic():
        if not edited:
            webhooks_comment_posted(comment=comment)
        return notifications_record(drafts=drafts)


# --- Reading group ---------------------------------------------------------------------------


def presenter_notify(
    *, session_id: int, paper_id: int, member_id: int, actor_id: int | None
) -> int:
    """Tell a member they present a paper of a session, unless they made themselves its
    presenter, or no longer are, or may not open the paper. Once per session and paper
    (event_key "presenter:<session>:<paper>")."""
    if member_id == actor_id:
        return 0
    still = SessionPaper.objects.filter(
        session_id=session_id, paper_id=paper_id, presenter_id=member_id
    ).exists()
    members = _members([member_id])
    member = members.get(member_id)
    if not still or member is None or not can_see_sessions(member):
        return 0
    if member_id not in _may_open_paper(members, paper_id):
        return 0
    draft = Draft(
        member_id,
        NotificationKind.MADE_PRESENTER,
        f"presenter:{session_id}:{paper_id}",
        actor_id=actor_id,
        paper_id=paper_id,
        session_id=session_id,
    )
    return notifications_record(drafts=[draft])


# --- New papers: followed tags and saved searches ---------------------------------------------


def _paper_key(paper_id: int) -> str:
    # One item per paper and member, however many of their tags and searches it matches:
    # the paper is the news.
    return f"paper:{paper_id}"


def paper_tagged_notify(*, paper_id: int, tag_id: int, actor_id: int | None) -> int:
    """Tell the followers of a tag that a published paper now has it (not the member who
    put it there). A paper not announced yet is left to papers_announce, which reads all
    its tags."""
    if not PaperAnnouncement.objects.filter(paper_id=paper_id).exists():
        return 0
    if not papers_visible_to(None).filter(pk=paper_id).exists():
        return 0  # hidden since: followers who are not moderators may not open it
    if not PaperTag.objects.filter(paper_id=paper_id, tag_id=tag_id).exists():
        return 0  # taken off since
    follows = Follow.objects.filter(kind=FollowKind.TAG, tag_id=tag_id, user__is_active=True)
    if actor_id is not None:
        follows = follows.exclude(user_id=actor_id)
    drafts = [
        Draft(
            user_id,
            NotificationKind.TAG_PAPER,
            _paper_key(paper_id),
            actor_id=actor_id,
            paper_id=paper_id,
            tag_id=tag_id,
            follow_id=follow_id,
        )
        for follow_id, user_id in follows.values_list("pk", "user_id")
    ]
    with transaction.atomic():
        webhooks_papers_published(paper_ids=[paper_id], tag_id=tag_id)
        return notifications_record(drafts=drafts)


def _papers_waiting():
    """Published papers (those every reader may open) not announced yet, by id. With saved
    searches on PostgreSQL, a paper waits for its search vector too (filled within seconds of
    its writing: papers.services.search_index), so that searches can find it."""
    waiting = papers_visible_to(None).filter(
        ~Exists(PaperAnnouncement.objects.filter(paper_id=OuterRef("pk")))
    )
    if search_index_enabled() and Follow.objects.filter(kind=FollowKind.SEARCH).exists():
        waiting = waiting.filter(Exists(PaperSearch.objects.filter(paper_id=OuterRef("pk"))))
    return waiting.order_by("pk")


def _announce(paper_ids: Sequence[int]) -> list[Draft]:
    """The items a batch of newly published papers makes: the followers of their tags (one
    query), then those of each saved search that finds them (one query per distinct search
    of the whole site, over the batch's papers only)."""
    drafts = [
        Draft(
            user_id,
            NotificationKind.TAG_PAPER,
            _paper_key(paper_id),
            paper_id=paper_id,
            tag_id=tag_id,
            follow_id=follow_id,
        )
        for follow_id, user_id, tag_id, paper_id in Follow.objects.filter(
            kind=FollowKind.TAG, user__is_active=True, tag__paper_tags__paper_id__in=paper_ids
        )
        .order_by("pk")
        .values_list("pk", "user_id", "tag_id", "tag__paper_tags__paper_id")
    ]
    searches: dict[str, list[tuple[int, int]]] = {}
    for follow_id, user_id, query_key in (
        Follow.objects.filter(kind=FollowKind.SEARCH, user__is_active=True)
        .order_by("pk")
        .values_list("pk", "user_id", "query_key")
    ):
        # Members who saved the same search share its one query.
        searches.setdefault(query_key, []).append((follow_id, user_id))
    batch = papers_visible_to(None).filter(pk__in=paper_ids)
    for query, followers in searches.items():
        found = list(papers_search(query, papers=batch, rank_cap=None).values_list("pk", flat=True))
        drafts += [
            Draft(
                user_id,
                NotificationKind.SEARCH_PAPER,
                _paper_key(paper_id),
                paper_id=paper_id,
                follow_id=follow_id,
            )
            for paper_id in sorted(found)
            for follow_id, user_id in followers
        ]
    return drafts


def papers_announce(*, batch_size: int = ANNOUNCE_BATCH) -> int:
    """Tell the followers of their tags and the members whose saved searches find them of
    the papers published since the last run; returns how many papers were announced.

    Sent after every write that publishes papers (settings.PAPERS_CHANGED_TASKS) and from
    beat: whatever publishes them (a moderator, a dump of thousands), the work is done here,
    off the request, a batch of papers at a time, each batch one transaction that records
    its items and marks its papers announced. Two runs at once record nothing twice (the
    unique constraints); one that dies leaves its batch for the next."""
    announced = 0
    while True:
        ids = list(_papers_waiting().values_list("pk", flat=True)[:batch_size])
        if not ids:
            return announced
        with transaction.atomic():
            notifications_record(drafts=_announce(ids))
            webhooks_papers_published(paper_ids=ids)
            PaperAnnouncement.objects.bulk_create(
                [PaperAnnouncement(paper_id=pk) for pk in ids], ignore_conflicts=True
            )
        announced += len(ids)
