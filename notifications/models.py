"""Follows and the inbox.

A member follows a tag, a saved search (a query in the site's search syntax, with a name), a
paper (its comments) or a list (the comments on its papers): `Follow`, one per member and
target. What happens that concerns a member becomes an item of their inbox: `Notification`,
recorded once per event and recipient (`event_key`), after the write that caused it has
committed (notifications.services, sent by the hooks of curation and the reading group).

Every write goes through notifications.services and every read through
notifications.selectors; nothing here has side effects.

Delivery elsewhere (e-mail digests, a private Atom feed, webhooks) hangs on
Notification: a delivery row per (notification, channel) whose idempotency key is the
notification's id and the channel, so a retried send finds it done; the inbox item is the
event, recorded once, and each channel reads from it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from accounts.private_feeds import PrivateFeed
from curation.models import Comment, Tag
from lists.models import PaperList
from papers.models import Paper
from readinggroup.models import ReadingSession

SEARCH_QUERY_MAX_LENGTH = 200  # the site's search box takes as many
SEARCH_NAME_MAX_LENGTH = 100
EVENT_KEY_MAX_LENGTH = 100


class FollowKind(models.TextChoices):
    TAG = "tag", "Tag"
    SEARCH = "search", "Saved search"
    PAPER = "paper", "Paper"
    LIST = "list", "List"


def _only(kind: str, target: str) -> Q:
    """The row of `kind` names `target` and no other target."""
    targets = {"tag": Q(tag__isnull=False), "paper": Q(paper__isnull=False)}
    targets["paper_list"] = Q(paper_list__isnull=False)
    targets["query_key"] = ~Q(query_key="")
    empty = {"tag": Q(tag__isnull=True), "paper": Q(paper__isnull=True)}
    empty["paper_list"] = Q(paper_list__isnull=True)
    empty["query_key"] = Q(query_key="")
    condition = Q(kind=kind) & targets[target]
    for other, none in empty.items():
        if other != target:
            condition &= none
    return condition


class Follow(models.Model):
    # No index of its own: (user, -id) below serves lookups by member.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=16, choices=FollowKind.choices)
    tag = models.ForeignKey(
        Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    paper = models.ForeignKey(
        Paper, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    paper_list = models.ForeignKey(
        PaperList, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    # A saved search: as the member typed it, and the key that tells two alike (case and
    # runs of blank space do not change what the search finds).
    query = models.CharField(max_length=SEARCH_QUERY_MAX_LENGTH, blank=True)
    query_key = models.CharField(max_length=SEARCH_QUERY_MAX_LENGTH, blank=True)
    name = models.CharField(max_length=SEARCH_NAME_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One follow per member and target: the constraints, not the code, refuse a second.
            models.UniqueConstraint(
                fields=["user", "tag"], condition=Q(kind="tag"), name="follow_unique_tag"
            ),
            models.UniqueConstraint(
                fields=["user", "paper"], condition=Q(kind="paper"), name="follow_unique_paper"
            ),
            models.UniqueConstraint(
                fields=["user", "paper_list"],
                condition=Q(kind="list"),
                name="follow_unique_list",
            ),
            models.UniqueConstraint(
                fields=["user", "query_key"],
                condition=Q(kind="search"),
                name="follow_unique_search",
            ),
            # Each kind names its own target and no other.
            models.CheckConstraint(
                condition=_only("tag", "tag")
                | _only("paper", "paper")
                | _only("list", "paper_list")
                | _only("search", "query_key"),
                name="follow_target_of_its_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-id"], name="follow_user_idx"),
            # The sweep of new papers reads every saved search.
            models.Index(
                fields=["query_key"], condition=Q(kind="search"), name="follow_search_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.kind} {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.kind == FollowKind.SEARCH:
            return self.name or self.query
        target = self.tag or self.paper or self.paper_list
        return str(target) if target is not None else ""


class NotificationKind(models.TextChoices):
    REPLY = "reply", "Reply to my comment"
    MENTION = "mention", "Mention of me in a comment"
    PAPER_COMMENT = "paper_comment", "Comment on a paper I follow"
    LIST_COMMENT = "list_comment", "Comment on a paper of a list I follow"
    TAG_PAPER = "tag_paper", "New paper with a tag I follow"
    SEARCH_PAPER = "search_paper", "New paper matching a search I follow"
    MADE_PRESENTER = "made_presenter", "Made presenter in a reading-group session"


class Notification(models.Model):
    """One item of a member's inbox: what happened (kind), who did it (actor) and what it is
    about (a paper, a comment, a session, a list, a tag, the follow that brought it).

    `event_key` names the event for its recipient ("comment:42", "paper:7",
    "presenter:3:7"): the unique (recipient, event_key) constraint makes recording it again
    (a task delivered twice, a retry, two reasons to tell of one comment) a no-op."""

    # No index of its own: the unique (recipient, event_key) and the inbox index serve it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    event_key = models.CharField(max_length=EVENT_KEY_MAX_LENGTH)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What it is about. The thing itself gone (a paper deleted), the item goes with it; a
    # list, tag or follow gone leaves the item, which still names its paper.
    paper = models.ForeignKey(
        Paper, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        ReadingSession, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    paper_list = models.ForeignKey(
        PaperList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    follow = models.ForeignKey(
        Follow, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Kept by the database from read_at: the inbox's order (unread first, then newest) and
    # the header's count read one index, (recipient, -unread, -id).
    unread = models.GeneratedField(
        expression=Case(When(read_at__isnull=True, then=Value(True)), default=Value(False)),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-unread", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="notification_unique_event"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-unread", "-id"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.event_key})"


class PaperAnnouncement(models.Model):
    """A published paper whose followers (of its tags, of saved searches) were told of it.

    The papers published and not announced yet are the sweep's work
    (notifications.services.papers_announce): a paper is announced once, when it is first
    published; hidden and restored, it is not news again."""

    paper = models.OneToOneField(
        Paper, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    announced_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"paper {self.paper_id} announced"


# --- Delivery of inbox items elsewhere --------------------------------------------------------
#
# The inbox item is the event, recorded once; each channel reads from it. The inbox itself is
# always on. A member chooses, per topic (a group of kinds), an e-mail digest (off, daily,
# weekly) and whether the item is in their private Atom feed. Teams add outgoing webhooks on a
# tag or a team list. Each send is a row keyed by what it sends and where (Delivery,
# WebhookDelivery): the unique constraint is the idempotency key, so a run repeated, retried or
# racing another finds the row and sends nothing twice (notifications.services.delivery).

WEBHOOK_URL_MAX_LENGTH = 500


class DeliveryTopic(models.TextChoices):
    """What a member sets delivery for: kinds of items, grouped as members think of them."""

    REPLY = "reply", "Replies to my comments"
    MENTION = "mention", "Mentions of me"
    FOLLOWED_COMMENT = "followed_comment", "Comments on papers and lists I follow"
    FOLLOWED_PAPER = "followed_paper", "New papers in tags and searches I follow"
    MADE_PRESENTER = "made_presenter", "Being made presenter in a session"


TOPIC_KINDS: dict[str, tuple[str, ...]] = {
    DeliveryTopic.REPLY: (NotificationKind.REPLY,),
    DeliveryTopic.MENTION: (NotificationKind.MENTION,),
    DeliveryTopic.FOLLOWED_COMMENT: (NotificationKind.PAPER_COMMENT, NotificationKind.LIST_COMMENT),
    DeliveryTopic.FOLLOWED_PAPER: (NotificationKind.TAG_PAPER, NotificationKind.SEARCH_PAPER),
    DeliveryTopic.MADE_PRESENTER: (NotificationKind.MADE_PRESENTER,),
}


class DigestCadence(models.TextChoices):
    OFF = "off", "No e-mail"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest (Mondays)"


DEFAULT_DIGEST_HOUR = 8  # local time of the member (accounts.time_zones)


class DeliveryProfile(models.Model):
    """A member's delivery settings that are not per topic: the hour of their digests."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    digest_hour = models.PositiveSmallIntegerField(default=DEFAULT_DIGEST_HOUR)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_hour__lte=23), name="delivery_profile_hour_of_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery settings of user {self.member_id}"


