"""Reading papers and vectors for the engine, writing vectors back: the bridge between the
tables and recommendations.engine, shared by the fit, the refresh and the selectors."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.db import connection
from django.utils import timezone

from papers.models import Paper, PaperStatus
from papers.services.bulk import bulk_insert
from recommendations.engine.features import (
    FeatureModel,
    PaperText,
    vector_to_bytes,
    vectors_from_bytes,
)
from recommendations.models import FeatureVersion, PaperVector

READ_CHUNK = 5000
MSG_MODEL_CORRUPT = "The stored features of version {version} do not match their checksum."
# Serializes the writers of vectors and related papers (PostgreSQL; SQLite's IMMEDIATE
# transactions already take turns).
LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('paperboard.recommendations'))"


class ModelCorrupt(Exception):
    pass


def writers_lock() -> None:
    """Take the recommendations' write lock for the rest of the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(LOCK_SQL)


def statistics_refresh(*models) -> None:
    """Have the database count again the rows of tables just written whole (a fit's 100,000
    vectors and 1.2 million related papers), in the current transaction, which commits the
    counts with the rows. Until autovacuum comes round, the planner otherwise goes on with the
    counts of before: on the bench's database, the next refresh's delete of a day's lists by
    two indexes became a scan of the whole table (160 ms instead of 0.6 ms)."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def text_sha1(title: str, abstract: str, authors) -> str:
    """What a vector was made from, to tell when a paper's text changed."""
    names = [a for a in authors if isinstance(a, str)] if isinstance(authors, list) else []
    payload = json.dumps([title, abstract or "", names], ensure_ascii=False)
    return hashlib.sha1(payload.encode(), usedforsecurity=False).hexdigest()


def paper_text(title: str, abstract: str, authors) -> PaperText:
    names = tuple(a for a in authors if isinstance(a, str)) if isinstance(authors, list) else ()
    return PaperText(title=title, abstract=abstract or "", authors=names)


@dataclass
class Corpus:
    """Papers as the engine takes them, in the order of their ids."""

    ids: np.ndarray
    published: np.ndarray  # bool, per paper
    texts: list[PaperText]
    digests: list[str]

    def __len__(self) -> int:
        return len(self.ids)


def corpus_read(papers) -> Corpus:
    """The text of `papers` (a queryset ordered by id), read a chunk at a time."""
    ids: list[int] = []
    published: list[bool] = []
    texts: list[PaperText] = []
    digests: list[str] = []
    rows = papers.values_list("pk", "title", "abstract", "authors", "status").iterator(
        chunk_size=READ_CHUNK
    )
    for pk, title, abstract, authors, status in rows:
        ids.append(pk)
        published.append(status == PaperStatus.PUBLISHED)
        texts.append(paper_text(title, abstract, authors))
        digests.append(text_sha1(title, abstract, authors))
    return Corpus(
        ids=np.array(ids, dtype=np.int64),
        published=np.array(published, dtype=bool),
        texts=texts,
        digests=digests,
    )


# Versions never change once ready: their models are kept in memory once loaded.
_MODELS: dict[tuple[int, str], FeatureModel] = {}


def model_load(version: FeatureVersion) -> FeatureModel:
    """The fitted model of a ready version, checked against its checksum."""
    key = (version.pk, version.model_sha256)
    if key not in _MODELS:
        data = bytes(FeatureVersion.objects.values_list("model", flat=True).get(pk=version.pk))
        if hashlib.sha256(data).hexdigest() != version.model_sha256:
            raise ModelCorrupt(MSG_MODEL_CORRUPT.format(version=version.pk))
        _MODELS.clear()  # one version at a time is current
        _MODELS[key] = FeatureModel.from_bytes(data)
    return _MODELS[key]


def vectors_write(
    *,
    version: FeatureVersion,
    ids: np.ndarray,
    matrix: sp.csr_matrix,
    digests: Iterable[str],
    fitted: bool,
    offered: np.ndarray,
) -> None:
    """Store the rows of `matrix` as the vectors of the papers `ids` (no vector of theirs may
    exist: the caller deleted them)."""
    now = timezone.now()
    rows = [
        (int(pk), version.pk, vector_to_bytes(matrix, i), digest, fitted, bool(off), now)
        for i, (pk, digest, off) in enumerate(zip(ids, digests, offered, strict=True))
    ]
    bulk_insert(
        PaperVector,
        ["paper_id", "version_id", "data", "text_sha1", "fitted", "offered", "computed_at"],
        rows,
        return_ids=False,
    )


def vectors_read(vectors, n_features: int) -> tuple[np.ndarray, sp.csr_matrix]:
    """(paper ids, matrix) of a PaperVector queryset, in the order of the ids."""
    ids: list[int] = []
    blobs: list[bytes] = []
    for pk, data in (
        vectors.order_by("paper_id").values_list("paper_id", "data").iterator(chunk_size=READ_CHUNK)
    ):
        ids.append(pk)
        blobs.append(bytes(data))
    return np.array(ids, dtype=np.int64), vectors_from_bytes(blobs, n_features)


def published_vectors(version: FeatureVersion, n_features: int):
    """The vectors of the published papers: the candidates of every related list."""
    return vectors_read(
        PaperVector.objects.filter(version=version, paper__status=PaperStatus.PUBLISHED),
        n_features,
    )


def papers_with_vectors(version: FeatureVersion):
    return Paper.objects.filter(vector__version=version)
