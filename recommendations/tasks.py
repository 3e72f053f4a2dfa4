"""Celery tasks of the recommendations: thin doors into recommendations.services."""

from celery import shared_task
from django.conf import settings

from papers.services import TRANSIENT_ERRORS
from recommendations.services import (
    features_fit,
    for_you_rank,
    for_you_rank_all,
    for_you_schedule_taken,
    recommendations_refresh,
    tag_suggestions_refresh,
)

MAX_RETRIES = 5
# Every task here: acknowledged once done (a worker lost mid-task gives it back), retried with
# backoff on a transient error.
RETRIES = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": settings.TASK_RETRY_BACKOFF_MAX,
    "max_retries": MAX_RETRIES,
}


@shared_task(**RETRIES)
def refresh_recommendations() -> int:
    """Vectors and related papers for the papers written since the last run (sent by the
    writers when they commit, and periodically by beat)."""
    return recommendations_refresh().transformed


@shared_task(**RETRIES)
def fit_features() -> int | None:
    """Fit the features again on every published paper (daily from beat, and when the
    corpus has grown by RECOMMENDATIONS_REFIT_GROWTH); returns the version, if one was fitted."""
    version = features_fit()
    return version.pk if version is not None else None


@shared_task(**RETRIES)
def train_tag_suggestions() -> int:
    """Train the tags whose model is due (services.tag_suggestions.tags_due): sent when tags'
    papers change, after a fit, and by beat; returns how many were trained."""
    return tag_suggestions_refresh()


@shared_task(**RETRIES)
def rank_for_you(user_id: int) -> int | None:
    """Compute member `user_id`'s "for you" feed (sent, debounced, when their votes, lists
    or "not interested" marks change); returns how many papers it holds. Quiet when the
    member is gone."""
    for_you_schedule_taken(user_id=user_id)
    ranking = for_you_rank(user_id=user_id)
    return ranking.item_count if ranking is not None else None


@shared_task(**RETRIES)
def rank_for_you_all() -> int:
    """Compute every member's "for you" feed (after a fit, after new papers were published,
    and from beat); returns how many members were ranked."""
    for_you_schedule_taken()
    return for_you_rank_all()
