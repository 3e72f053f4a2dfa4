"""The curation tables: moderation events, votes, tags and comments.

Every write to them goes through curation.services; nothing here has side effects.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from papers.models import Paper

DELETED_PLACEHOLDER = "[deleted]"
HIDDEN_PLACEHOLDER = "[hidden by a moderator]"


class TargetKind(models.TextChoices):
    PAPER = "paper", "Paper"
    COMMENT = "comment", "Comment"
    TAG = "tag", "Tag"


class ModerationAction(models.TextChoices):
    # Papers (see curation.services.workflow.TRANSITIONS) and comments.
    PUBLISH = "publish", "Publish"
    EDIT = "edit", "Edit"
    REJECT = "reject", "Reject"
    HIDE = "hide", "Hide"
    RESTORE = "restore", "Restore"
    # Comments.
    DISMISS_FLAGS = "dismiss_flags", "Dismiss flags"
    # Tags.
    CREATE = "create", "Create"
    RENAME = "rename", "Rename"
    MERGE = "merge", "Merge"
    DELETE = "delete", "Delete"


class ModerationEvent(models.Model):
    """One entry of the public moderation log.

    The target is kept as (kind, id, label) rather than a foreign key: the log outlives what
    it talks about (a merged or deleted tag), and the label says what it was at the time.
    """

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="moderation_events",
    )
    action = models.CharField(max_length=32, choices=ModerationAction.choices)
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    target_id = models.BigIntegerField()
    target_label = models.CharField(max_length=200, blank=True)
    from_state = models.CharField(max_length=200, blank=True)
    to_state = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="modevent_created_idx"),
            models.Index(fields=["moderator", "-created_at"], name="modevent_moderator_idx"),
            models.Index(fields=["action", "-created_at"], name="modevent_action_idx"),
            models.Index(fields=["target_kind", "-created_at"], name="modevent_kind_idx"),
            models.Index(fields=["target_kind", "target_id"], name="modevent_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_kind} #{self.target_id}"


class Vote(models.Model):
    """A member's upvote. At most one per member and paper: the constraint, not the code,
    makes a second one impossible."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "paper"], name="vote_unique_user_paper"),
        ]
        indexes = [models.Index(fields=["paper"], name="vote_paper_idx")]

    def __str__(self) -> str:
        return f"vote {self.user_id} -> {self.paper_id}"


TAG_NAME_MAX_LENGTH = 64


class Tag(models.Model):
    name = models.CharField(max_length=TAG_NAME_MAX_LENGTH, unique=True)
    slug = models.SlugField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    # Published papers with this tag, kept exact by curation.services.tags.tag_counts_refresh
    # in the transaction of every write that changes it (tagging, untagging, merging, a
    # paper's move into or out of "published"). Counting on every page view joined every
    # paper tag to its paper: about 300 ms per view at 176,000 paper tags.
    paper_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TagOldSlug(models.Model):
    """An address a tag had before a rename, or the address of a tag merged into it: its
    page, its API detail and every lookup by slug still find the tag there
    (curation.selectors.tag_by_slug), so links and saved follows keep working. The slug is
    given back when a tag takes it as its own (curation.services.tags)."""

    slug = models.SlugField(max_length=64, unique=True)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.slug} -> {self.tag_id}"


class PaperTag(models.Model):
    """A vocabulary tag applied to a paper, and who applied it."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="paper_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="paper_tags")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tag__name"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "tag"], name="papertag_unique_paper_tag"),
        ]
        # The unique (paper, tag) index serves lookups by paper; tag feeds need this one.
        indexes = [models.Index(fields=["tag", "paper"], name="papertag_tag_paper_idx")]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.paper_id}"


class Comment(models.Model):
    """A comment on a paper, possibly answering another comment of the same paper.

    Deleting or hiding keeps the row, so the replies below it stay in place; `body` and
    `body_html` of a deleted comment are emptied.
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(help_text="Markdown, as written.")
    body_html = models.TextField(help_text="Sanitized HTML, rendered when written.")
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["paper", "created_at", "id"], name="comment_paper_idx"),
            models.Index(fields=["author", "-created_at"], name="comment_author_idx"),
        ]

    def __str__(self) -> str:
        return f"comment #{self.pk} on {self.paper_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_visible(self) -> bool:
        """Counted in Paper.comment_count and shown to everyone."""
        return self.deleted_at is None and self.hidden_at is None

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    # What a reader sees of a comment: these three, for the API, the web pages and the log.
    # Why a comment was hidden is public, as every reason in the moderation log is; what it
    # said and who wrote it are shown to moderators only.

    def shows_author_to(self, *, moderator: bool = False) -> bool:
        return not self.is_deleted and (moderator or not self.is_hidden)

    def html_for(self, *, moderator: bool = False) -> str:
        """What a reader sees: the placeholder for a deleted comment, and for a hidden one
        unless the reader is a moderator."""
        if self.is_deleted:
            return DELETED_PLACEHOLDER
        if self.is_hidden and not moderator:
            return HIDDEN_PLACEHOLDER
        return self.body_html


class FlagReason(models.TextChoices):
    SPAM = "spam", "Spam"
    OFF_TOPIC = "off-topic", "Off-topic"
    ABUSE = "abuse", "Abuse"
    OTHER = "other", "Other"


class CommentFlag(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=FlagReason.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="commentflag_unique_user"),
        ]
        # The moderation queue lists comments with open flags.
        indexes = [
            models.Index(
                fields=["comment"], name="commentflag_open_idx", condition=Q(resolved_at=None)
            ),
        ]

    def __str__(self) -> str:
        return f"flag {self.reason} on comment #{self.comment_id}"


class MarkKind(models.TextChoices):
    READ = "read", "Read"
    NOT_INTERESTED = "not_interested", "Not interested"


class PaperMark(models.Model):
    """A member's own mark on a paper: read, or not interested (a paper may carry both). Only
    the member sees it; with MemberSettings.hide_marked the member's listings leave such
    papers out (curation.selectors.without_hidden_marks)."""

    # No index of its own: the unique (user, paper, kind) index serves lookups by user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=MarkKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Also the index of every lookup: a listing's NOT EXISTS and a card's marks ask
            # by (user, paper), the member's marks by user.
            models.UniqueConstraint(
                fields=["user", "paper", "kind"], name="papermark_unique_user_paper_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} -> {self.paper_id}"


class MemberSettings(models.Model):
    """What a member chose about their own reading; no row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    hide_marked = models.BooleanField(
        default=False,
        help_text="Leave the papers I marked read or not interested out of my listings.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "member settings"

    def __str__(self) -> str:
        return f"settings of {self.user_id}"