class DeliveryPreference(models.Model):
    """A member's channels for one topic. No row: no e-mail, and in the feed."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    topic = models.CharField(max_length=32, choices=DeliveryTopic.choices)
    email = models.CharField(max_length=8, choices=DigestCadence.choices, default="off")
    feed = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "topic"], name="delivery_pref_unique"),
        ]
        # The digest sweep reads the members with some e-mail on.
        indexes = [
            models.Index(fields=["email"], condition=~Q(email="off"), name="delivery_pref_email")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.topic}: {self.email}, feed {self.feed}"


class DigestStatus(models.TextChoices):
    SENDING = "sending", "Claimed, being sent"
    SENT = "sent", "Sent"
    EMPTY = "empty", "Nothing to send"
    FAILED = "failed", "Given up"


class Digest(models.Model):
    """One e-mail digest of a member for one period ("daily:2026-12-02", "weekly:2026-W49").

    The unique (member, period) is the digest's idempotency key, and its Message-ID is made
    from its id: a run that finds it claimed (sending) by a live run leaves it; one that finds
    it claimed long ago (its sender died) sends it again with the same items and Message-ID."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    period = models.CharField(max_length=24)
    status = models.CharField(max_length=8, choices=DigestStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="digest_unique_period"),
        ]
        indexes = [
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="digest_sending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"digest {self.period} of {self.member_id}: {self.status}"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "E-mail digest"


class Delivery(models.Model):
    """An inbox item delivered (or being delivered) on a channel: one per (item, channel),
    the constraint the idempotency key. An e-mail delivery names the digest that carries it."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    channel = models.CharField(max_length=16, choices=DeliveryChannel.choices)
    digest = models.ForeignKey(
        Digest, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_unique_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"item {self.notification_id} by {self.channel}"


class InboxFeed(PrivateFeed):
    """A member's private Atom feed of their inbox, /inbox/feed/<token>.atom (its token kept
    as a digest: accounts.private_feeds)."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return f"Inbox feed of user {self.member_id}"


