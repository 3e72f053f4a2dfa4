"""Per-tag suggestions for moderators: papers that may belong to a tag.

Each tag with at least MIN_POSITIVES published papers gets a linear model on the current
features (recommendations.engine.tag_model): its papers against a sample of the others, every
published paper without the tag scored, the TAG_SUGGESTIONS_STORED best stored (TagSuggestion)
with the version they were scored in. The tag's page reads them in one indexed query.

A tag is trained again (`tags_due`) when its papers changed enough since its last training
(RETRAIN_MIN_CHANGES paper tags added or taken off, or RETRAIN_SHARE of its papers: a single
tag added does not retrain a tag of 400 papers), when the features were fitted again, and
once a day (papers published since are candidates). The writers of paper tags send the task
when they commit (settings.TAGS_CHANGED_TASKS), the fit sends it when it is done, beat every
TAG_SUGGESTIONS_SWEEP_SECONDS: each run trains only the tags that are due, so a burst of
tagging costs one training per tag once its changes add up.

A moderator accepts a suggestion (the tag goes on the paper through curation's
paper_tag_apply, logged) or dismisses it (kept in TagSuggestionDismissal: never suggested for
that tag again, and a negative example of its model from then on).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import Viewer, require_moderator
from config.errors import DomainError
from curation.models import PaperTag, Tag
from curation.services import paper_tag_apply
from papers.models import PaperStatus
from papers.services.bulk import bulk_insert
from recommendations.engine.tag_model import MIN_POSITIVES, tag_rank
from recommendations.models import (
    FeatureVersion,
    TagSuggestion,
    TagSuggestionDismissal,
    TagTraining,
    TagTrainingState,
)
from recommendations.selectors import feature_version_current
from recommendations.storage import model_load, published_vectors

logger = logging.getLogger(__name__)

TAG_SUGGESTIONS_STORED = 20
RETRAIN_MIN_CHANGES = 3
RETRAIN_SHARE = 0.2
RETRAIN_AFTER = timedelta(hours=24)

MSG_NOT_SUGGESTED = "This paper is not among the tag's suggestions (any more)."
REASON_SUGGESTED = "Suggested by the tag's model."


def tags_due(version: FeatureVersion) -> list[int]:
    """The ids of the tags to train now (see the module): two queries whatever the count of
    tags."""
    added_since = (
        PaperTag.objects.filter(tag_id=OuterRef("tag_id"), created_at__gt=OuterRef("trained_at"))
        .order_by()
        .values("tag_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    trainings = {
        training.tag_id: training
        for training in TagTraining.objects.annotate(
            added=Coalesce(Subquery(added_since, output_field=IntegerField()), 0)
        )
    }
    stale_before = timezone.now() - RETRAIN_AFTER
    due = []
    for tag_id, paper_count in Tag.objects.order_by("pk").values_list("pk", "paper_count"):
        training = trainings.get(tag_id)
        if training is None:
            if paper_count >= MIN_POSITIVES:
                due.append(tag_id)
            continue
        trained = training.state == TagTrainingState.TRAINED
        if not trained and paper_count < MIN_POSITIVES:
            continue  # too few, still: nothing to redo
        # Paper tags added since (counted by their time) and taken off (what the count
        # lacks of the papers trained on plus those added).
        removed = max(0, training.positives + training.added - paper_count)
        changes = training.added + removed
        if (
            not trained
            or training.version_id != version.pk
            or training.trained_at < stale_before
            or changes >= max(RETRAIN_MIN_CHANGES, RETRAIN_SHARE * training.positives)
        ):
            due.append(tag_id)
    return due


def tag_suggestions_refresh(*, tag_ids: list[int] | None = None) -> int:
    """Train the tags that are due (or exactly `tag_ids`) on the current version, reading
    the published vectors once; return how many were trained. Nothing without a version."""
    version = feature_version_current()
    if version is None:
        return 0
    chosen = tags_due(version) if tag_ids is None else list(tag_ids)
    if not chosen:
        return 0
    ids, matrix = published_vectors(version, model_load(version).n_features)
    for tag_id in chosen:
        tag_suggestions_train(tag_id=tag_id, version=version, ids=ids, matrix=matrix)
    return len(chosen)


def _rows_of(ids: np.ndarray, paper_ids) -> np.ndarray:
    """Positions in `ids` (sorted) of those of `paper_ids` that are there."""
    wanted = np.fromiter(paper_ids, dtype=np.int64)
    positions = np.searchsorted(ids, wanted)
    positions = positions[positions < len(ids)]
    return np.unique(positions[np.isin(ids[positions], wanted)])


def tag_suggestions_train(*, tag_id: int, version: FeatureVersion, ids, matrix) -> None:
    """Train tag `tag_id`'s model on the published vectors (`ids`, sorted, and `matrix`, of
    `version`) and store its suggestions, replacing the former ones; a tag with too few
    papers keeps none. Returns quietly if the tag is gone."""
    positive_ids = PaperTag.objects.filter(
        tag_id=tag_id, paper__status=PaperStatus.PUBLISHED
    ).values_list("paper_id", flat=True)
    dismissed_ids = TagSuggestionDismissal.objects.filter(tag_id=tag_id).values_list(
        "paper_id", flat=True
    )
    positives = _rows_of(ids, positive_ids)
    dismissed = _rows_of(ids, dismissed_ids)
    candidates = np.setdiff1d(np.arange(len(ids)), np.union1d(positives, dismissed))
    ranking = tag_rank(
        matrix,
        positives,
        candidates=candidates,
        dismissed=dismissed,
        top=TAG_SUGGESTIONS_STORED,
        seed=tag_id,
    )
    now = timezone.now()
    with transaction.atomic():
        # The tag's row locked: a tag deleted meanwhile is not written for, and one being
        # deleted waits for this write (whose rows then go with it).
        if not Tag.objects.select_for_update().filter(pk=tag_id).exists():
            return
        TagSuggestion.objects.filter(tag_id=tag_id).delete()
        rows = []
        if ranking is not None:
            # Papers tagged or dismissed since they were read are left out.
            taken = set(PaperTag.objects.filter(tag_id=tag_id).values_list("paper_id", flat=True))
            taken |= set(
                TagSuggestionDismissal.objects.filter(tag_id=tag_id).values_list(
                    "paper_id", flat=True
                )
            )
            rows = [
                (tag_id, int(ids[row]), float(score), version.pk, now)
                for row, score in zip(ranking.rows, ranking.scores, strict=True)
                if int(ids[row]) not in taken
            ]
            bulk_insert(
                TagSuggestion,
                ["tag_id", "paper_id", "score", "version_id", "created_at"],
                rows,
                return_ids=False,
            )
        TagTraining.objects.update_or_create(
            tag_id=tag_id,
            defaults={
                "state": TagTrainingState.TOO_FEW if ranking is None else TagTrainingState.TRAINED,
                "version": version,
                "positives": len(positives),
                "negatives": ranking.negatives if ranking else 0,
                "candidates": ranking.candidates if ranking else 0,
                "trained_at": now,
            },
        )
    logger.info("tag %s trained on %s papers: %s suggestions", tag_id, len(positives), len(rows))


def _suggestion(tag: Tag, paper_id: int) -> TagSuggestion:
    """The tag's suggestion of that paper, locked; a 404 when there is none."""
    suggestion = (
        TagSuggestion.objects.select_for_update()
        .select_related("paper")
        .filter(tag=tag, paper_id=paper_id)
        .first()
    )
    if suggestion is None:
        raise DomainError(MSG_NOT_SUGGESTED, code="not_found", status_code=404)
    return suggestion


@transaction.atomic
def tag_suggestion_accept(*, tag: Tag, paper_id: int, moderator: Viewer) -> TagSuggestion:
    """Put the tag on a suggested paper (curation's paper_tag_apply: the tag's rules, its
    count, the moderation log) and take the suggestion off. Moderators only."""
    moderator = require_moderator(moderator)
    suggestion = _suggestion(tag, paper_id)
    paper_tag_apply(paper=suggestion.paper, tag=tag, moderator=moderator, reason=REASON_SUGGESTED)
    suggestion.delete()
    return suggestion


@transaction.atomic
def tag_suggestion_dismiss(*, tag: Tag, paper_id: int, moderator: Viewer) -> TagSuggestion:
    """The paper does not belong to the tag: the suggestion is taken off and never made
    again (TagSuggestionDismissal). Moderators only."""
    moderator = require_moderator(moderator)
    suggestion = _suggestion(tag, paper_id)
    TagSuggestionDismissal.objects.get_or_create(
        tag=tag, paper_id=paper_id, defaults={"moderator": moderator}
    )
    suggestion.delete()
    return suggestion
