"""Keeping the recommendations current between fits.

`recommendations_refresh` runs after every transaction that wrote papers (the writers send
it: papers.services.changes) and every half minute from beat. With the current version's
vocabulary it:

1. gives a vector to every paper waiting for one: new papers, papers whose title, abstract
   or authors changed (their text's digest differs), papers of an older version (which a fit
   replaced); and each of them its own related list;
2. offers every published paper not offered yet (new ones, and pending ones published
   since) to the lists of its nearest published papers (OFFER_DEPTH of them);
3. sends the ranking of every member's "for you" feed when published papers were offered
   (services.for_you), and a fit when the papers transformed since the last one exceed
   RECOMMENDATIONS_REFIT_GROWTH of those it was fitted on, or when there is no version yet.

Each batch is one transaction under the writers' lock, so two refreshes take turns and the
second finds nothing left; a refresh that dies leaves its papers waiting for the next one.

The published vectors searched are loaded once per worker process and version (`_targets`:
about a second for 100,000 papers) and kept; each run adds those written since as a small
second set searched beside them, until they outgrow DELTA_SHARE of the first and everything
is loaded again. So a day's digest is transformed and ranked in well under a second by a
worker that has run before (`make bench-recs`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from papers.models import Paper, PaperStatus
from recommendations.engine.neighbours import Neighbours, TargetIndex, merge
from recommendations.models import FeatureVersion, FeatureVersionStatus, PaperVector
from recommendations.selectors import feature_version_current
from recommendations.services.features import MSG_INTERRUPTED
from recommendations.services.for_you import for_you_schedule
from recommendations.services.related import (
    OFFER_DEPTH,
    RELATED_STORED,
    related_offer,
    related_replace,
    related_withdraw,
)
from recommendations.storage import (
    corpus_read,
    model_load,
    vectors_read,
    vectors_write,
    writers_lock,
)

logger = logging.getLogger(__name__)

BATCH = 2000
# The vectors written since the loaded ones are searched apart until they are this share of
# them; then all are loaded again.
DELTA_SHARE = 0.05
# Loaded vectors are loaded again after this long anyway (papers hidden or deleted since).
TARGETS_MAX_AGE = timedelta(hours=1)
# Vectors written this long before the loaded ones were read are read again with the new
# ones: clocks of the machines that write them may differ a little.
CLOCK_MARGIN = timedelta(minutes=5)


@dataclass
class RefreshResult:
    transformed: int = 0
    offered: int = 0
    fit_sent: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def papers_waiting(version: FeatureVersion):
    """Papers without a vector of `version`, or written since theirs was made."""
    return Paper.objects.filter(
        Q(vector__isnull=True)
        | ~Q(vector__version=version)
        | Q(vector__computed_at__lt=F("updated_at"))
    )


def recommendations_refresh(*, batch_size: int = BATCH) -> RefreshResult:
    """Bring vectors and related lists up to date (see the module); say what was done."""
    result = RefreshResult()
    version = feature_version_current()
    if version is None:
        if _first_fit_due():
            result.fit_sent = True
            _send_fit()
        return result
    started = time.perf_counter()
    while True:
        with transaction.atomic():
            writers_lock()
            done, offered = _transform_batch(version, batch_size=batch_size)
        result.transformed += done
        result.offered += offered
        if done < batch_size:
            break
    result.seconds["transform"] = time.perf_counter() - started
    started = time.perf_counter()
    while True:
        with transaction.atomic():
            writers_lock()
            done = _offer_batch(version, batch_size=batch_size)
        result.offered += done
        if done < batch_size:
            break
    result.seconds["offer"] = time.perf_counter() - started
    if result.offered:
        # Newly published papers: the members' "for you" feeds rank them too.
        for_you_schedule()
    if refit_due(version):
        result.fit_sent = True
        _send_fit()
    return result


def _transform_batch(version: FeatureVersion, *, batch_size: int) -> tuple[int, int]:
    """Vectors and own lists for up to `batch_size` waiting papers (offering the published
    ones at once); how many were waiting, how many were offered."""
    if feature_version_current() != version:
        return 0, 0  # a fit replaced it meanwhile: the next refresh uses the new one
    corpus = corpus_read(papers_waiting(version).order_by("pk")[:batch_size])
    if not len(corpus):
        return 0, 0
    stored = dict(
        PaperVector.objects.filter(paper_id__in=corpus.ids.tolist(), version=version).values_list(
            "paper_id", "text_sha1"
        )
    )
    unchanged = np.array(
        [
            stored.get(pk) == digest
            for pk, digest in zip(corpus.ids.tolist(), corpus.digests, strict=True)
        ],
        dtype=bool,
    )
    if unchanged.any():
        # Written again (the source's counts, say), not its text: nothing to redo. Marked
        # seen as of the paper's own time if that is later (another machine's clock ahead).
        PaperVector.objects.filter(paper_id__in=corpus.ids[unchanged].tolist()).update(
            computed_at=Greatest(
                Value(timezone.now(), output_field=DateTimeField()),
                Subquery(Paper.objects.filter(pk=OuterRef("paper_id")).values("updated_at")[:1]),
            )
        )
    changed = np.flatnonzero(~unchanged)
    if not len(changed):
        return len(corpus), 0
    ids = corpus.ids[changed]
    published = corpus.published[changed]
    model = model_load(version)
    matrix = model.transform([corpus.texts[i] for i in changed])
    related_withdraw(paper_ids=ids.tolist())
    PaperVector.objects.filter(paper_id__in=ids.tolist()).delete()
    vectors_write(
        version=version,
        ids=ids,
        matrix=matrix,
        digests=[corpus.digests[i] for i in changed],
        fitted=False,
        offered=published,
    )
    # A published paper's nearest papers give its own list (the first RELATED_STORED) and
    # the lists it is offered to (all OFFER_DEPTH): one search for both.
    neighbours = _nearest(
        version, matrix, ids, k=OFFER_DEPTH if published.any() else RELATED_STORED
    )
    own = Neighbours(neighbours.ids[:, :RELATED_STORED], neighbours.scores[:, :RELATED_STORED], "")
    related_replace(paper_ids=ids.tolist(), pairs=own.pairs(ids))
    if published.any():
        offers = Neighbours(neighbours.ids[published], neighbours.scores[published], "")
        related_offer(pairs=offers.pairs(ids[published]))
    return len(corpus), int(published.sum())


def _offer_batch(version: FeatureVersion, *, batch_size: int) -> int:
    """Offer up to `batch_size` published papers not offered yet (published since they got
    their vector) to their nearest papers' lists; how many were offered."""
    model = model_load(version)
    waiting = PaperVector.objects.filter(
        version=version, offered=False, paper__status=PaperStatus.PUBLISHED
    )
    first = list(waiting.order_by("paper_id").values_list("paper_id", flat=True)[:batch_size])
    if not first:
        return 0
    ids, matrix = vectors_read(PaperVector.objects.filter(paper_id__in=first), model.n_features)
    neighbours = _nearest(version, matrix, ids, k=OFFER_DEPTH)
    related_offer(pairs=neighbours.pairs(ids))
    PaperVector.objects.filter(paper_id__in=ids.tolist()).update(offered=True)
    return len(ids)


