"""The tables of the recommendations: fitted feature versions, each paper's vector, each
paper's related papers and each member's "for you" feed.

Every write goes through recommendations.services; nothing here has side effects. The pages
and the API read RelatedPaper and ForYouItem only (one indexed query a page): no request ever
loads a model or a vector, or trains one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from papers.models import Paper


class FeatureVersionStatus(models.TextChoices):
    FITTING = "fitting", "Fitting"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class FeatureVersion(models.Model):
    """One fit of the features (recommendations.engine.features): its vocabularies and IDF
    (`model`, arrays saved by FeatureModel.to_bytes, checked against `model_sha256` when
    loaded) and what it was fitted on. The current version is the latest one ready; papers
    that arrive after it are transformed with it until the next fit."""

    status = models.CharField(
        max_length=16, choices=FeatureVersionStatus.choices, default=FeatureVersionStatus.FITTING
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    paper_count = models.PositiveIntegerField(
        default=0, help_text="Published papers the features were fitted on."
    )
    vector_count = models.PositiveIntegerField(
        default=0, help_text="Papers given a vector by the fit (every paper then)."
    )
    text_features = models.PositiveIntegerField(default=0)
    author_features = models.PositiveIntegerField(default=0)
    neighbour_method = models.CharField(
        max_length=16, blank=True, help_text="exact, or candidates (see engine.neighbours)."
    )
    params = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds of each step.")
    model = models.BinaryField(editable=False, default=b"")
    model_sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "-id"], name="featureversion_status_idx")]

    def __str__(self) -> str:
        return f"features v{self.pk} ({self.status})"


class PaperVector(models.Model):
    """A paper's feature vector in a version: the column indices (int32) then the values
    (float32) of its non-zero entries, a unit vector (engine.features.vector_to_bytes).

    Kept for every paper, whatever its state, so a pending paper's page shows its related
    papers too, and kept apart from the paper's row (which every vote rewrites). What comes
    next reads these too: a member's profile, a tag's classifier."""

    paper = models.OneToOneField(
        Paper, on_delete=models.CASCADE, primary_key=True, related_name="vector"
    )
    version = models.ForeignKey(FeatureVersion, on_delete=models.CASCADE, related_name="+")
    data = models.BinaryField()
    text_sha1 = models.CharField(
        max_length=40, help_text="Digest of the title, abstract and authors it was made from."
    )
    fitted = models.BooleanField(
        default=False, help_text="Among the papers of its version's fit (else transformed later)."
    )
    offered = models.BooleanField(
        default=False,
        help_text="Published, and offered to the related papers of the others (which a paper "
        "published later still waits for).",
    )
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # What the sweep looks for: papers transformed since the fit (the refit's share),
            # papers not yet offered to the others' lists.
            models.Index(
                fields=["version"], name="papervector_late_idx", condition=Q(fitted=False)
            ),
            models.Index(
                fields=["paper"], name="papervector_unoffered_idx", condition=Q(offered=False)
            ),
            # The vectors written since a worker loaded the others (services.refresh).
            models.Index(fields=["computed_at"], name="papervector_computed_idx"),
        ]

    def __str__(self) -> str:
        return f"vector of paper {self.paper_id} (v{self.version_id})"


class RelatedPaper(models.Model):
    """One of a paper's nearest published papers by cosine similarity, written by the
    services when the paper, or a paper near it, gets its vector. A paper keeps
    RELATED_STORED of them (recommendations.services.related) and shows the first
    RELATED_SHOWN its reader may open."""

    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="related_rows", db_index=False
    )
    related = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="related_to_rows")
    score = models.FloatField(help_text="Cosine similarity, 0 to 1.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "related"], name="relatedpaper_unique"),
        ]
        # A paper's list, best first: the one query of a paper's page.
        indexes = [models.Index(fields=["paper", "-score"], name="relatedpaper_paper_score_idx")]

    def __str__(self) -> str:
        return f"{self.related_id} near {self.paper_id} ({self.score:.3f})"


# --- Per-tag suggestions (recommendations.services.tag_suggestions) ---------------------------


class TagTrainingState(models.TextChoices):
    TRAINED = "trained", "Trained"
    TOO_FEW = "too_few", "Too few papers"


class TagTraining(models.Model):
    """The last training of a tag's model: on what, when, and with what outcome. A tag
    without a row has not been trained yet. What it was trained on tells when its papers
    have changed enough to train it again (services.tag_suggestions.tags_due)."""

    tag = models.OneToOneField(
        "curation.Tag", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=TagTrainingState.choices)
    version = models.ForeignKey(
        FeatureVersion, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    positives = models.PositiveIntegerField(
        default=0, help_text="The tag's published papers with a vector, trained on."
    )
    negatives = models.PositiveIntegerField(default=0)
    candidates = models.PositiveIntegerField(default=0, help_text="Papers scored.")
    trained_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"training of tag {self.tag_id} ({self.state})"


class TagSuggestion(models.Model):
    """A published paper without the tag that the tag's model ranks high: one of the
    TAG_SUGGESTIONS_STORED best of the tag's last training, shown to moderators on the tag's
    page. Written whole per tag by the training; taken off when accepted or dismissed."""

    tag = models.ForeignKey("curation.Tag", on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(help_text="The model's margin: higher is nearer the tag.")
    version = models.ForeignKey(FeatureVersion, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "paper"], name="tagsuggestion_unique"),
        ]
        # A tag's suggestions, best first: the one query of the tag page's block.
        indexes = [models.Index(fields=["tag", "-score"], name="tagsuggestion_tag_score_idx")]

    def __str__(self) -> str:
        return f"{self.paper_id} for tag {self.tag_id} ({self.score:.3f})"


class TagSuggestionDismissal(models.Model):
    """A paper a moderator said does not belong to a tag: never suggested for it again, and
    a negative example of the tag's model."""

    tag = models.ForeignKey("curation.Tag", on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "paper"], name="tagdismissal_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} dismissed for tag {self.tag_id}"


