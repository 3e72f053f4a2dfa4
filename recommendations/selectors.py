"""Reads of the recommendations: a paper's related papers (the pages and the API), and the
published papers' vectors with their tags, votes and days (the evaluation).

The API's related papers are served from the cache (`related_papers_for`): a list changes
only when its rows are written (a fit, a refresh: RELATED_GENERATION) or when a paper's
state or data changes (papers.services.changes.PAPERS_GENERATION), and both counters are in
the key. Measured in one process on PostgreSQL (1,500 papers): the list's query is 85% of
the endpoint's 3.3 ms, built by the ORM, planned and run; read from the cache the endpoint
takes DRF and the middleware alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet

from accounts.roles import require_moderator
from config.generations import generations_get
from curation.models import PaperTag
from curation.selectors import papers_visible_to
from papers.models import Paper, PaperStatus
from papers.services.changes import PAPERS_GENERATION
from recommendations.engine.tag_model import MIN_POSITIVES
from recommendations.models import (
    FeatureVersion,
    FeatureVersionStatus,
    PaperVector,
    RelatedPaper,
    TagSuggestion,
    TagTraining,
    TagTrainingState,
)
from recommendations.storage import model_load, vectors_read

RELATED_SHOWN = 10
RELATED_GENERATION = "related-papers"
# A kept list lives this long at most. The counters make it fresh in a shared cache (Redis);
# this bounds how long a process with a cache of its own serves a list another process
# changed (a deployment of several processes without CACHE_URL).
RELATED_CACHE_SECONDS = 600
RELATED_CACHE_PREFIX = "recs:related:v1"
_NOT_PUBLIC = "not-public"


@dataclass(frozen=True)
class RelatedItem:
    """A related paper as its line shows it: title, authors, arXiv id, digest day, and how
    near it is (cosine similarity)."""

    id: int
    title: str
    authors: list
    author_count: int | None
    arxiv_id: str | None
    first_digest_on: datetime.date | None
    score: float


# RelatedItem's fields, read from the related table joined to the related paper.
RELATED_COLUMNS = (
    "related_id",
    "related__title",
    "related__authors",
    "related__author_count",
    "related__arxiv_id",
    "related__first_digest_on",
    "score",
)


def feature_version_current() -> FeatureVersion | None:
    """The latest ready version, without its model's bytes."""
    return (
        FeatureVersion.objects.filter(status=FeatureVersionStatus.READY)
        .defer("model")
        .order_by("-pk")
        .first()
    )


def _related(rows: QuerySet[RelatedPaper], limit: int) -> list[RelatedItem]:
    """Published papers only, so whoever may open the paper may open every one of them (a
    paper hidden since its list was written is left out here); best first. Plain rows, no
    model instances: the list is on every paper page."""
    rows = rows.filter(related__status=PaperStatus.PUBLISHED).order_by("-score", "related_id")
    return [RelatedItem(*row) for row in rows.values_list(*RELATED_COLUMNS)[:limit]]


def related_papers(*, paper_id: int, limit: int = RELATED_SHOWN) -> list[RelatedItem]:
    """Paper `paper_id`'s nearest published papers (the page has checked who may open it):
    ONE query, on the related table's index (paper, -score), joined to the papers."""
    return _related(RelatedPaper.objects.filter(paper_id=paper_id), limit)


def related_papers_for(*, pk: int, viewer, limit: int = RELATED_SHOWN) -> list[RelatedItem] | None:
    """Paper `pk`'s related papers, or None if `viewer` may not open the paper
    (curation.selectors.papers_visible_to), from the cache when it holds them.

    What is kept is the answer an anonymous reader gets, the same for every reader who may
    open more than an anonymous one (members, moderators: papers_visible_to only adds to the
    published papers): the list itself, or that an anonymous reader may not open the paper.
    So a kept list is served to anyone; a paper an anonymous reader may not open (pending,
    hidden, missing) is a 404 from the cache for anonymous readers and is read through the
    viewer's own rule for the others. Kept RELATED_CACHE_SECONDS at most, keyed by the two
    generations of what it is made of (see the module)."""
    generations = generations_get(RELATED_GENERATION, PAPERS_GENERATION)
    key = (
        f"{RELATED_CACHE_PREFIX}:{generations[RELATED_GENERATION]}:"
        f"{generations[PAPERS_GENERATION]}:{pk}:{limit}"
    )
    kept = cache.get(key)
    if kept is None:
        public = _related_visible(pk=pk, viewer=AnonymousUser(), limit=limit)
        kept = _NOT_PUBLIC if public is None else public
        cache.set(key, kept, timeout=RELATED_CACHE_SECONDS)
    if kept != _NOT_PUBLIC:
        return kept
    if not getattr(viewer, "is_authenticated", False):
        return None
    return _related_visible(pk=pk, viewer=viewer, limit=limit)


