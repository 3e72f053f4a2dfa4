"""Each member's "for you" feed: recent papers ranked by a classifier of the member's own
taste (recommendations.engine.for_you), stored per member (ForYouRanking, ForYouItem) so that
reading the feed is one indexed query and never trains anything.

What a member's model learns from (recommendations.selectors):
- positives: the papers they upvoted and put on lists, and the newest published papers of
  the tags they follow (`for_you_positive_ids`; the sources of
  settings.FOR_YOU_POSITIVE_SOURCES);
- negatives: the papers they marked "not interested", and a sample of the other published
  papers (engine.for_you.negative_sample).
Under FOR_YOU_MIN_POSITIVES positives a member is a cold start: no model, the hot feed.

What is ranked: the candidates, the published papers of the last FOR_YOU_WINDOW_DAYS digest
days counted back from the newest one (not from today: a site whose digests paused keeps a
feed), FOR_YOU_CANDIDATES at most, newest first, less the member's positives and refused
papers. The FOR_YOU_STORED best are kept, each with the 1 to 3 of the member's positives
nearest to it.

When: `for_you_schedule` sends the ranking of a member FOR_YOU_DEBOUNCE_SECONDS after their
signals change (curation.services.member_signals: a vote, a list item, a "not interested"
mark, a tag followed or no longer followed; the changes within that time make one
computation), and of every member after a fit, after a refresh that brought new published
papers, and from beat. With no broker (the embedded default) the tasks run in-process at
once: on the sample digests a member's ranking takes about 0.1 s.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from papers.models import Paper, PaperStatus
from papers.services.bulk import bulk_insert
from recommendations.engine import for_you as engine
from recommendations.models import (
    FeatureVersion,
    ForYouItem,
    ForYouRanking,
    ForYouStatus,
    PaperVector,
)
from recommendations.selectors import (
    FOR_YOU_MIN_POSITIVES,
    feature_version_current,
    for_you_positive_ids,
    for_you_refused_ids,
    members_with_signals,
)
from recommendations.storage import model_load, vectors_read

logger = logging.getLogger(__name__)

FOR_YOU_STORED = 200
FOR_YOU_WINDOW_DAYS = 60
FOR_YOU_CANDIDATES = 5000
# Before any computation stored: any real one is later.
NEVER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
SCHEDULED_KEY = "recommendations:for-you:scheduled:{who}"


@dataclass
class Candidates:
    """What every member's ranking of one version shares: the recent papers to rank (ids
    and vectors) and the published papers negatives are drawn from (ids)."""

    version: FeatureVersion
    n_features: int
    ids: np.ndarray
    matrix: sp.csr_matrix
    published_ids: np.ndarray


def for_you_candidates(version: FeatureVersion | None = None) -> Candidates | None:
    """The candidates of `version` (the current one by default); None without a version."""
    version = version or feature_version_current()
    if version is None:
        return None
    n_features = model_load(version).n_features
    published = PaperVector.objects.filter(version=version, paper__status=PaperStatus.PUBLISHED)
    newest = (
        Paper.objects.published()
        .filter(vector__version=version)
        .aggregate(newest=Max("first_digest_on"))["newest"]
    )
    ids: list[int] = []
    if newest is not None:
        since = newest - datetime.timedelta(days=FOR_YOU_WINDOW_DAYS - 1)
        ids = list(
            published.filter(paper__first_digest_on__gte=since)
            .order_by("-paper__first_digest_on", "-paper_id")
            .values_list("paper_id", flat=True)[:FOR_YOU_CANDIDATES]
        )
    candidate_ids, matrix = vectors_read(PaperVector.objects.filter(paper_id__in=ids), n_features)
    return Candidates(
        version=version,
        n_features=n_features,
        ids=candidate_ids,
        matrix=matrix,
        published_ids=np.fromiter(
            published.values_list("paper_id", flat=True).iterator(chunk_size=5000), np.int64
        ),
    )


def _vectors(version: FeatureVersion, ids, n_features: int):
    return vectors_read(
        PaperVector.objects.filter(version=version, paper_id__in=[int(pk) for pk in ids]),
        n_features,
    )


def for_you_rank(*, user_id: int, candidates: Candidates | None = None) -> ForYouRanking | None:
    """Compute and store the "for you" feed of member `user_id` (see the module); return its
    ranking, or None when the member is gone or inactive, or no features are fitted yet.
    `candidates`: shared by the members of one run (for_you_rank_all)."""
    if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
        return None
    started = time.perf_counter()
    read_at = timezone.now()
    positive_ids = for_you_positive_ids(user_id=user_id)
    refused_ids = for_you_refused_ids(user_id=user_id)
    if len(positive_ids) < FOR_YOU_MIN_POSITIVES:
        return _store(
            user_id=user_id,
            read_at=read_at,
            status=ForYouStatus.COLD_START,
            version=None,
            counts=(len(positive_ids), len(refused_ids), 0),
            items=[],
            started=started,
        )
    candidates = candidates or for_you_candidates()
    if candidates is None:
        return None
    version, n_features = candidates.version, candidates.n_features
    positive_rows, positives = _vectors(version, sorted(positive_ids), n_features)
    _, refused = _vectors(version, sorted(refused_ids), n_features)
    rng = engine.member_seed(user_id, version.pk)
    pool = np.setdiff1d(candidates.published_ids, list(positive_ids | refused_ids))
    sample = engine.negative_sample(pool, positives=len(positive_rows), rng=rng)
    drawn_ids, drawn = _vectors(version, sample.ids, n_features)
    negatives = tuple(drawn[np.isin(drawn_ids, half)] for half in sample.drawn)
    open_ = ~np.isin(candidates.ids, list(positive_ids | refused_ids))
    recommendations = engine.rank(
        positives=positives,
        positive_ids=positive_rows,
        refused=refused,
        sample=sample,
        negatives=(negatives[0], negatives[1]),
        candidates=candidates.matrix[open_],
        candidate_ids=candidates.ids[open_],
        limit=FOR_YOU_STORED,
    )
    return _store(
        user_id=user_id,
        read_at=read_at,
        status=ForYouStatus.READY,
        version=version,
        counts=(len(positive_ids), len(refused_ids), int(open_.sum())),
        items=recommendations,
        started=started,
    )


@transaction.atomic
def _store(
    *,
    user_id: int,
    read_at: datetime.datetime,
    status: str,
    version: FeatureVersion | None,
    counts: tuple[int, int, int],
    items: list[engine.Recommendation],
    started: float,
) -> ForYouRanking:
    """Replace the member's feed with `items`, unless a computation that read the signals
    later stored its own meanwhile (then that one is returned)."""
    now = timezone.now()
    ForYouRanking.objects.bulk_create(
        [
            ForYouRanking(
                user_id=user_id,
                status=ForYouStatus.COLD_START,
                signals_read_at=NEVER,
                computed_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    ranking = ForYouRanking.objects.select_for_update().get(user_id=user_id)
    if ranking.signals_read_at > read_at:
        return ranking
    # Papers deleted since the vectors were read have no place in it.
    alive = set(
        Paper.objects.filter(pk__in=[item.paper_id for item in items]).values_list("pk", flat=True)
    )
    kept = [item for item in items if item.paper_id in alive]
    ForYouItem.objects.filter(user_id=user_id).delete()
    bulk_insert(
        ForYouItem,
        ["user_id", "paper_id", "rank", "score", "because"],
        [
            (user_id, item.paper_id, rank, item.score, list(item.because))
            for rank, item in enumerate(kept, start=1)
        ],
        return_ids=False,
    )
    ranking.status = status
    ranking.version = version
    ranking.positive_count, ranking.refused_count, ranking.candidate_count = counts
    ranking.item_count = len(kept)
    ranking.signals_read_at = read_at
    ranking.computed_at = now
    ranking.seconds = round(time.perf_counter() - started, 4)
    ranking.save()
    return ranking


def for_you_rank_all() -> int:
    """Rank every member who has a signal (or a feed already); return how many were ranked.
    The candidates are read once for all of them, and not at all when no member is to be
    ranked (reading them takes about a second on 100,000 papers)."""
    members = sorted(members_with_signals())
    if not members:
        logger.info("for-you feeds: no member to rank")
        return 0
    candidates = for_you_candidates()
    done = 0
    for user_id in members:
        if for_you_rank(user_id=user_id, candidates=candidates) is not None:
            done += 1
    logger.info("for-you feeds of %s members ranked", done)
    return done


# --- When ---------------------------------------------------------------------------------------


def _scheduled_key(user_id: int | None) -> str:
    return SCHEDULED_KEY.format(who="all" if user_id is None else user_id)


def for_you_schedule(*, user_id: int | None = None) -> bool:
    """Send the ranking of member `user_id` (None: of every member) in
    settings.FOR_YOU_DEBOUNCE_SECONDS, unless one is waiting to start already: the changes
    made meanwhile are read by that one when it starts. True when one was sent.

    The mark of a waiting ranking lives in the cache (shared by the web processes and the
    workers in production; one process holds them all when embedded) and expires on its own,
    so a message lost with a broker is not waited for forever."""
    from recommendations.tasks import rank_for_you, rank_for_you_all  # the tasks import us

    delay = settings.FOR_YOU_DEBOUNCE_SECONDS
    key = _scheduled_key(user_id)
    if not cache.add(key, 1, timeout=2 * delay + 60):
        return False
    try:
        if user_id is None:
            rank_for_you_all.apply_async(countdown=delay)
        else:
            rank_for_you.apply_async(kwargs={"user_id": user_id}, countdown=delay)
    except Exception:
        cache.delete(key)
        raise
    return True


def for_you_schedule_taken(*, user_id: int | None = None) -> None:
    """The waiting ranking started: a change from now on schedules another."""
    cache.delete(_scheduled_key(user_id))


def member_signals_changed_handler(*, user_id: int) -> None:
    """settings.MEMBER_SIGNALS_CHANGED_HANDLERS: a member's signals changed."""
    for_you_schedule(user_id=user_id)
