"""Every read of follows and the inbox.

- inbox_state: what the site's header shows on every page a member reads (the count of
  their unread items) and, on a page with a Follow button, whether they follow its target:
  ONE statement, on the inbox's (recipient, -unread, -id) index.
- inbox_items / inbox_page: a member's items, unread first, then newest; keyset pages on
  (unread, id) as lists' items are paged on their position (an item read while its reader
  pages through may show twice or be skipped; the next load is whole again).
- follows_of: a member's follows, newest first.

A member reads only their own: others' items and follows do not exist for them (a 404). What
an item still shows of its paper goes through curation's read rule (papers_visible_to): a
paper hidden since it was told of keeps its item but not its title or link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Exists, Field, OuterRef, Q, QuerySet

from accounts.member_version import member_kept
from accounts.private_feeds import private_feed_of, private_feed_owner
from accounts.roles import Viewer, is_member, is_moderator
from config.cursors import MAX_ID, KeysetPage, keyset_page, parse_int
from curation.models import Tag
from curation.selectors import papers_visible_to
from lists.models import ListVisibility
from lists.selectors import lists_visible_to
from notifications.models import Follow, FollowKind, InboxFeed, Notification, Webhook


@dataclass(frozen=True)
class FollowTarget:
    """What a page's Follow button is about."""

    kind: str
    tag_id: int | None = None
    paper_id: int | None = None
    paper_list_id: int | None = None
    query_key: str = ""

    def lookup(self) -> dict:
        if self.kind == FollowKind.TAG:
            return {"kind": self.kind, "tag_id": self.tag_id}
        if self.kind == FollowKind.PAPER:
            return {"kind": self.kind, "paper_id": self.paper_id}
        if self.kind == FollowKind.LIST:
            return {"kind": self.kind, "paper_list_id": self.paper_list_id}
        return {"kind": self.kind, "query_key": self.query_key}


@dataclass(frozen=True)
class InboxState:
    unread: int = 0
    follow_id: int | None = None  # the reader's follow of the page's target, if any


# How long a member's inbox state is kept at most (accounts.member_version): an item recorded
# or read and a follow made or dropped move their version on; this bounds what does not (an
# item gone with the paper or comment it was about).
INBOX_STATE_SECONDS = 60


def inbox_state(*, viewer: Viewer, follow: FollowTarget | None = None) -> InboxState:
    """The reader's count of unread items, and their follow of `follow` when given: one
    statement (_inbox_statement), none for anonymous readers; kept under the member's
    version."""
    if not is_member(viewer):
        return InboxState()
    assert viewer is not None
    parts = "" if follow is None else repr(sorted(follow.lookup().items()))
    return member_kept(
        "inbox-state",
        viewer.pk,
        parts,
        partial(_inbox_state_read, viewer.pk, follow),
        seconds=INBOX_STATE_SECONDS,
    )


def _inbox_state_read(user_id: int, follow: FollowTarget | None) -> InboxState:
    with connection.cursor() as cursor:
        cursor.execute(*_inbox_statement(user_id, follow))
        row = cursor.fetchone()
    return InboxState(unread=row[0] or 0, follow_id=row[1] if follow is not None else None)


def _inbox_statement(user_id: int, follow: FollowTarget | None) -> tuple[str, list]:
    """inbox_state's statement: the count of the member's unread items (the inbox index),
    and the id of their follow of `follow` (its unique index). Written out, from the models'
    tables and columns, rather than built by the ORM on every page a member reads: the
    annotated queryset cost a millisecond of CPU to build for a statement PostgreSQL runs in
    a few hundredths of one. tests/notifications/test_inbox_state.py holds it to the ORM's
    answers."""
    q = connection.ops.quote_name
    notification = Notification._meta
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {q(notification.db_table)} "
        f"WHERE {q(notification.get_field('recipient').column)} = %s "
        f"AND {q(notification.get_field('unread').column)} = %s)"
    )
    params: list = [user_id, True]
    if follow is not None:
        meta = Follow._meta
        ((name, value),) = [(k, v) for k, v in follow.lookup().items() if k != "kind"]
        target = meta.get_field(name)
        assert isinstance(target, Field)
        sql += (
            f", (SELECT {q(meta.pk.column)} FROM {q(meta.db_table)} "
            f"WHERE {q(meta.get_field('user').column)} = %s "
            f"AND {q(meta.get_field('kind').column)} = %s "
            f"AND {q(target.column)} = %s LIMIT 1)"
        )
        params += [user_id, follow.kind, value]
    else:
        sql += ", NULL"
    return sql, params


