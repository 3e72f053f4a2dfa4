"""Fitting the features: a new version of the vocabularies and IDF over every published
paper, every paper's vector, every paper's related papers.

The work (reading, fitting, finding the neighbours) is done outside any transaction; what it
found is written in one: the version becomes current, every vector and every related list of
the older version is replaced, at once for readers (they see the old lists until the commit).
Papers that arrived meanwhile are left to the refresh, which the fit sends when it is done.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from django.db import connection, transaction
from django.utils import timezone

from papers.models import Paper
from recommendations.engine import features as engine_features
from recommendations.engine import neighbours as engine_neighbours
from recommendations.engine.neighbours import Neighbours
from recommendations.models import FeatureVersion, FeatureVersionStatus, PaperVector, RelatedPaper
from recommendations.services.related import RELATED_STORED, related_changed, related_insert
from recommendations.storage import (
    corpus_read,
    statistics_refresh,
    vectors_write,
    writers_lock,
)

logger = logging.getLogger(__name__)

MSG_NO_TERMS = "The published papers hold no word to fit the features on (only stop words)."
MSG_INTERRUPTED = "The fit stopped before it finished (its worker was stopped)."
# Model blobs kept: the current version's and the one before (to compare, or go back).
MODELS_KEPT = 2
# Papers whose vectors and related papers are written at a time.
WRITE_CHUNK = 10_000


FIT_LOCK_SQL = "hashtext('paperboard.recommendations.fit')"


@contextmanager
def fit_lock() -> Iterator[bool]:
    """Whether this process may fit now: held for the whole fit by one process at a time, and
    let go when the process dies, however it dies (PostgreSQL's session advisory lock; with
    SQLite, a file lock on this machine, keyed by the database)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_try_advisory_lock({FIT_LOCK_SQL})")
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT pg_advisory_unlock({FIT_LOCK_SQL})")
        return
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db():  # type: ignore[attr-defined]
        name = f"{name}|{os.getpid()}"  # no other process can open this database
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"paperboard-fit-{digest}.lock"
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def features_fit(
    *,
    max_features: int = engine_features.TEXT_MAX_FEATURES,
    sample_size: int = engine_features.VOCABULARY_SAMPLE,
    author_weight: float = engine_features.AUTHOR_WEIGHT,
    exact: bool | None = None,
) -> FeatureVersion | None:
    """Fit a new version on the published papers and make it current; return it (failed,
    with its error, when the papers hold nothing to fit). None when another process is
    fitting (`fit_lock`) or nothing is published. `exact` forces the way neighbours are
    found (None: by the cost, recommendations.engine.neighbours)."""
    with fit_lock() as held:
        if not held:
            return None
        # Fits left unfinished by a process that died (this one holds the lock now).
        FeatureVersion.objects.filter(status=FeatureVersionStatus.FITTING).update(
            status=FeatureVersionStatus.FAILED, error=MSG_INTERRUPTED, finished_at=timezone.now()
        )
        if not Paper.objects.published().exists():
            return None
        return _fit_version(
            max_features=max_features,
            sample_size=sample_size,
            author_weight=author_weight,
            exact=exact,
        )


def _fit_version(
    *, max_features: int, sample_size: int, author_weight: float, exact: bool | None
) -> FeatureVersion:
    params = {
        "max_features": max_features,
        "sample_size": sample_size,
        "author_weight": author_weight,
        "ngram_range": [1, 2],
        "sublinear_tf": True,
        "stop_words": "english",
        "related_stored": RELATED_STORED,
    }
    version = FeatureVersion.objects.create(params=params)
    try:
        return _fit(version, exact=exact)
    except Exception as exc:
        version.status = FeatureVersionStatus.FAILED
        version.error = MSG_NO_TERMS if _no_terms(exc) else f"{type(exc).__name__}: {exc}"[:2000]
        version.finished_at = timezone.now()
        version.save(update_fields=["status", "error", "finished_at"])
        if _no_terms(exc):
            return version
        raise


def _no_terms(exc: Exception) -> bool:
    text = str(exc)
    return isinstance(exc, ValueError) and ("empty vocabulary" in text or "no terms" in text)