def _related_visible(*, pk: int, viewer, limit: int) -> list[RelatedItem] | None:
    """One query when the paper has related papers (the list is read through the rule of
    who may open the paper); a second tells an empty list from a paper the viewer may not
    open."""
    visible = papers_visible_to(viewer).filter(pk=pk)
    items = _related(
        RelatedPaper.objects.filter(paper_id=pk, paper__in=visible.values("pk")), limit
    )
    if items:
        return items
    return [] if visible.exists() else None


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


# --- A tag's suggestions (moderators) -------------------------------------------------------

TAG_SUGGESTIONS_SHOWN = 10
MSG_TOO_FEW = (
    "No suggestions: this tag has {count} published paper{s}, and its model needs at least "
    "{minimum} to learn what the tag is about."
)
MSG_NOT_TRAINED = (
    "No suggestions yet: the tag's model is trained within minutes of the papers' features "
    "being fitted or its papers changing."
)
MSG_NONE_LEFT = "No suggestions: every paper the model ranked high has been added or dismissed."


@dataclass(frozen=True)
class TagSuggestionItem:
    """A suggested paper as its line shows it, and the model's margin (higher: nearer)."""

    id: int
    title: str
    authors: list
    author_count: int | None
    arxiv_id: str | None
    first_digest_on: datetime.date | None
    score: float


@dataclass
class TagSuggestions:
    """A tag's block: `state` is "ready" (items, maybe none left), "too_few" or
    "not_trained"; `message` says why there is nothing to show, when there is not."""

    state: str
    message: str
    items: list[TagSuggestionItem]
    trained_at: datetime.datetime | None = None
    positives: int = 0
    version_id: int | None = None


def tag_suggestions_for(*, tag, viewer, limit: int = TAG_SUGGESTIONS_SHOWN) -> TagSuggestions:
    """The suggestions of `tag` (a curation Tag) for a moderator (a DomainError for anyone
    else): its training's row by its key, then the suggestions in ONE query on the index
    (tag, -score), joined to the papers, of the papers still published and without the tag.
    """
    require_moderator(viewer)
    if tag.paper_count < MIN_POSITIVES:
        count = tag.paper_count
        message = MSG_TOO_FEW.format(
            count=count, s="" if count == 1 else "s", minimum=MIN_POSITIVES
        )
        return TagSuggestions(state="too_few", message=message, items=[])
    training = TagTraining.objects.filter(tag_id=tag.pk).first()
    if training is None or training.state != TagTrainingState.TRAINED:
        return TagSuggestions(state="not_trained", message=MSG_NOT_TRAINED, items=[])
    tagged = PaperTag.objects.filter(tag_id=tag.pk, paper_id=OuterRef("paper_id"))
    rows = (
        TagSuggestion.objects.filter(tag_id=tag.pk, paper__status=PaperStatus.PUBLISHED)
        .filter(~Exists(tagged))
        .order_by("-score", "paper_id")
        .values_list(
            "paper_id",
            "paper__title",
            "paper__authors",
            "paper__author_count",
            "paper__arxiv_id",
            "paper__first_digest_on",
            "score",
        )[:limit]
    )
    items = [TagSuggestionItem(*row) for row in rows]
    return TagSuggestions(
        state="ready",
        message="" if items else MSG_NONE_LEFT,
        items=items,
        trained_at=training.trained_at,
        positives=training.positives,
        version_id=training.version_id,
    )
