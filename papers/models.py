from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Greatest, Log

from papers.parsing.limits import MAX_SOURCE_NAME, MAX_URL

# --- Ranking (the "hot" feed) -------------------------------------------------------------
# hot_score = log10(max(vote_count + HOT_COMMENT_WEIGHT * comment_count, 1))
#             + days_since_epoch(first_digest_on) / HOT_DAYS_PER_DECADE
# Lobsters' log-of-score plus time, on the digest day: being HOT_DAYS_PER_DECADE days
# younger is worth ten times the points. The age term is the same for every paper at any
# moment, so the score never has to be recomputed as time passes: it is a generated column
# the database keeps current on every change of the counts, indexed for the feed.
HOT_COMMENT_WEIGHT = 2
HOT_DAYS_PER_DECADE = 2


class DaysSinceEpoch(Func):
    """Whole days from 1970-01-01 to a date, as an immutable expression (generated columns)."""

    output_field = models.IntegerField()
    arity = 1
    template = "(%(expressions)s - DATE '1970-01-01')"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
        )


def _hot_score_expression():
    points = F("vote_count") + HOT_COMMENT_WEIGHT * F("comment_count")
    age = DaysSinceEpoch(F("first_digest_on")) / float(HOT_DAYS_PER_DECADE)
    return Log(10, Greatest(points, 1)) + age


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
    # Kept apart from the id (which is without it): the latest version seen, when one was.
    arxiv_version = models.PositiveSmallIntegerField(null=True, blank=True)
    authors = models.JSONField(default=list, blank=True)
    author_count = models.PositiveIntegerField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    first_digest_on = models.DateField(
        null=True, blank=True, help_text="The earliest digest day that listed it."
    )
    upvotes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Upvotes at the source, as last seen in a dump."
    )
    # What the source (the Hugging Face daily papers JSON) says of the paper, apart from the
    # team's own votes and comments (vote_count, comment_count below). Ingestion fills these
    # in like the fields above; its three counts, which change over time, take the latest
    # dump's figure (papers.services.ingestion). Bounded by papers.parsing.limits. They have
    # database defaults: COPY may insert papers without naming them (bench/seed_api.py).
    source_comment_count = models.PositiveIntegerField(
        "comments at the source",
        null=True,
        blank=True,
        help_text="Comments at the source, as last seen in a dump.",
    )
    github_repo = models.URLField(
        "GitHub repository", max_length=MAX_URL, blank=True, default="", db_default=""
    )
    github_stars = models.PositiveIntegerField(
        "GitHub stars", null=True, blank=True, help_text="GitHub stars, as last seen in a dump."
    )
    project_page = models.URLField(max_length=MAX_URL, blank=True, default="", db_default="")
    thumbnail_url = models.URLField(
        "thumbnail", max_length=MAX_URL, blank=True, default="", db_default=""
    )
    ai_summary = models.TextField(
        "AI summary",
        blank=True,
        default="",
        db_default="",
        help_text="The source's AI-written summary.",
    )
    ai_keywords = models.JSONField(
        "AI keywords",
        default=list,
        db_default=[],
        blank=True,
        help_text="The source's AI-chosen keywords.",
    )
    organization = models.CharField(
        max_length=MAX_SOURCE_NAME, blank=True, default="", db_default=""
    )
    source_submitted_by = models.CharField(
        "submitted at the source by",
        max_length=MAX_SOURCE_NAME,
        blank=True,
        default="",
        db_default="",
        help_text="A user name at the source, not a member here.",
    )
    status = models.CharField(
        max_length=16, choices=PaperStatus.choices, default=PaperStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Curation. Ingestion inserts papers through COPY naming only the columns it knows, so
    # every column below has a database default (or is generated by the database).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_papers",
    )
    vote_count = models.PositiveIntegerField(
        default=0, db_default=0, help_text="Votes of members; kept by curation.services."
    )
    comment_count = models.PositiveIntegerField(
        default=0,
        db_default=0,
        help_text="Visible comments (neither deleted nor hidden); kept by curation.services.",
    )
    hot_score = models.GeneratedField(
        expression=_hot_score_expression(),
        output_field=models.FloatField(),
        db_persist=True,
        help_text="Rank in the hot feed; NULL without a digest day (see HOT_DAYS_PER_DECADE).",
    )

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
            # The keys of the feeds' cursor pagination, over published papers only.
            models.Index(
                fields=["-hot_score", "-id"],
                name="paper_hot_idx",
                condition=Q(status="published"),
            ),
            models.Index(
                fields=["-first_digest_on", "-id"],
                name="paper_new_idx",
                condition=Q(status="published"),
            ),
            models.Index(
                fields=["-vote_count", "-id"],
                name="paper_top_idx",
                condition=Q(status="published"),
            ),
            # The same three over the published papers with code (the "has code" filter), so
            # that feed reads a page of rows however few papers have code.
            models.Index(
                fields=["-hot_score", "-id"],
                name="paper_hot_code_idx",
                condition=Q(status="published") & ~Q(github_repo=""),
            ),
            models.Index(
                fields=["-first_digest_on", "-id"],
                name="paper_new_code_idx",
                condition=Q(status="published") & ~Q(github_repo=""),
            ),
            models.Index(
                fields=["-vote_count", "-id"],
                name="paper_top_code_idx",
                condition=Q(status="published") & ~Q(github_repo=""),
            ),
            # The moderation queue, oldest first (curation.paging.queue_page): a page of it
            # reads its rows, however many papers wait (a dump ingested without --publish).
            models.Index(
                fields=["created_at", "id"],
                name="paper_pending_queue_idx",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PaperSearch(models.Model):
    """A paper's full-text search vector: title weighted A above abstract B (PostgreSQL).

    Kept in a table of its own, not on the paper's row: a vote rewrites the paper's row (its
    counts and hot score), and every index on that row is written again with it. The search
    indexes (GIN, and RUM where PostgreSQL has it, papers migration 0003) are the costliest to
    write (a RUM entry took about 3 ms), and a vector changes only when a title or an abstract
    does. Rows are written by papers.services.search_index after the papers are (a paper
    without one is waiting to be indexed) and read by curation.selectors.papers_search. On
    SQLite the table exists but stays empty: search there matches the text itself.
    """

    paper = models.OneToOneField(
        Paper, on_delete=models.CASCADE, primary_key=True, related_name="search"
    )
    search_vector = SearchVectorField()
    error = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="Why the paper could not be indexed (its vector is then empty); "
        "empty when it was.",
    )

    def __str__(self) -> str:
        return f"search vector of paper {self.paper_id}"


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

    @property
    def warnings_unlisted(self) -> int:
        """Warnings counted in `warning_count` that `warnings` neither lists nor summarizes
        (a summary, with "omitted", stands for that many warnings of one kind)."""
        listed = sum(w.get("omitted") or 1 for w in self.warnings)
        return max(self.warning_count - listed, 0)


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