# What an item shows of what it refers to (select_related, one query for a page).
ITEM_FIELDS = (
    *("id", "kind", "event_key", "created_at", "read_at", "unread", "recipient_id"),
    *("actor_id", "paper_id", "comment_id", "session_id", "paper_list_id", "tag_id", "follow_id"),
    "actor__username",
    "paper__title",
    *("comment__body", "comment__deleted_at", "comment__hidden_at", "comment__paper_id"),
    *("session__title", "session__starts_at", "paper_list__name", "tag__name", "tag__slug"),
    *("follow__kind", "follow__name", "follow__query"),
)


def inbox_items(*, viewer: Viewer, unread_only: bool = False) -> QuerySet[Notification]:
    """`viewer`'s items, unread first, then newest, each with what it refers to joined (one
    query) and `paper_openable`: whether the reader may still open its paper (an EXISTS
    through papers_visible_to, in the same query)."""
    if not is_member(viewer):
        return Notification.objects.none()
    items = Notification.objects.filter(recipient=viewer)
    if unread_only:
        items = items.filter(unread=True)
    return (
        items.select_related("actor", "paper", "comment", "session", "paper_list", "tag", "follow")
        .only(*ITEM_FIELDS)
        .annotate(paper_openable=Exists(papers_visible_to(viewer).filter(pk=OuterRef("paper_id"))))
        .order_by("-unread", "-id")
    )


def _after(items: QuerySet, key: int, pk: int) -> QuerySet:
    if key:
        return items.filter(Q(unread=False) | Q(unread=True, pk__lt=pk))
    return items.filter(unread=False, pk__lt=pk)


def inbox_page(items: QuerySet[Notification], *, page_size: int, cursor: str | None) -> KeysetPage:
    """A page of inbox_items after `cursor`."""
    return keyset_page(
        items,
        kind="inbox",
        page_size=page_size,
        cursor=cursor,
        key_of=lambda item: int(item.unread),
        parse_key=parse_int,
        after=_after,
    )


def notification_of(*, viewer: Viewer, pk: int) -> Notification | None:
    """One of `viewer`'s items; None for anyone else's (and for an id no row can have)."""
    if not 0 < pk <= MAX_ID:
        return None
    return inbox_items(viewer=viewer).filter(pk=pk).first()


FOLLOW_FIELDS = (
    *("id", "kind", "query", "query_key", "name", "created_at", "user_id"),
    *("tag_id", "paper_id", "paper_list_id", "tag__slug", "tag__name", "paper__title"),
    "paper_list__name",
)


def follows_of(*, viewer: Viewer, kind: str | None = None) -> QuerySet[Follow]:
    """`viewer`'s follows, newest first, with their targets joined and whether the reader
    may still open a followed paper or list (`paper_openable`, `list_openable`: EXISTS
    through the read rules, in the same query)."""
    if not is_member(viewer):
        return Follow.objects.none()
    follows = Follow.objects.filter(user=viewer)
    if kind:
        follows = follows.filter(kind=kind)
    return (
        follows.select_related("tag", "paper", "paper_list")
        .only(*FOLLOW_FIELDS)
        .annotate(
            paper_openable=Exists(papers_visible_to(viewer).filter(pk=OuterRef("paper_id"))),
            list_openable=Exists(lists_visible_to(viewer).filter(pk=OuterRef("paper_list_id"))),
        )
        .order_by("-id")
    )


