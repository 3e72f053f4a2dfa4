"""Every write of the recommendations. Import from here:
`from recommendations.services import features_fit`."""

from recommendations.services.features import features_fit
from recommendations.services.for_you import (
    FOR_YOU_STORED,
    for_you_candidates,
    for_you_rank,
    for_you_rank_all,
    for_you_schedule,
    for_you_schedule_taken,
)
from recommendations.services.refresh import (
    RefreshResult,
    recommendations_refresh,
    refit_due,
    targets_forget,
)
from recommendations.services.related import OFFER_DEPTH, RELATED_STORED
from recommendations.services.tag_suggestions import (
    TAG_SUGGESTIONS_STORED,
    tag_suggestion_accept,
    tag_suggestion_dismiss,
    tag_suggestions_refresh,
    tags_due,
)

__all__ = [
    "FOR_YOU_STORED",
    "OFFER_DEPTH",
    "RELATED_STORED",
    "TAG_SUGGESTIONS_STORED",
    "RefreshResult",
    "features_fit",
    "for_you_candidates",
    "for_you_rank",
    "for_you_rank_all",
    "for_you_schedule",
    "for_you_schedule_taken",
    "recommendations_refresh",
    "refit_due",
    "tag_suggestion_accept",
    "tag_suggestion_dismiss",
    "tag_suggestions_refresh",
    "tags_due",
    "targets_forget",
]