def _fit(version: FeatureVersion, *, exact: bool | None) -> FeatureVersion:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    corpus = corpus_read(Paper.objects.order_by("pk"))
    timings["read"] = time.perf_counter() - started

    mark = time.perf_counter()
    published = np.flatnonzero(corpus.published)
    others = np.flatnonzero(~corpus.published)
    version.paper_count = len(published)
    version.save(update_fields=["paper_count"])
    model, published_matrix = engine_features.fit(
        [corpus.texts[i] for i in published],
        max_features=version.params["max_features"],
        sample_size=version.params["sample_size"],
        author_weight=version.params["author_weight"],
    )
    other_matrix = model.transform([corpus.texts[i] for i in others])
    # Back in the corpus's order (the order of the ids).
    order = np.empty(len(corpus), dtype=np.int64)
    order[np.concatenate([published, others])] = np.arange(len(corpus))
    matrix = sp.vstack([published_matrix, other_matrix], format="csr")[order]
    del other_matrix
    timings["features"] = time.perf_counter() - mark

    mark = time.perf_counter()
    index = engine_neighbours.TargetIndex(published_matrix, corpus.ids[published], exact=exact)
    neighbours = index.nearest(matrix, k=RELATED_STORED, query_ids=corpus.ids)
    del index, published_matrix
    timings["neighbours"] = time.perf_counter() - mark

    mark = time.perf_counter()
    blob = model.to_bytes()
    del corpus.texts[:]  # only the ids, states and digests are needed from here
    with transaction.atomic():
        writers_lock()
        # Papers deleted since they were read have neither vector nor list.
        alive = np.isin(corpus.ids, np.fromiter(Paper.objects.values_list("pk", flat=True), int))
        alive_ids = set(corpus.ids[alive].tolist())
        PaperVector.objects.all().delete()
        RelatedPaper.objects.all().delete()
        related_changed()
        # A chunk of papers at a time: the rows of 100,000 vectors and 1.2 million related
        # papers are never all in memory at once.
        for start in range(0, len(corpus), WRITE_CHUNK):
            span = np.arange(start, min(start + WRITE_CHUNK, len(corpus)))
            rows = span[alive[span]]
            ids = corpus.ids[rows]
            vectors_write(
                version=version,
                ids=ids,
                matrix=matrix[rows],
                digests=[corpus.digests[i] for i in rows],
                fitted=True,
                offered=corpus.published[rows],
            )
            chunk = Neighbours(neighbours.ids[rows], neighbours.scores[rows], neighbours.method)
            related_insert(
                rows=[pair for pair in chunk.pairs(ids) if pair[1] in alive_ids],
            )
        statistics_refresh(PaperVector, RelatedPaper)
        timings["write"] = time.perf_counter() - mark
        timings["total"] = time.perf_counter() - started
        version.status = FeatureVersionStatus.READY
        version.finished_at = timezone.now()
        version.vector_count = int(alive.sum())
        version.text_features = len(model.text_vocabulary)
        version.author_features = len(model.author_vocabulary)
        version.neighbour_method = neighbours.method
        version.model = blob
        version.model_sha256 = hashlib.sha256(blob).hexdigest()
        version.timings = {name: round(seconds, 3) for name, seconds in timings.items()}
        version.save()
        kept = FeatureVersion.objects.filter(status=FeatureVersionStatus.READY).values_list(
            "pk", flat=True
        )[:MODELS_KEPT]
        FeatureVersion.objects.exclude(pk__in=list(kept)).exclude(model=b"").update(model=b"")
        transaction.on_commit(_refresh_after_fit, robust=True)
    logger.info("features v%s fitted: %s", version.pk, version.timings)
    return version


def _refresh_after_fit() -> None:
    """Papers that arrived while the fit ran get their vectors now, the tags' models are
    trained on the new features, and every member's "for you" feed is ranked with them."""
    from recommendations.services.for_you import for_you_schedule
    from recommendations.tasks import (  # the tasks import services
        refresh_recommendations,
        train_tag_suggestions,
    )

    refresh_recommendations.delay()
    train_tag_suggestions.delay()
    for_you_schedule()