# --- The published vectors searched, kept by each worker process ------------------------------


@dataclass
class _Loaded:
    key: tuple
    index: TargetIndex
    read_at: datetime


_LOADED: dict[str, _Loaded] = {}


def targets_forget() -> None:
    """Drop the vectors kept in this process (tests; a version is otherwise told apart)."""
    _LOADED.clear()


def _published_vectors(version: FeatureVersion, n_features: int, since: datetime | None = None):
    """The published papers' vectors; `since`: only those transformed since then (the fit's
    own are all in the vectors loaded, which are loaded after it)."""
    vectors = PaperVector.objects.filter(version=version, paper__status=PaperStatus.PUBLISHED)
    if since is not None:
        vectors = vectors.filter(fitted=False, computed_at__gte=since)
    return vectors_read(vectors, n_features)


def _targets(version: FeatureVersion) -> tuple[TargetIndex, TargetIndex | None]:
    """The published vectors loaded (kept), and those written since (or None)."""
    n_features = model_load(version).n_features
    key = (version.pk, version.model_sha256, version.finished_at)
    loaded = _LOADED.get("targets")
    if (
        loaded is not None
        and loaded.key == key
        and timezone.now() - loaded.read_at < TARGETS_MAX_AGE
    ):
        ids, matrix = _published_vectors(version, n_features, since=loaded.read_at - CLOCK_MARGIN)
        if len(ids) <= DELTA_SHARE * max(len(loaded.index), 1):
            # The delta is always searched exactly: it is small.
            return loaded.index, TargetIndex(matrix, ids, exact=True) if len(ids) else None
    read_at = timezone.now()
    ids, matrix = _published_vectors(version, n_features)
    _LOADED["targets"] = _Loaded(key, TargetIndex(matrix, ids).prepare(), read_at)
    return _LOADED["targets"].index, None


def _nearest(version: FeatureVersion, queries, query_ids: np.ndarray, *, k: int) -> Neighbours:
    index, delta = _targets(version)
    if delta is None:
        return index.nearest(queries, k=k, query_ids=query_ids)
    # The loaded vectors of papers in the delta are older than the delta's.
    replaced = np.intersect1d(index.ids, delta.ids)
    first = index.nearest(queries, k=k + min(len(replaced), k), query_ids=query_ids)
    return merge(first, delta.nearest(queries, k=k, query_ids=query_ids), k=k, replaced=replaced)


# --- Fits ---------------------------------------------------------------------------------------


def refit_due(version: FeatureVersion) -> bool:
    """Whether the papers transformed since `version` was fitted exceed the set share."""
    late = PaperVector.objects.filter(version=version, fitted=False).count()
    return late > settings.RECOMMENDATIONS_REFIT_GROWTH * max(version.vector_count, 1)


def _first_fit_due() -> bool:
    """No version ready: fit, unless the last fit failed on the same published papers (they
    hold no word, say: a new paper may change that; the daily fit tries again anyway). One
    that was interrupted is tried again; one sent while another runs returns at once."""
    published = Paper.objects.published().count()
    if not published:
        return False
    last = FeatureVersion.objects.defer("model").order_by("-pk").first()
    if last is None or last.status != FeatureVersionStatus.FAILED:
        return True
    return last.error == MSG_INTERRUPTED or last.paper_count != published


def _send_fit() -> None:
    from recommendations.tasks import fit_features  # the tasks import the services

    transaction.on_commit(fit_features.delay, robust=True)
