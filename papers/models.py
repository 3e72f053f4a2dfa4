from django.conf import settings
from django.db import models
from django.db.models import Q


class PaperStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    HIDDEN = "hidden", "Hidden"


class PaperQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=PaperStatus.PUBLISHED)


class Paper(models.Model):
    """One paper, however many digests listed it.

    A paper is found again by its arXiv id or, failing that, by `title_key`, the normalized
    title (papers.parsing.normalize_title). Ingestion only ever fills fields in.
    """

    title = models.CharField(max_length=1000)
    title_key = models.CharField(max_length=1000)
    abstract = models.TextField(blank=True)
    arxiv_id = models.CharField(max_length=64, null=True, blank=True)
    authors = models.JSONField(default=list, blank=True)
    author_count = models.PositiveIntegerField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    first_digest_on = models.DateField(
        null=True, blank=True, help_text="The earliest digest day that listed it."
    )
    upvotes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Upvotes as last seen in a dump."
    )
    status = models.CharField(
        max_length=16, choices=PaperStatus.choices, default=PaperStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-first_digest_on", "id"]
        # Constraints and indexes are declared here rather than with unique=True/db_index=True
        # on the fields: on PostgreSQL those also build a second, "LIKE" index for every text
        # column, which nothing here queries and every insert would have to maintain.
        constraints = [
            models.UniqueConstraint(fields=["title_key"], name="paper_title_key_unique"),
            models.UniqueConstraint(fields=["arxiv_id"], name="paper_arxiv_id_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "-first_digest_on"], name="paper_status_digest_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class DumpStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


def _dump_upload_to(instance: "Dump", filename: str) -> str:
    # The stored name is the content hash: the original name is kept in its own field.
    return f"dumps/{instance.sha256[:2]}/{instance.sha256}"


class Dump(models.Model):
    """One uploaded digest file and the state of its ingestion."""

    file = models.FileField(upload_to=_dump_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dumps",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    digest_date = models.DateField(
        null=True, blank=True, help_text="The digest day given by the uploader, if any."
    )
    publish = models.BooleanField(default=False, help_text="Publish the new papers it brings.")

    status = models.CharField(max_length=16, choices=DumpStatus.choices, default=DumpStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    stats = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    warning_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            # A byte-identical file is a duplicate unless its earlier upload failed.
            models.UniqueConstraint(
                fields=["sha256"], condition=~Q(status="failed"), name="dump_sha256_unique_live"
            ),
        ]
        indexes = [models.Index(fields=["status"], name="dump_status_idx")]

    def __str__(self) -> str:
        return f"Dump #{self.pk} {self.original_name}"


class Digest(models.Model):
    """One digest day."""

    date = models.DateField(unique=True)
    dumps = models.ManyToManyField(Dump, related_name="digests", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.date.isoformat()


class DigestEntry(models.Model):
    """A paper as listed on one digest day."""

    # No index of its own: the unique (digest, paper) index serves lookups by digest.
    digest = models.ForeignKey(
        Digest, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="digest_entries")
    position = models.PositiveIntegerField()
    upvotes = models.PositiveIntegerField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    dump = models.ForeignKey(
        Dump,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
        help_text="The dump that last recorded this entry.",
    )

    class Meta:
        ordering = ["digest", "position"]
        constraints = [
            models.UniqueConstraint(fields=["digest", "paper"], name="digestentry_unique_paper"),
        ]

    def __str__(self) -> str:
        return f"{self.digest} #{self.position}"