class Webhook(models.Model):
    """An outgoing webhook on a tag (new papers published with it; moderators) or on a team
    list (papers put on it, new comments on its papers; its owner). Its secret signs every
    request (HMAC-SHA256): kept as is, since signing needs it, and shown to its creator once."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey(
        Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks"
    )
    paper_list = models.ForeignKey(
        PaperList, null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=WEBHOOK_URL_MAX_LENGTH)
    secret = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tag__isnull=False, paper_list__isnull=True)
                | Q(tag__isnull=True, paper_list__isnull=False),
                name="webhook_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"webhook {self.pk} to {self.url}"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Delivered"
    FAILED = "failed", "Given up"


class WebhookDelivery(models.Model):
    """One event sent to one webhook: unique (webhook, event_key), the idempotency key. The
    body is made once, when the event is recorded, so every attempt sends the same bytes."""

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    event_key = models.CharField(max_length=EVENT_KEY_MAX_LENGTH)
    payload = models.JSONField()
    status = models.CharField(
        max_length=8, choices=WebhookDeliveryStatus.choices, default="pending"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_key"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(status="pending"), name="webhook_delivery_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_key} to webhook {self.webhook_id}: {self.status}"


class PendingEvent(models.Model):
    """An event of an app below (a comment, a tag put on a paper, a paper put on a team list,
    a new presenter) that the inbox has still to handle: written in the transaction that
    caused it, so it commits or rolls back with the change, and deleted in the transaction
    that handles it (notifications.services.outbox). A row older than the sweep's grace is
    one whose task was lost (the broker down at commit, a worker killed)."""

    kind = models.CharField(max_length=32)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="pending_event_created")]

    def __str__(self) -> str:
        return f"{self.kind} {self.payload}"
