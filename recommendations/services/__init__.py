"""Every write of the recommendations. Import from here:
`from recommendations.services import features_fit`."""

from recommendations.services.features import features_fit
from recommendations.services.refresh import (
    RefreshResult,
    recommendations_refresh,
    refit_due,
    targets_forget,
)
from recommendations.services.related import OFFER_DEPTH, RELATED_STORED

__all__ = [
    "OFFER_DEPTH",
    "RELATED_STORED",
    "RefreshResult",
    "features_fit",
    "recommendations_refresh",
    "refit_due",
    "targets_forget",
]
