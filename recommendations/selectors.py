"""Reads of the recommendations: a paper's related papers (the pages and the API), a member's
"for you" feed and the signals it learns from, a tag's suggestions (moderators), and the
published papers' vectors with their tags, votes and days (the evaluation).

The API's related papers are served from the cache (`related_papers_for`): a list changes
only when its rows are written (a fit, a refresh: RELATED_GENERATION) or when a paper's
state or data changes (papers.services.changes.PAPERS_GENERATION), and both counters are in
the key. Measured in one process on PostgreSQL (1,500 papers): the list's query is 85% of
the endpoint's 3.3 ms, built by the ORM, planned and run; read from the cache the endpoint
takes DRF and the middleware alone. The API keeps the rendered body (`shape`), not the list:
on the 100,000 papers of `make bench-recs`, in one process, 0.5-0.7 ms of CPU a request
served from the cache against 1.0 ms when the list was kept and rendered each time, and
1.8-2.3 ms against 2.9 ms when the list is read.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.utils.module_loading import import_string

from accounts.roles import Viewer, require_member, require_moderator
from config.cursors import BadCursor, KeysetPage, cursor_decode, keyset_page, parse_int
from config.generations import generations_get
from curation.models import MarkKind, PaperMark, PaperTag, Vote
from curation.paging import feed_page
from curation.selectors import papers_list, papers_visible_to
from papers.models import Paper, PaperStatus
from papers.services.changes import PAPERS_GENERATION
from recommendations.engine.tag_model import MIN_POSITIVES
from recommendations.models import (
    FeatureVersion,
    FeatureVersionStatus,
    ForYouRanking,
    ForYouStatus,
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


def related_papers_for(
    *,
    pk: int,
    viewer: Viewer,
    limit: int = RELATED_SHOWN,
    shape: Callable[[list[RelatedItem]], Any] | None = None,
    shape_key: str = "",
) -> Any:
    """Paper `pk`'s related papers, or None if `viewer` may not open the paper
    (curation.selectors.papers_visible_to), from the cache when it holds them.

    What is kept is the answer an anonymous reader gets, the same for every reader who may
    open more than an anonymous one (members, moderators: papers_visible_to only adds to the
    published papers): the list itself, or that an anonymous reader may not open the paper.
    So a kept list is served to anyone; a paper an anonymous reader may not open (pending,
    hidden, missing) is a 404 from the cache for anonymous readers and is read through the
    viewer's own rule for the others. Kept RELATED_CACHE_SECONDS at most, keyed by the two
    generations of what it is made of (see the module).

    `shape`: what is kept and returned instead of the list, made of it once (the API keeps
    its rendered body: a request served from the cache then renders nothing); `shape_key`
    tells apart the shapes of one list (the body's media type and address)."""
    make = shape or _as_list
    generations = generations_get(RELATED_GENERATION, PAPERS_GENERATION)
    key = (
        f"{RELATED_CACHE_PREFIX}:{generations[RELATED_GENERATION]}:"
        f"{generations[PAPERS_GENERATION]}:{pk}:{limit}:"
        f"{hashlib.blake2b(shape_key.encode(), digest_size=8).hexdigest()}"
    )
    kept = cache.get(key)
    if kept is None:
        public = _related_public(pk=pk, limit=limit)
        kept = _NOT_PUBLIC if public is None else make(public)
        cache.set(key, kept, timeout=RELATED_CACHE_SECONDS)
    if not (isinstance(kept, str) and kept == _NOT_PUBLIC):
        return kept
    if not getattr(viewer, "is_authenticated", False):
        return None
    items = _related_visible(pk=pk, viewer=viewer, limit=limit)
    return None if items is None else make(items)


def _as_list(items: list[RelatedItem]) -> list[RelatedItem]:
    return items


def _related_sql() -> str:
    """The statement of `_related_public`, built once from the models' tables.

    Written out rather than built by the ORM: the endpoint is the one a paper page's readers
    and crawlers ask most, and most of its asks miss the cache (a list per paper). Measured on
    the 100,000 papers of `make bench-recs`, the same query built by the ORM took 3.0 ms a
    call and this one 0.6 ms, PostgreSQL's part included. The rule of who may open the
    paper is the anonymous reader's (curation.selectors.papers_visible_to: published);
    tests/recommendations/test_related.py holds the two to the same answers."""
    global _RELATED_SQL
    if _RELATED_SQL is None:
        related = connection.ops.quote_name(RelatedPaper._meta.db_table)
        papers = connection.ops.quote_name(Paper._meta.db_table)
        _RELATED_SQL = (
            "SELECT r.related_id, p.title, p.authors, p.author_count, p.arxiv_id, "
            f"p.first_digest_on, r.score FROM {related} r JOIN {papers} p ON p.id = r.related_id "
            "WHERE r.paper_id = %s AND p.status = %s AND EXISTS "
            f"(SELECT 1 FROM {papers} q WHERE q.id = %s AND q.status = %s) "
            "ORDER BY r.score DESC, r.related_id LIMIT %s"
        )
    return _RELATED_SQL


_RELATED_SQL: str | None = None


def _prepared_cursor():
    """On PostgreSQL, a cursor whose statement is planned once per connection
    (config/postgresql: planning the related list's statement cost 0.25 ms of the server's
    CPU a request, more than running it); elsewhere, Django's cursor."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()


def _related_public(*, pk: int, limit: int) -> list[RelatedItem] | None:
    """Paper `pk`'s related papers as an anonymous reader gets them, or None if such a
    reader may not open the paper: one statement when the list has rows (see _related_sql),
    a second to tell an empty list from a paper that is not public."""
    published = PaperStatus.PUBLISHED.value
    with _prepared_cursor() as cursor:
        cursor.execute(_related_sql(), [pk, published, pk, published, limit])
        rows = cursor.fetchall()
    if not rows:
        return [] if Paper.objects.published().filter(pk=pk).exists() else None
    return [
        RelatedItem(
            id=related_id,
            title=title,
            authors=json.loads(authors) if isinstance(authors, str) else authors,
            author_count=author_count,
            arxiv_id=arxiv_id,
            first_digest_on=datetime.date.fromisoformat(day) if isinstance(day, str) else day,
            score=score,
        )
        for related_id, title, authors, author_count, arxiv_id, day, score in rows
    ]


def _related_visible(*, pk: int, viewer: Viewer, limit: int) -> list[RelatedItem] | None:
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


def tag_suggestions_for(
    *, tag, viewer: Viewer, limit: int = TAG_SUGGESTIONS_SHOWN
) -> TagSuggestions:
    """The suggestions of `tag` (a curation Tag) for a moderator (a DomainError for anyone
    else): its training's row by its key, then the suggestions in ONE query on the index
    (tag, -score), joined to the papers, of the papers still published and without the tag.
    """
    viewer = require_moderator(viewer)
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


# --- A member's "for you" feed -----------------------------------------------------------------

# Below this many positive papers a member is a cold start: their "for you" feed is the hot
# feed, and says so.
FOR_YOU_MIN_POSITIVES = 3
FOR_YOU = "for_you"
# What the reader is told, by the state of their feed (ForYouFeedState.status).
MSG_FOR_YOU_READY = (
    "Recent papers ranked for you, from the papers you upvoted and put on lists and the "
    "tags you follow."
)
MSG_FOR_YOU_COLD_START = (
    "Your For you feed learns from the papers you upvote and add to your lists and from the "
    "tags you follow: it needs {needed} papers and has {count}. Upvote papers, add them to "
    "your lists or follow a tag (and mark those you do not want “Not interested”); until "
    "then here is the hot feed."
)
MSG_FOR_YOU_NEW = (
    "Your For you feed learns from the papers you upvote and add to your lists and from the "
    "tags you follow: it needs {needed} papers. Until then here is the hot feed."
)


@dataclass(frozen=True)
class Signal:
    """A member's act on a paper, and when."""

    user_id: int
    paper_id: int
    at: datetime.datetime


def positive_signals(*, user_ids: Sequence[int] | None = None) -> list[Signal]:
    """The members' (those of `user_ids`, or everyone's) positive signals: their upvotes
    and the sources of settings.FOR_YOU_POSITIVE_SOURCES (the papers they put on lists:
    lists.selectors.papers_added_by; the newest papers of the tags they follow:
    notifications.selectors.papers_of_followed_tags), each a callable(*, user_ids) of
    (member, paper, when) rows."""
    votes = Vote.objects.all()
    if user_ids is not None:
        votes = votes.filter(user_id__in=list(user_ids))
    rows: list[Signal] = [
        Signal(*row)
        for row in votes.values_list("user_id", "paper_id", "created_at").iterator(chunk_size=5000)
    ]
    for name in settings.FOR_YOU_POSITIVE_SOURCES:
        source = import_string(name)
        rows += [Signal(*row) for row in source(user_ids=user_ids)]
    return rows


def refused_signals(*, user_ids: Sequence[int] | None = None) -> list[Signal]:
    """The papers members marked "not interested": negatives of their model, and left out
    of their feed at once."""
    marks = PaperMark.objects.filter(kind=MarkKind.NOT_INTERESTED)
    if user_ids is not None:
        marks = marks.filter(user_id__in=list(user_ids))
    return [
        Signal(*row)
        for row in marks.values_list("user_id", "paper_id", "created_at").iterator(chunk_size=5000)
    ]


def for_you_positive_ids(*, user_id: int) -> set[int]:
    """The ids of the papers `user_id` showed they want (positive_signals): the positives of
    their "for you" model. A paper the member also marked not interested is not one."""
    refused = {signal.paper_id for signal in refused_signals(user_ids=[user_id])}
    return {s.paper_id for s in positive_signals(user_ids=[user_id])} - refused


def for_you_refused_ids(*, user_id: int) -> set[int]:
    return {signal.paper_id for signal in refused_signals(user_ids=[user_id])}


def members_with_signals() -> set[int]:
    """Members who have a signal of any kind, or a feed computed already (whose signals
    may all be gone since)."""
    members = {s.user_id for s in positive_signals()} | {s.user_id for s in refused_signals()}
    members |= set(ForYouRanking.objects.values_list("user_id", flat=True))
    active = get_user_model().objects.filter(pk__in=list(members), is_active=True)
    return set(active.values_list("pk", flat=True))


@dataclass(frozen=True)
class ForYouFeedState:
    """What a member's "for you" feed is, as last computed: `ready` (its papers are theirs)
    or `cold_start` (fewer than FOR_YOU_MIN_POSITIVES positives: the hot feed instead).
    positive_count is None when it was never computed (no signal yet)."""

    status: str
    positive_count: int | None
    computed_at: datetime.datetime | None = None

    @property
    def ready(self) -> bool:
        return self.status == ForYouStatus.READY

    @property
    def message(self) -> str:
        if self.ready:
            return MSG_FOR_YOU_READY
        if self.positive_count is None:
            return MSG_FOR_YOU_NEW.format(needed=FOR_YOU_MIN_POSITIVES)
        return MSG_FOR_YOU_COLD_START.format(
            needed=FOR_YOU_MIN_POSITIVES, count=self.positive_count
        )


def for_you_state(*, viewer: User) -> ForYouFeedState:
    """The state of `viewer`'s feed (a member), from their ForYouRanking row: one query by
    its primary key. No row: never computed (their first signal computes it)."""
    row = (
        ForYouRanking.objects.filter(user_id=viewer.pk)
        .values_list("status", "positive_count", "computed_at")
        .first()
    )
    if row is None:
        return ForYouFeedState(status=ForYouStatus.COLD_START, positive_count=None)
    status, positives, computed_at = row
    return ForYouFeedState(status=status, positive_count=positives, computed_at=computed_at)


def for_you_papers(
    *,
    viewer: User,
    tags: Sequence[str] = (),
    match_all_tags: bool = False,
    digest: datetime.date | None = None,
    has_code: bool = False,
) -> QuerySet[Paper]:
    """`viewer`'s "for you" feed, best first: the papers of their ForYouItem rows, read as a
    feed's rows (curation.selectors.papers_list: published only, the viewer's vote and marks,
    the tag and code filters, the hide-marked setting), with `for_you_rank`,
    `for_you_score` and `for_you_because` (ids of their papers nearest to it).

    A paper the viewer marked "not interested" is left out here, at once, whatever the
    hide-marked setting (the next computation also learns from it); a paper hidden since is
    left out by papers_list. One query a page: the (user, rank) index of ForYouItem, each
    row joined to its paper by its key."""
    papers = papers_list(
        viewer=viewer,
        order="hot",
        tags=tags,
        match_all_tags=match_all_tags,
        digest=digest,
        has_code=has_code,
        prefetch_tags=False,
    )
    refused = PaperMark.objects.filter(
        user=viewer, paper=OuterRef("pk"), kind=MarkKind.NOT_INTERESTED
    )
    return (
        papers.annotate(
            mine=FilteredRelation("for_you_items", condition=Q(for_you_items__user=viewer))
        )
        .filter(mine__isnull=False)
        .filter(~Exists(refused))
        .annotate(
            for_you_rank=F("mine__rank"),
            for_you_score=F("mine__score"),
            for_you_because=F("mine__because"),
        )
        .order_by("for_you_rank")
    )


def for_you_page(papers: QuerySet[Paper], *, page_size: int, cursor: str | None) -> KeysetPage:
    """A page of for_you_papers, keyset on the rank (unique for a member). A computation
    between two pages may move papers: the next page goes on from the same rank."""
    return keyset_page(
        papers,
        kind=FOR_YOU,
        page_size=page_size,
        cursor=cursor,
        key_of=lambda paper: paper.for_you_rank,
        parse_key=parse_int,
        after=lambda qs, key, pk: qs.filter(for_you_rank__gt=key),
    )


def is_for_you_cursor(cursor: str | None) -> bool:
    """Whether `cursor` was made by a for-you page (not by the hot feed shown instead)."""
    if not cursor:
        return False
    try:
        cursor_decode(cursor, FOR_YOU, parse_int)
    except BadCursor:
        return False
    return True


# The attribute attach_for_you_because gives the rows of a page.
FOR_YOU_BECAUSE = "for_you_because_papers"


def attach_for_you_because(papers: Sequence[Paper], *, viewer: Viewer) -> Sequence[Paper]:
    """Give each for-you row `for_you_because_papers`: the viewer's papers nearest to it, as
    [{"id", "title"}], those the viewer may still open, nearest first. ONE query for the
    whole page."""
    wanted = {pk for paper in papers for pk in (getattr(paper, "for_you_because", None) or [])}
    titles: dict[int, str] = {}
    if wanted:
        titles = dict(
            papers_visible_to(viewer).filter(pk__in=list(wanted)).values_list("pk", "title")
        )
    for paper in papers:
        ids = getattr(paper, "for_you_because", None) or []
        briefs = [{"id": pk, "title": titles[pk]} for pk in ids if pk in titles]
        setattr(paper, FOR_YOU_BECAUSE, briefs)
    return papers


@dataclass
class ForYouFeedPage:
    """A page of a member's "for you" feed as the reader gets it: `order` says what the rows
    are ("for_you", or "hot" for a cold start), `state` why."""

    state: ForYouFeedState
    order: str
    page: KeysetPage


def for_you_feed_page(
    *,
    viewer: Viewer,
    page_size: int,
    cursor: str | None,
    tags: Sequence[str] = (),
    match_all_tags: bool = False,
    digest: datetime.date | None = None,
    has_code: bool = False,
    defer: Sequence[str] = (),
) -> ForYouFeedPage:
    """A page of `viewer`'s (a member's) "for you" feed, the one rule of the API and the web
    feed: their ranked papers when their feed is ready, else the hot feed (with the same
    filters); a feed that began as the hot feed goes on as it, page after page, even if the
    member's feed became ready meanwhile. The page's rows carry `for_you_because_papers`
    in the for-you order. Queries: the state (by primary key), the page, the reasons."""
    viewer = require_member(viewer)
    state = for_you_state(viewer=viewer)
    if state.ready and (cursor is None or is_for_you_cursor(cursor)):
        papers = for_you_papers(
            viewer=viewer,
            tags=tags,
            match_all_tags=match_all_tags,
            digest=digest,
            has_code=has_code,
        ).defer(*defer)
        page = for_you_page(papers, page_size=page_size, cursor=cursor)
        attach_for_you_because(page.rows, viewer=viewer)
        return ForYouFeedPage(state=state, order=FOR_YOU, page=page)
    papers = papers_list(
        viewer=viewer,
        order="hot",
        tags=tags,
        match_all_tags=match_all_tags,
        digest=digest,
        has_code=has_code,
        prefetch_tags=False,
    ).defer(*defer)
    page = feed_page(papers, order="hot", status_view=False, page_size=page_size, cursor=cursor)
    return ForYouFeedPage(state=state, order="hot", page=page)