# --- For you (recommendations.services.for_you) ------------------------------------------


class ForYouStatus(models.TextChoices):
    READY = "ready", "Ready"
    COLD_START = "cold_start", "Too few signals"


class ForYouRanking(models.Model):
    """A member's "for you" feed as last computed (recommendations.services.for_you): its
    state and what it was computed from. Its papers are the member's ForYouItem rows.

    `signals_read_at` is when the member's signals were read for it: a computation that read
    them earlier than the stored one never overwrites it (two may run at once)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=ForYouStatus.choices)
    version = models.ForeignKey(
        FeatureVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    positive_count = models.PositiveIntegerField(
        default=0, help_text="The member's positive papers (upvoted, put on lists)."
    )
    refused_count = models.PositiveIntegerField(
        default=0, help_text="Papers the member marked not interested."
    )
    candidate_count = models.PositiveIntegerField(default=0, help_text="Recent papers ranked.")
    item_count = models.PositiveIntegerField(default=0, help_text="Papers kept in the feed.")
    signals_read_at = models.DateTimeField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0.0, help_text="Time the computation took.")

    def __str__(self) -> str:
        return f"for-you feed of {self.user_id} ({self.status})"


class ForYouItem(models.Model):
    """A paper of a member's "for you" feed, at its rank, with the member's own positive
    papers nearest to it (`because`: their ids, nearest first: "why this paper")."""

    # No index of its own: the unique (user, rank) index serves every read by user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="for_you_items")
    rank = models.PositiveIntegerField(help_text="1 is the best.")
    score = models.FloatField(help_text="The member's classifier's decision value.")
    because = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            # Also the index of the feed's one query: a member's papers in rank order.
            models.UniqueConstraint(fields=["user", "rank"], name="foryouitem_user_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} at {self.rank} for {self.user_id}"
