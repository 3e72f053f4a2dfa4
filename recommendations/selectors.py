"""Reads of the recommendations: a paper's related papers (the pages and the API), and the
published papers' vectors with their tags, votes and days (the evaluation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from curation.models import PaperTag
from curation.selectors import papers_visible_to
from papers.models import Paper, PaperStatus
from recommendations.models import FeatureVersion, FeatureVersionStatus, PaperVector, RelatedPaper
from recommendations.storage import model_load, vectors_read

RELATED_SHOWN = 10
# What a related paper shows: its title, first authors and digest day.
RELATED_PAPER_FIELDS = (
    "related__id",
    "related__title",
    "related__authors",
    "related__author_count",
    "related__first_digest_on",
    "related__arxiv_id",
)


def feature_version_current() -> FeatureVersion | None:
    """The latest ready version, without its model's bytes."""
    return (
        FeatureVersion.objects.filter(status=FeatureVersionStatus.READY)
        .defer("model")
        .order_by("-pk")
        .first()
    )


def related_papers(*, paper_id: int, limit: int = RELATED_SHOWN) -> list[RelatedPaper]:
    """Paper `paper_id`'s nearest published papers, best first, each as a RelatedPaper with
    its `related` paper: ONE query, on the index (paper, -score) joined to the papers.
    Published ones only, so whoever may open the paper may open every one of them (a paper
    hidden since its list was written is left out here)."""
    return list(
        RelatedPaper.objects.filter(paper_id=paper_id, related__status=PaperStatus.PUBLISHED)
        .select_related("related")
        .only("score", "paper_id", *RELATED_PAPER_FIELDS)
        .order_by("-score", "related_id")[:limit]
    )


def related_papers_for(*, pk: int, viewer, limit: int = RELATED_SHOWN) -> list[RelatedPaper] | None:
    """Paper `pk`'s related papers, or None if `viewer` may not open the paper
    (curation.selectors.papers_visible_to)."""
    if not papers_visible_to(viewer).filter(pk=pk).exists():
        return None
    return related_papers(paper_id=pk, limit=limit)


# --- The evaluation's data ----------------------------------------------------------------------


@dataclass
class TaggedCorpus:
    """The published papers with a vector, in the order of their ids: their vectors, their
    tags (tag slug -> row positions), their first digest day (a day number, -1 without one)
    and their votes (the team's, and the source's upvotes)."""

    version: FeatureVersion
    ids: np.ndarray
    matrix: sp.csr_matrix
    tags: dict[str, np.ndarray]
    days: np.ndarray
    votes: np.ndarray
    source_upvotes: np.ndarray


def tagged_corpus(version: FeatureVersion | None = None) -> TaggedCorpus | None:
    """The evaluation's corpus (see TaggedCorpus) for `version` (the current one by
    default); None when no version is ready."""
    version = version or feature_version_current()
    if version is None:
        return None
    model = model_load(version)
    ids, matrix = vectors_read(
        PaperVector.objects.filter(version=version, paper__status=PaperStatus.PUBLISHED),
        model.n_features,
    )
    position = {pk: i for i, pk in enumerate(ids.tolist())}
    days = np.full(len(ids), -1, dtype=np.int64)
    votes = np.zeros(len(ids), dtype=np.int64)
    upvotes = np.zeros(len(ids), dtype=np.int64)
    papers = Paper.objects.published().filter(vector__version=version)
    for pk, day, vote_count, source in papers.values_list(
        "pk", "first_digest_on", "vote_count", "upvotes"
    ).iterator(chunk_size=5000):
        if pk not in position:
            continue
        i = position[pk]
        days[i] = day.toordinal() if day is not None else -1
        votes[i] = vote_count
        upvotes[i] = source or 0
    by_tag: dict[str, list[int]] = {}
    paper_tags = PaperTag.objects.filter(
        paper__status=PaperStatus.PUBLISHED, paper__vector__version=version
    )
    for pk, slug in paper_tags.values_list("paper_id", "tag__slug").iterator(chunk_size=5000):
        if pk in position:  # a vector written since the vectors were read
            by_tag.setdefault(slug, []).append(position[pk])
    return TaggedCorpus(
        version=version,
        ids=ids,
        matrix=matrix,
        tags={slug: np.array(sorted(rows_), dtype=np.int64) for slug, rows_ in by_tag.items()},
        days=days,
        votes=votes,
        source_upvotes=upvotes,
    )