def follows_page(follows: QuerySet[Follow], *, page_size: int, cursor: str | None) -> KeysetPage:
    return keyset_page(
        follows,
        kind="follows",
        page_size=page_size,
        cursor=cursor,
        key_of=lambda follow: follow.pk,
        parse_key=parse_int,
        after=lambda qs, key, pk: qs.filter(pk__lt=pk),
    )


def follow_of(*, viewer: Viewer, pk: int) -> Follow | None:
    """One of `viewer`'s follows; None for anyone else's (and for an id no row can have)."""
    if not 0 < pk <= MAX_ID:
        return None
    return follows_of(viewer=viewer).filter(pk=pk).first()


# --- Delivery: the private feed and webhooks ---------------------------------------------------

FEED_ITEMS = 50


def inbox_feed_of(*, member: Viewer) -> InboxFeed | None:
    return private_feed_of(InboxFeed, member=member)


def inbox_feed_owner(*, token: str) -> User | None:
    """The active member whose feed address carries `token`, or None (a wrong, rotated or
    revoked token)."""
    return private_feed_owner(InboxFeed, token=token)


def inbox_feed_items(*, member: User, kinds: list[str]) -> QuerySet[Notification]:
    """The member's newest items of `kinds` (the topics they put in their feed), newest
    first, as the inbox shows them."""
    return inbox_items(viewer=member).filter(kind__in=kinds).order_by("-id")[:FEED_ITEMS]


def webhooks_of(*, viewer: Viewer) -> QuerySet[Webhook]:
    """`viewer`'s webhooks, newest first, with their targets."""
    if not is_member(viewer):
        return Webhook.objects.none()
    return Webhook.objects.filter(owner=viewer).select_related("tag", "paper_list").order_by("-id")


def webhook_of(*, viewer: Viewer, pk: int) -> Webhook | None:
    if not 0 < pk <= MAX_ID:
        return None
    return webhooks_of(viewer=viewer).filter(pk=pk).first()


@dataclass(frozen=True)
class WebhookTargets:
    """What `viewer` may put a webhook on: every tag's (slug, name) for moderators, and the
    team lists they own as (id, name)."""

    tags: list[tuple[str, str]]
    lists: list[tuple[int, str]]


def webhook_targets(*, viewer: Viewer) -> WebhookTargets:
    """The targets of the webhooks form (notifications.services.webhook_create's rules:
    tags for moderators, a team list for its owner): two small queries."""
    if not is_member(viewer):
        return WebhookTargets(tags=[], lists=[])
    tags = (
        list(Tag.objects.order_by("name").values_list("slug", "name"))
        if is_moderator(viewer)
        else []
    )
    lists = list(
        lists_visible_to(viewer)
        .filter(owner=viewer, visibility=ListVisibility.TEAM)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    return WebhookTargets(tags=tags, lists=lists)


# How many of a followed tag's newest published papers stand for the member's taste.
FOLLOWED_TAG_POSITIVES = 20


def papers_of_followed_tags(*, user_ids: Sequence[int] | None = None) -> list[tuple]:
    """(member, paper, when) for the FOLLOWED_TAG_POSITIVES newest published papers of each
    tag a member (of `user_ids`, or any) follows, `when` the follow's time: a followed tag
    is a signal of taste for the "for you" feed of the recommendations
    (settings.FOR_YOU_POSITIVE_SOURCES). A bounded number per tag, so that following a
    large tag does not drown the member's own votes. One query for the follows, one per
    followed tag (the (tag, paper) index)."""
    follows = Follow.objects.filter(kind=FollowKind.TAG, tag__isnull=False)
    if user_ids is not None:
        follows = follows.filter(user_id__in=list(user_ids))
    rows = list(follows.values_list("user_id", "tag_id", "created_at"))
    newest = {
        tag_id: list(
            papers_visible_to(None)
            .filter(paper_tags__tag_id=tag_id)
            .order_by("-first_digest_on", "-pk")
            .values_list("pk", flat=True)[:FOLLOWED_TAG_POSITIVES]
        )
        for tag_id in {tag_id for _, tag_id, _ in rows}
    }
    return [(user_id, pk, at) for user_id, tag_id, at in rows for pk in newest[tag_id]]
