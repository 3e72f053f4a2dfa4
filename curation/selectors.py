"""Every non-trivial read of the curation side: feeds, the digest-day view, search, a paper's
page, comment threads, the moderation queue and log.

Feeds return QuerySets ordered by an indexed key and the id as tie-breaker (FEED_ORDERINGS);
`feed_after` gives keyset ("cursor") pagination over such a pair. Counts shown in lists
(votes, comments) are columns of Paper kept exact by curation.services, so no list ever
counts rows per paper.

The hot ranking is Paper.hot_score, a column the database generates from the counts and
the digest day: its formula and why are at the top of papers/models.py. It is indexed
(partial index over published papers, with id) for the first page and deep pages.
"""

from __future__ import annotations

import copy
import datetime
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from accounts.member_version import member_kept
from accounts.roles import Viewer, is_member, is_moderator
from config.errors import DomainError
from config.generations import generations_get
from curation.models import (
    Comment,
    CommentFlag,
    MarkKind,
    MemberSettings,
    ModerationEvent,
    PaperMark,
    PaperTag,
    Tag,
    TargetKind,
    Vote,
)
from curation.search_syntax import Query, parse_websearch, positive_terms
from papers.listing_version import SHARED_SECONDS, listing_shared
from papers.models import Digest, DigestEntry, Paper, PaperStatus
from papers.parsing.normalize import normalize_arxiv_id
from papers.services.search_index import search_ranks_in_index

FEED_ORDERINGS: dict[str, tuple[str, str]] = {
    "hot": ("-hot_score", "-id"),
    "new": ("-first_digest_on", "-id"),
    "top": ("-vote_count", "-id"),
}
TOP_PERIODS: dict[str, int | None] = {"day": 1, "week": 7, "month": 30, "year": 365, "all": None}
STATUS_ALL = "all"
# Search pages stop after this many results; without the RUM index no more matches are ranked
# (papers_search).
SEARCH_RANKED_MATCHES = 5000

MSG_UNKNOWN_ORDER = "Order by hot, new or top."
MSG_UNKNOWN_PERIOD = "The period is one of day, week, month, year or all."
MSG_STATUS_MODERATORS_ONLY = "Only moderators can list papers by status."
MSG_UNKNOWN_STATUS = "“{status}” is not a state of a paper."


# --- Building blocks ---------------------------------------------------------------------


def papers_visible_to(viewer: Viewer) -> QuerySet[Paper]:
    """Papers `viewer` may open: published ones; moderators see all; a member also sees the
    papers they submitted."""
    if is_moderator(viewer):
        return Paper.objects.all()
    if is_member(viewer):
        return Paper.objects.filter(Q(status=PaperStatus.PUBLISHED) | Q(submitted_by=viewer))
    return Paper.objects.published()


def with_viewer_vote(papers: QuerySet, viewer: Viewer, *, paper_ref: str = "pk") -> QuerySet:
    """Annotate `viewer_voted` (bool): one EXISTS in the same query, no query per row.
    paper_ref: the paper's id in the rows of `papers` ("pk" for papers, "paper_id" for rows
    that point at a paper)."""
    if not is_member(viewer):
        return papers.annotate(viewer_voted=Value(False, output_field=BooleanField()))
    return papers.annotate(
        viewer_voted=Exists(Vote.objects.filter(user=viewer, paper=OuterRef(paper_ref)))
    )


def _probed_per_row(rows: QuerySet, *, paper_ref: str) -> QuerySet:
    """`rows` (a subquery correlated to the outer row by `paper_ref`) with a condition on the
    outer row that always holds (ids are positive).

    Without it, PostgreSQL turns an EXISTS of the select list into a "hashed SubPlan" when it
    guesses that cheaper: it reads every mark of the member of that kind into a hash, for
    each page, a cost that grows with the member's marks (guessed on the whole feed, not the
    page's LIMIT). A condition on the outer row that is no plain equality keeps it a SubPlan
    that probes the (user, paper, kind) index once for each row the page shows."""
    return rows.filter(GreaterThan(OuterRef(paper_ref), 0))


# The annotation with_viewer_marks gives each row, per kind of mark.
MARK_ATTRS: dict[str, str] = {
    MarkKind.READ.value: "viewer_read",
    MarkKind.NOT_INTERESTED.value: "viewer_not_interested",
}


def with_viewer_marks(papers: QuerySet, viewer: Viewer, *, paper_ref: str = "pk") -> QuerySet:
    """Annotate `viewer_read` and `viewer_not_interested` (bools, MARK_ATTRS): `viewer`'s own
    marks, an EXISTS each in the same query, on the (user, paper, kind) index."""
    if not is_member(viewer):
        false = Value(False, output_field=BooleanField())
        return papers.annotate(**dict.fromkeys(MARK_ATTRS.values(), false))
    return papers.annotate(
        **{
            attr: Exists(
                _probed_per_row(
                    PaperMark.objects.filter(user=viewer, paper=OuterRef(paper_ref), kind=kind),
                    paper_ref=paper_ref,
                )
            )
            for kind, attr in MARK_ATTRS.items()
        }
    )


def viewer_marks(row) -> list[str]:
    """The kinds of mark a row annotated by with_viewer_marks carries, in MarkKind's order."""
    return [kind for kind, attr in MARK_ATTRS.items() if getattr(row, attr, False)]


def with_viewer_state(papers: QuerySet, viewer: Viewer, *, paper_ref: str = "pk") -> QuerySet:
    """What a card shows of its reader: their vote and their marks (three EXISTS in the
    same query)."""
    papers = with_viewer_vote(papers, viewer, paper_ref=paper_ref)
    return with_viewer_marks(papers, viewer, paper_ref=paper_ref)


@dataclass(frozen=True)
class ViewerState:
    """What `viewer_state_attach` read of a reader on a page of papers."""

    hides_marked: bool  # MemberSettings.hide_marked
    marked_shown: bool  # some paper of the page carries a mark of theirs


VIEWER_VOTED = "viewer_voted"  # with_viewer_vote's annotation
# (kind, paper id) rows of the one query of viewer_state_attach.
_VOTED = "voted"
_HIDES = "hides"


@dataclass(frozen=True)
class ViewerMarks:
    """A reader's own state on some papers, as viewer_state_read reads it."""

    voted: frozenset[int]  # the papers they voted for
    marks: dict[int, list[str]]  # paper id: the kinds of their marks on it, in MARK_ATTRS's order
    hides_marked: bool  # MemberSettings.hide_marked


NO_VIEWER_MARKS = ViewerMarks(voted=frozenset(), marks={}, hides_marked=False)
# How long a member's state on a page of papers is kept in the cache at most. Every change
# of it (a vote, a mark, the hide_marked setting) moves the member's version on, so this
# bounds only a change made without the services.
VIEWER_STATE_SECONDS = 600


def viewer_state_read(ids: Sequence[int], viewer: Viewer) -> ViewerMarks:
    """`viewer`'s votes and marks on the papers `ids` and their hide_marked setting: ONE
    query, a UNION on the (user, paper) indexes (none for an anonymous reader), kept in the
    cache under the member's version (accounts.member_version): the services that change
    any of it move the version on, so a member's next page shows their vote or mark while
    their other pages, reloaded, cost the database nothing."""
    if not is_member(viewer):
        return NO_VIEWER_MARKS
    listed = ",".join(str(int(pk)) for pk in ids)
    return member_kept(
        "viewer-state",
        viewer.pk,
        listed,
        partial(_viewer_state_query, ids, viewer),
        seconds=VIEWER_STATE_SECONDS,
    )


def _viewer_state_query(ids: Sequence[int], viewer: User) -> ViewerMarks:
    with connection.cursor() as cursor:
        cursor.execute(*_viewer_state_statement(viewer.pk, list(ids)))
        rows = cursor.fetchall()
    voted: set[int] = set()
    kinds: dict[int, set[str]] = {}
    hides_marked = False
    for kind, paper_id in rows:
        if kind == _HIDES:
            hides_marked = True
        elif kind == _VOTED:
            voted.add(paper_id)
        elif kind in MARK_ATTRS:
            kinds.setdefault(paper_id, set()).add(kind)
    marks = {
        paper_id: [kind for kind in MARK_ATTRS if kind in found]
        for paper_id, found in kinds.items()
    }
    return ViewerMarks(voted=frozenset(voted), marks=marks, hides_marked=hides_marked)


def viewer_state_attach(papers: Sequence[Paper], viewer: Viewer) -> ViewerState:
    """Give papers read without their reader (rows shared by every reader of a list page)
    the reader's own state, as with_viewer_state annotates it: `viewer_voted` and the mark
    attributes (MARK_ATTRS), from viewer_state_read's one query.

    The caller shows the page only if not `hides_marked and marked_shown`: a reader who
    hides marked papers and marked one of these gets the page read for them instead
    (without_hidden_marks), which fills it with others."""
    state = viewer_state_read([paper.pk for paper in papers], viewer)
    for paper in papers:
        setattr(paper, VIEWER_VOTED, paper.pk in state.voted)
        kinds = state.marks.get(paper.pk, ())
        for kind, attr in MARK_ATTRS.items():
            setattr(paper, attr, kind in kinds)
    return ViewerState(hides_marked=state.hides_marked, marked_shown=bool(state.marks))


def _viewer_state_statement(user_id: int, ids: list[int]) -> tuple[str, list]:
    """viewer_state_attach's one statement and its parameters: a UNION ALL of the reader's
    votes on the papers `ids`, their marks on them, and a row if they hide marked papers.

    Written out (table names from the models) rather than built by the ORM on each page: the
    three querysets and their union cost 1.5 ms of CPU a signed-in page to build for a
    statement PostgreSQL runs in a tenth of that (bench database, make bench-api).
    tests/curation/test_api_shared_rows.py holds its answers to the rule of with_viewer_state.
    """
    q = connection.ops.quote_name
    # The page's ids written in as numbers (int() of the rows' own keys): a parameter each
    # would make the driver parse the statement afresh on every page (psycopg keeps the
    # parsed form of statements with up to 50 parameters only).
    listed = ", ".join(str(int(pk)) for pk in ids) or "NULL"
    sql = (
        f"SELECT %s, paper_id FROM {q(Vote._meta.db_table)} "
        f"WHERE user_id = %s AND paper_id IN ({listed}) "
        f"UNION ALL SELECT kind, paper_id FROM {q(PaperMark._meta.db_table)} "
        f"WHERE user_id = %s AND paper_id IN ({listed}) "
        f"UNION ALL SELECT %s, 0 FROM {q(MemberSettings._meta.db_table)} "
        "WHERE user_id = %s AND hide_marked = %s"
    )
    return sql, [_VOTED, user_id, user_id, _HIDES, user_id, True]


def without_hidden_marks(papers: QuerySet[Paper], viewer: Viewer) -> QuerySet[Paper]:
    """The one rule of the "hide papers I marked" setting (MemberSettings.hide_marked),
    applied by every listing of papers a member reads (papers_list: the feeds, tags, search,
    the API's lists and the exports; papers_for_digest_day): when `viewer` turned it on,
    the papers they marked read or not interested are left out. Anonymous readers (the
    public RSS and Atom feeds among them) see every paper.

    One NOT EXISTS in the listing's own query, no query more, with the setting inside it:
    PostgreSQL reads the setting once for the query (an InitPlan) and makes the rest an
    anti join that probes the (user, paper, kind) index once for each row the page reads,
    as the viewer's vote is probed. Written as `NOT hiding OR NOT marked` instead, it read
    every mark of the member into a hash for each page (a "hashed SubPlan"), a cost that
    grows with the member's marks."""
    if not is_member(viewer):
        return papers
    hiding = Exists(MemberSettings.objects.filter(user=viewer, hide_marked=True))
    marked = PaperMark.objects.filter(user=viewer, paper=OuterRef("pk")).filter(hiding)
    return papers.filter(~Exists(marked))


def with_tags(papers: QuerySet[Paper]) -> QuerySet[Paper]:
    """Prefetch each paper's tags as `paper.paper_tags.all()` (PaperTag with its tag):
    one extra query for the whole page, whatever its size."""
    return papers.prefetch_related(
        Prefetch(
            "paper_tags", queryset=PaperTag.objects.select_related("tag").order_by("tag__name")
        )
    )


# The attribute attach_tag_briefs gives the papers of a page (not a column of theirs).
TAG_BRIEFS = "tag_briefs"


def attach_tag_briefs(papers: Sequence[Paper]) -> Sequence[Paper]:
    """Give each paper of a page `tag_briefs`: its tags as [{"slug", "name"}] by name, read
    with ONE query of three columns for the whole page. What list items show of the tags,
    without the model instances and related managers a prefetch builds for every row
    (with_tags, for pages that need PaperTag rows)."""
    by_paper: dict[int, list[dict]] = {paper.pk: [] for paper in papers}
    if by_paper:
        rows = (
            PaperTag.objects.filter(paper_id__in=list(by_paper))
            .order_by("tag__name")
            .values_list("paper_id", "tag__slug", "tag__name")
        )
        for paper_id, slug, name in rows:
            by_paper[paper_id].append({"slug": slug, "name": name})
    for paper in papers:
        setattr(paper, TAG_BRIEFS, by_paper[paper.pk])
    return papers


def filter_papers(
    papers: QuerySet[Paper],
    *,
    tags: Sequence[str] = (),
    match_all_tags: bool = False,
    digest: datetime.date | None = None,
    has_code: bool = False,
) -> QuerySet[Paper]:
    """Papers having any of the tag slugs (all of them with match_all_tags), and/or listed
    on the digest day `digest`, and/or with a code repository known (`has_code`: the
    condition of the feeds' *_code_idx indexes, papers/models.py). EXISTS subqueries, so no
    duplicates and no DISTINCT."""
    if has_code:
        papers = papers.filter(~Q(github_repo=""))
    slugs = [slug for slug in dict.fromkeys(tags) if slug]
    if slugs and match_all_tags:
        for slug in slugs:
            papers = papers.filter(
                Exists(PaperTag.objects.filter(paper=OuterRef("pk"), tag__slug=slug))
            )
    elif slugs:
        papers = papers.filter(
            Exists(PaperTag.objects.filter(paper=OuterRef("pk"), tag__slug__in=slugs))
        )
    if digest is not None:
        papers = papers.filter(
            Exists(DigestEntry.objects.filter(paper=OuterRef("pk"), digest__date=digest))
        )
    return papers


def _published_with_day() -> QuerySet[Paper]:
    # Publishing gives a paper a digest day (services.workflow), so the second filter drops
    # nothing in practice; it keeps NULL keys out of the feeds' orderings.
    return Paper.objects.published().filter(first_digest_on__isnull=False)


# --- Feeds -------------------------------------------------------------------------------


def feed_hot(papers: QuerySet[Paper] | None = None) -> QuerySet[Paper]:
    """Published papers by hot_score (see the module docstring), then newest id."""
    papers = _published_with_day() if papers is None else papers
    return papers.order_by(*FEED_ORDERINGS["hot"])


def feed_new(papers: QuerySet[Paper] | None = None) -> QuerySet[Paper]:
    """Published papers, latest digest day first."""
    papers = _published_with_day() if papers is None else papers
    return papers.order_by(*FEED_ORDERINGS["new"])


def feed_top(
    period: str = "all",
    *,
    papers: QuerySet[Paper] | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Paper]:
    """Published papers with the most votes among those whose digest day falls within the
    period: "day" is today's digest only, "week" the last 7 days (today included), "month"
    30, "year" 365, "all" no limit."""
    if period not in TOP_PERIODS:
        raise DomainError(MSG_UNKNOWN_PERIOD, code="invalid")
    papers = _published_with_day() if papers is None else papers
    since = _top_period_start(period, today)
    if since is not None:
        papers = papers.filter(first_digest_on__gt=since)
    return papers.order_by(*FEED_ORDERINGS["top"])


def _top_period_start(period: str, today: datetime.date | None) -> datetime.date | None:
    """The top feed of `period` counts the digest days after this one (None: every day)."""
    days = TOP_PERIODS[period]
    if days is None:
        return None
    return (today or timezone.localdate()) - datetime.timedelta(days=days)


def top_period_with_papers(
    *,
    viewer: Viewer = None,
    tags: Sequence[str] = (),
    status: str | None = None,
    today: datetime.date | None = None,
) -> str | None:
    """The shortest period of TOP_PERIODS whose top feed shows papers with these filters (as
    papers_list takes them: any of the tag slugs, a moderator's status), or None when no
    period does: what an empty top feed suggests.

    The latest digest day among those papers, from the first row of the "new" feed (its
    digest-day index), then the shortest period that counts that day. Papers without a
    digest day (pending ones, in moderators' status views) are left out.

    Tags are matched by id, read first (one more query): by slug, PostgreSQL cannot tell a
    tag on no paper from a common one, and walks the whole feed looking for its first paper
    (99,000 rows for an unknown slug on 20,000 papers); by id, it knows from the column's
    statistics, and an unknown slug or a tag on no published paper needs no walk at all."""
    papers = papers_list(viewer=viewer, order="new", status=status, prefetch_tags=False)
    slugs = [slug for slug in dict.fromkeys(tags) if slug]
    if slugs:
        found = list(Tag.objects.filter(slug__in=slugs).values_list("pk", "paper_count"))
        published_only = status in (None, PaperStatus.PUBLISHED)
        if not found or (published_only and not sum(count for _, count in found)):
            return None
        ids = [pk for pk, _ in found]
        papers = papers.filter(
            Exists(PaperTag.objects.filter(paper=OuterRef("pk"), tag_id__in=ids))
        )
    latest = (
        papers.filter(first_digest_on__isnull=False)
        .values_list("first_digest_on", flat=True)
        .first()
    )
    if latest is None:
        return None
    for period in TOP_PERIODS:
        since = _top_period_start(period, today)
        if since is None or latest > since:
            return period
    return None


def feed_after(
    papers: QuerySet[Paper], *, order: str, key, pk: int, nulls_last: bool = False
) -> QuerySet[Paper]:
    """Keyset pagination: the rows of a feed ordered by FEED_ORDERINGS[order] that come
    after the row whose (key, id) is given. `key` is that row's hot_score, first_digest_on
    or vote_count.

    `key < k OR (key = k AND id < pk)` alone is not an index condition: PostgreSQL would
    walk the feed's (key DESC, id DESC) index from its start and filter every row before
    the cursor, so a page would cost more the deeper it is. The redundant `key <= k` in
    front is one: the scan starts at the cursor, and page 100 costs what page 1 does.

    nulls_last: the moderators' status views, ordered with NULL keys last (papers never
    published have no digest day, so no hot_score or first_digest_on). Rows after a row
    with a key are the ones after it by key, then every NULL-key row; rows after a NULL-key
    row are the NULL-key rows with a smaller id.
    """
    field_name = FEED_ORDERINGS[order][0].lstrip("-")
    if nulls_last:
        if key is None:
            return papers.filter(**{f"{field_name}__isnull": True, "pk__lt": pk})
        return papers.filter(
            Q(**{f"{field_name}__lte": key})
            & (Q(**{f"{field_name}__lt": key}) | Q(**{field_name: key, "pk__lt": pk}))
            | Q(**{f"{field_name}__isnull": True})
        )
    return papers.filter(
        Q(**{f"{field_name}__lte": key})
        & (Q(**{f"{field_name}__lt": key}) | Q(**{field_name: key, "pk__lt": pk}))
    ).order_by(*FEED_ORDERINGS[order])


def papers_list(
    *,
    viewer: Viewer = None,
    order: str = "hot",
    period: str = "all",
    tags: Sequence[str] = (),
    match_all_tags: bool = False,
    digest: datetime.date | None = None,
    status: str | None = None,
    search: str | None = None,
    arxiv_id: str | None = None,
    has_code: bool = False,
    today: datetime.date | None = None,
    prefetch_tags: bool = True,
    every_match: bool = False,
) -> QuerySet[Paper]:
    """The paper list behind the API's GET /api/papers/ and the web feeds, in one call.

    - arxiv_id: only the paper with this id (normalized: any form normalize_arxiv_id reads);
      has_code: only papers with a code repository known.

    - order: "hot" | "new" | "top" (with `period`); ignored when `search` is given (results
      then come by relevance, `search_rank`).
    - tags: slugs (any of them; all with match_all_tags); digest: a digest day.
    - status: moderators only: a PaperStatus value or "all"; others get published papers
      and a DomainError (403) if they ask for a status.
    When `viewer` hides the papers they marked, those are left out (without_hidden_marks).
    Rows carry `viewer_voted`, the viewer's marks (with_viewer_marks) and prefetched tags
    (two queries per page in all). With
    prefetch_tags=False the tags are left out: call attach_tag_briefs on the page (the API's
    lists, which show only each tag's slug and name).
    every_match: exports, which read every row: a search ranks all its matches (see
    papers_search's `rank_cap`; pages stop at SEARCH_RANKED_MATCHES anyway).
    """
    if order not in FEED_ORDERINGS:
        raise DomainError(MSG_UNKNOWN_ORDER, code="invalid")
    if status is not None and status != PaperStatus.PUBLISHED:
        if not is_moderator(viewer):
            raise DomainError(MSG_STATUS_MODERATORS_ONLY, code="permission_denied", status_code=403)
        if status != STATUS_ALL and status not in PaperStatus.values:
            raise DomainError(MSG_UNKNOWN_STATUS.format(status=status), code="invalid")
    if status is None or status == PaperStatus.PUBLISHED:
        papers = _published_with_day()
    elif status == STATUS_ALL:
        papers = Paper.objects.all()
    else:
        papers = Paper.objects.filter(status=status)
    papers = filter_papers(
        papers, tags=tags, match_all_tags=match_all_tags, digest=digest, has_code=has_code
    )
    papers = without_hidden_marks(papers, viewer)
    if arxiv_id is not None:
        papers = papers.filter(arxiv_id=normalize_arxiv_id(arxiv_id) or "")
    if search and search.strip():
        rank_cap = None if every_match else SEARCH_RANKED_MATCHES
        papers = papers_search(search, papers=papers, rank_cap=rank_cap)
    elif order == "hot":
        papers = feed_hot(papers)
    elif order == "new":
        papers = feed_new(papers)
    else:
        papers = feed_top(period, papers=papers, today=today)
    papers = with_viewer_state(papers, viewer)
    return with_tags(papers) if prefetch_tags else papers


# --- Citations ---------------------------------------------------------------------------

# What a citation shows (curation.citations.Citable): the only columns its reads load.
CITATION_FIELDS = (
    "id",
    "title",
    "abstract",
    "arxiv_id",
    "authors",
    "author_count",
    "published_on",
    "first_digest_on",
)


def papers_citable(*, viewer: Viewer = None, **filters) -> QuerySet[Paper]:
    """The papers of papers_list(viewer=..., **filters), in its order, for citations: every
    match of a search (every_match), no tags, only CITATION_FIELDS. Read it with
    .iterator(): an export streams whatever the number of rows."""
    papers = papers_list(viewer=viewer, prefetch_tags=False, every_match=True, **filters)
    return papers.only(*CITATION_FIELDS)


def paper_citable(*, pk: int, viewer: Viewer = None) -> Paper | None:
    """One paper's citation columns (CITATION_FIELDS), or None if `viewer` may not see it
    (papers_visible_to)."""
    return papers_visible_to(viewer).filter(pk=pk).only(*CITATION_FIELDS).first()


# --- Search ------------------------------------------------------------------------------


class SearchDistance(Func):
    """`vector <=> query`: the RUM extension's distance between a vector and a query (lower
    is closer; 1 / ts_rank with the default weights), which its index orders by."""

    arg_joiner = " <=> "
    template = "(%(expressions)s)"
    output_field = FloatField()


def _websearch_q(parsed: Query) -> Q:
    """A filter for the groups of a parsed query: any group whose terms all hold."""
    groups = []
    for group in parsed:
        every = Q()
        for term in group:
            found = Q(title__icontains=term.text) | Q(abstract__icontains=term.text)
            every &= ~found if term.negated else found
        groups.append(every)
    either = groups[0]
    for every in groups[1:]:
        either |= every
    return either


def papers_search(
    query: str,
    *,
    papers: QuerySet[Paper] | None = None,
    rank_cap: int | None = SEARCH_RANKED_MATCHES,
) -> QuerySet[Paper]:
    """Papers matching `query` in title or abstract, best first, annotated `search_rank`
    (higher is better).

    PostgreSQL: the stored vector of PaperSearch (title weighted A, abstract B; filled within
    seconds of a paper being written, see papers.services.search_index), matched with
    websearch_to_tsquery (quotes, OR, -word), so a title match outranks an abstract match.

    - With the RUM index of papers migration 0003 (search_ranks_in_index), the results are
      ordered by `search_vector <=> query`, the distance the index itself
      orders by (1 / ts_rank with the default weights): a page reads its rows from the index
      in order, in about a millisecond whatever the number of matches. The order has no
      tie-breaker (one would make PostgreSQL sort every match): papers of equal rank come in
      the index's order, which is stable while the papers do not change.
    - Without it (GIN), ranking reads each match's vector (about 5 µs a row), so at most
      `rank_cap` + 1 matches are ranked (SEARCH_RANKED_MATCHES): beyond the cap, the first
      matches the index scan yields (in table order, not by relevance) are ranked and the
      others left out, a bound on the cost of a query that matches almost everything. Any
      query with fewer matches, the usual case, is ranked whole. rank_cap=None ranks every
      match: the exports, which read them all anyway.

    Elsewhere (SQLite): the same syntax read by curation.search_syntax, each word or phrase
    a case-insensitive substring of the title or the abstract (so `model` also finds
    "models", as the stemming of PostgreSQL would); papers with more of the query's words
    in their title come first.
    """
    papers = Paper.objects.published() if papers is None else papers
    query = query.strip()
    arxiv_id = normalize_arxiv_id(query)
    if arxiv_id is not None:
        # An arXiv id or address typed in the box: that paper, whatever its text says.
        return papers.filter(arxiv_id=arxiv_id).annotate(search_rank=Value(1.0)).order_by("id")
    if connection.vendor == "postgresql":
        tsquery = SearchQuery(query, search_type="websearch", config="english")
        matches = papers.filter(search__search_vector=tsquery)
        if search_ranks_in_index():
            return matches.annotate(
                search_distance=SearchDistance(F("search__search_vector"), tsquery),
                search_rank=ExpressionWrapper(
                    Value(1.0) / F("search_distance"), output_field=FloatField()
                ),
            ).order_by("search_distance")
        if rank_cap is not None:
            matches = papers.filter(pk__in=matches.order_by().values("pk")[: rank_cap + 1])
        return matches.annotate(
            search_rank=SearchRank(F("search__search_vector"), tsquery)
        ).order_by("-search_rank", "-id")
    parsed = parse_websearch(query)
    if not parsed:
        return papers.none()
    papers = papers.filter(_websearch_q(parsed))
    rank = sum(
        (
            Case(When(title__icontains=text, then=Value(1)), default=Value(0))
            for text in positive_terms(parsed)
        ),
        Value(0),
    )
    return papers.annotate(search_rank=rank).order_by("-search_rank", "-id")


# A search page says how many papers match up to this many; beyond, "more than".
SEARCH_COUNT_CAP = 1000


def papers_search_count(results: QuerySet[Paper], *, cap: int = SEARCH_COUNT_CAP) -> int:
    """How many rows `results` (a papers_search or papers_list(search=...) queryset) holds,
    counted up to cap + 1: the count reads at most that many matches, whatever the query."""
    return results.order_by().values("pk")[: cap + 1].count()


# --- The digest-day view -----------------------------------------------------------------


@dataclass
class DigestDay:
    date: datetime.date | None
    papers: QuerySet[Paper]  # published papers of that day, in the digest's order
    previous: datetime.date | None  # the digest day before, if any
    next: datetime.date | None  # the digest day after, if any
    has_digest: bool = True  # False: no digest was published on `date` (or there is none yet)


def papers_for_digest_day(
    date: datetime.date | None = None, *, viewer: Viewer = None, prefetch_tags: bool = True
) -> DigestDay:
    """One digest day, like Hugging Face's daily view: its published papers in the order of
    the digest (annotated `position`; without those `viewer` hides, without_hidden_marks),
    and the previous and next digest days. Without a date, the latest digest day. A day
    without a digest keeps its date, with has_digest False, no papers, and the digest days
    around it. Two small queries plus the page: the
    day and the one before it come in one (the two latest up to the day)."""
    days = Digest.objects.order_by("-date").values_list("date", flat=True)
    upto = list((days if date is None else days.filter(date__lte=date))[:2])
    if date is None:
        date = upto[0] if upto else None
    has_digest = bool(upto) and upto[0] == date
    before = upto[1:] if has_digest else upto
    papers = (
        Paper.objects.published()
        .filter(digest_entries__digest__date=date)
        # (digest, paper) is unique, so this join yields each paper once.
        .annotate(position=F("digest_entries__position"))
        .order_by("position", "id")
    )
    papers = with_viewer_state(without_hidden_marks(papers, viewer), viewer)
    following = Digest.objects.order_by("date").values_list("date", flat=True)
    return DigestDay(
        date=date,
        papers=with_tags(papers) if prefetch_tags else papers,
        previous=before[0] if before else None,
        next=following.filter(date__gt=date).first() if date else None,
        has_digest=has_digest,
    )


def digest_days(*, moderator: bool) -> QuerySet[Digest]:
    """Digest days, newest first, annotated `paper_count`: published papers for the public,
    every listed paper for moderators. (date) is unique and indexed, the cursor key.

    The count is a subquery per day of the page, evaluated for the rows the page returns:
    an aggregate joined to the days would count every entry of every day first (100,000
    entries for a page of 20 days on the bench database)."""
    entries = DigestEntry.objects.filter(digest=OuterRef("pk"))
    if not moderator:
        entries = entries.filter(paper__status=PaperStatus.PUBLISHED)
    count = entries.order_by().values("digest").annotate(n=Count("pk")).values("n")
    return Digest.objects.annotate(
        paper_count=Coalesce(Subquery(count, output_field=IntegerField()), 0)
    ).order_by("-date", "-id")


# --- One paper and its comments ----------------------------------------------------------


def paper_detail(*, pk: int, viewer: Viewer = None) -> Paper | None:
    """A paper's page, or None if `viewer` may not see it (papers_visible_to).

    A published paper's page is the same for every reader but for their own vote and marks:
    it is read once for no one and shared (papers.listing_version.listing_shared, under the
    listing version that every write to what a page shows moves on: votes, comments, tags,
    edits, moves, ingestions), and the reader's state is added by viewer_state_attach (one
    query, none for an anonymous reader). A paper only some may open (pending, hidden: its
    submitter, the moderators) is read for the reader each time (_paper_detail_read)."""
    shared = listing_shared("paper-detail", [pk], partial(_paper_detail_read, pk, None))
    if shared is not None:
        viewer_state_attach([shared], viewer)
        return shared
    if not is_member(viewer):
        return None
    return _paper_detail_read(pk, viewer)


def _paper_detail_read(pk: int, viewer: Viewer) -> Paper | None:
    """- submitted_by: select_related, one join;
    - paper.paper_tags.all(): PaperTag with its tag and who added it, one query;
    - paper.digest_entries.all(): its appearances (DigestEntry with digest), oldest first,
      one query;
    - paper.viewer_voted and the viewer's marks (with_viewer_state): EXISTS in the main query;
      vote_count, comment_count are columns.
    """
    papers = (
        papers_visible_to(viewer)
        .filter(pk=pk)
        .select_related("submitted_by")
        # The users' password hashes are never shown: not read (nor kept in a shared cache).
        .defer("submitted_by__password")
        .prefetch_related(
            Prefetch(
                "paper_tags",
                queryset=PaperTag.objects.select_related("tag", "added_by")
                .defer("added_by__password")
                .order_by("tag__name"),
            ),
            Prefetch(
                "digest_entries",
                queryset=DigestEntry.objects.select_related("digest").order_by("digest__date"),
            ),
        )
    )
    return with_viewer_state(papers, viewer).first()


def papers_by_ids(ids: Sequence[int], *, viewer: Viewer) -> list[Paper]:
    """The papers of `ids` that `viewer` may open, in the order of `ids`; ids of papers that
    do not exist (or that `viewer` may not open) are left out. One query. Only what a move
    needs is read (its id, state and title): paper_transition reads the row again, locked."""
    found = papers_visible_to(viewer).only("pk", "status", "title").in_bulk(list(ids))
    return [found[pk] for pk in ids if pk in found]


def comment_visible(*, pk: int, viewer: Viewer) -> Comment | None:
    """A comment on a paper `viewer` may open (papers_visible_to), with its author and hider
    joined; None otherwise. What of it the reader sees: Comment.shows_author_to, html_for."""
    return (
        Comment.objects.filter(pk=pk, paper__in=papers_visible_to(viewer))
        .select_related("author", "hidden_by")
        .first()
    )


def comment_of_paper(*, pk: int, paper: Paper) -> Comment | None:
    """Comment `pk` if it is on `paper` (what a reply names as its parent), else None. Whether
    it may still be answered (not hidden, not deleted) is the comment service's rule."""
    return Comment.objects.filter(pk=pk, paper=paper).first()


def thread_generation(paper_id: int) -> str:
    """The name of the generation counter (config.generations) of paper `paper_id`'s thread:
    moved on by every write that changes what the thread shows (curation.services.comments:
    a comment posted, edited, deleted, hidden or shown again)."""
    return f"comments-thread:{paper_id}"


def thread_version(paper_id: int) -> int:
    """The current value of thread_generation(paper_id): what a copy of the thread, or of
    something rendered from it, is kept under (read it before the thread)."""
    name = thread_generation(paper_id)
    return generations_get(name)[name]


def comments_thread(*, paper: Paper, viewer: Viewer = None) -> list[Comment]:
    """Every comment of a paper, oldest first, deleted and hidden ones included so replies
    keep their place (show them with Comment.html_for). Authors and hiders come from one
    query by id for the whole thread (`_attach_people`): joined to every comment,
    PostgreSQL may hash the whole user table to serve a long thread.

    The thread is the same for every reader but for what they flagged, so it is read once
    and shared (papers.listing_version.listing_shared) under its generation
    (thread_generation), which every write to it moves on: a comment is seen at once by
    everyone, its author first. Each comment carries `viewer_flagged`: whether `viewer`
    flagged it (a member flags a comment once, open or resolved: CommentFlag's unique
    constraint), from one query on their flags (the (user, ...) index), kept under the
    member's version (accounts.member_version: flagging moves it on).

    The comments are read-only: shared between the requests of a process (_ThreadMemo), a
    comment a reader flagged is given to them as a copy. The longest thread of the bench
    database (323 comments) cost 25 ms of CPU read from the database each time, 11 ms
    unpickled from the cache each time."""
    version = thread_version(paper.pk)
    thread = _THREADS.get(paper.pk, version)
    if thread is None:
        thread = listing_shared(
            "comments-thread", [paper.pk], partial(_thread_read, paper.pk), version=version
        )
        _THREADS.put(paper.pk, version, thread)
    if not is_member(viewer):
        return list(thread)
    flagged = member_kept(
        "thread-flags",
        viewer.pk,
        str(paper.pk),
        partial(_flagged_in_thread, viewer.pk, paper.pk),
        seconds=VIEWER_STATE_SECONDS,
    )
    if not flagged:
        return list(thread)
    return [_flagged_copy(comment) if comment.pk in flagged else comment for comment in thread]


def _flagged_in_thread(user_id: int, paper_id: int) -> set[int]:
    """The comments of paper `paper_id` that member `user_id` flagged: one statement, written
    out from the models' tables (the ORM built the join on every paper page a member read,
    at several times the cost of running it)."""
    q = connection.ops.quote_name
    flags, comments = CommentFlag._meta, Comment._meta
    flag_comment = flags.get_field("comment").column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.{q(flag_comment)} FROM {q(flags.db_table)} f "
            f"JOIN {q(comments.db_table)} c ON c.{q(comments.pk.column)} = f.{q(flag_comment)} "
            f"WHERE f.{q(flags.get_field('user').column)} = %s "
            f"AND c.{q(comments.get_field('paper').column)} = %s",
            [user_id, paper_id],
        )
        return {row[0] for row in cursor.fetchall()}


def _flagged_copy(comment: Comment) -> Comment:
    mine = copy.copy(comment)
    setattr(mine, "viewer_flagged", True)  # noqa: B010 (an annotation, not a field)
    return mine


def _thread_read(paper_id: int) -> list[Comment]:
    thread: list[Comment] = list(
        Comment.objects.filter(paper_id=paper_id)
        .annotate(viewer_flagged=Value(False, output_field=BooleanField()))
        .order_by("created_at", "id")
    )
    _attach_people(thread)
    return thread


class _ThreadMemo:
    """The threads this process read lately, by paper and generation: a thread read again
    under the same generation is the same list of comments, and unpickling 323 of them from
    the cache cost 8 ms a request. An entry lives SHARED_SECONDS at most, as in the cache
    (a change no write says, such as an author's account deleted, is seen within that);
    MAX_THREADS are kept, the oldest dropped first. Threads of one process share it: the
    lock guards the table, and the comments are never changed once in it."""

    MAX_THREADS = 64

    def __init__(self) -> None:
        self._entries: OrderedDict[int, tuple[int, float, list[Comment]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, paper_id: int, version: int) -> list[Comment] | None:
        with self._lock:
            entry = self._entries.get(paper_id)
            if entry is None or entry[0] != version or entry[1] < time.monotonic():
                return None
            self._entries.move_to_end(paper_id)
            return entry[2]

    def clear(self) -> None:
        """Forget every thread (the tests, as they empty the cache)."""
        with self._lock:
            self._entries.clear()

    def put(self, paper_id: int, version: int, thread: list[Comment]) -> None:
        with self._lock:
            self._entries[paper_id] = (version, time.monotonic() + SHARED_SECONDS, thread)
            self._entries.move_to_end(paper_id)
            while len(self._entries) > self.MAX_THREADS:
                self._entries.popitem(last=False)


_THREADS = _ThreadMemo()


def _attach_people(comments: Sequence[Comment]) -> None:
    """Give each comment its author and hider (`comment.author`, `comment.hidden_by`) from
    one query by id. prefetch_related("author", "hidden_by") did the same in two, and in
    Django 5.2 builds their lookup of ids the slow way: 16 ms of the 33 ms the longest
    thread of the bench (323 comments) took to serve."""
    ids = {c.author_id for c in comments} | {c.hidden_by_id for c in comments}
    ids.discard(None)
    people = User.objects.only("id", "username").in_bulk(ids) if ids else {}
    for comment in comments:
        comment.author = people.get(comment.author_id) if comment.author_id else None
        comment.hidden_by = people.get(comment.hidden_by_id) if comment.hidden_by_id else None


@dataclass
class CommentNode:
    comment: Comment
    replies: list[CommentNode] = field(default_factory=list)


def comment_tree(comments: Iterable[Comment]) -> list[CommentNode]:
    """Nest a paper's comments (as from comments_thread) into threads, in memory. Replies
    keep the order they come in; a reply whose parent is not in `comments` becomes a root."""
    nodes = {c.pk: CommentNode(c) for c in comments}
    roots: list[CommentNode] = []
    for node in nodes.values():
        parent_id = node.comment.parent_id
        parent = nodes.get(parent_id) if parent_id is not None else None
        (parent.replies if parent is not None else roots).append(node)
    return roots


# --- Tags, moderation --------------------------------------------------------------------


def tags_list() -> QuerySet[Tag]:
    """The vocabulary by name. Each tag's `paper_count` (published papers with the tag) is a
    column the tag and workflow services keep exact, so this reads 50 rows, not every paper
    tag."""
    return Tag.objects.order_by("name")


def tag_by_slug(slug: str | None) -> Tag | None:
    """The vocabulary's tag of `slug`, or None (no slug, or no such tag). A slug a tag had
    before a rename, or that of a tag merged into another, finds the tag it leads to now
    (curation.models.TagOldSlug): a caller that shows an address compares `tag.slug` to
    `slug` and sends the reader to the current one."""
    if not slug:
        return None
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        tag = Tag.objects.filter(old_slugs__slug=slug).first()
    return tag


@dataclass
class ModerationQueue:
    papers: QuerySet[Paper]  # pending papers, oldest first
    comments: QuerySet[Comment]  # comments with open flags, most flagged first


QUEUE_SOURCES = ("submissions", "dumps")
MSG_UNKNOWN_QUEUE_SOURCE = "The source is submissions or dumps."


def moderation_queue(
    *,
    source: str | None = None,
    dump_id: int | None = None,
    date: datetime.date | None = None,
) -> ModerationQueue:
    """What waits for a moderator. Pending papers come with who submitted them (one join);
    flagged comments with their author and paper (joins), `open_flag_count`, and their open
    flags with the flagging user in `comment.open_flags` (one query per page).

    The pending papers may be narrowed to where they came from: `source` "submissions"
    (members' submissions) or "dumps" (ingested), `dump_id` (listed by that dump), `date`
    (listed on that digest day)."""
    if source is not None and source not in QUEUE_SOURCES:
        raise DomainError(MSG_UNKNOWN_QUEUE_SOURCE, code="invalid")
    open_flags = CommentFlag.objects.filter(resolved_at=None)
    papers = (
        Paper.objects.filter(status=PaperStatus.PENDING)
        .select_related("submitted_by")
        .defer("submitted_by__password")
        .order_by("created_at", "id")
    )
    if source == "submissions":
        papers = papers.filter(submitted_by__isnull=False)
    elif source == "dumps":
        papers = papers.filter(submitted_by__isnull=True)
    if dump_id is not None:
        papers = papers.filter(
            Exists(DigestEntry.objects.filter(paper=OuterRef("pk"), dump_id=dump_id))
        )
    if date is not None:
        papers = papers.filter(
            Exists(DigestEntry.objects.filter(paper=OuterRef("pk"), digest__date=date))
        )
    comments = (
        Comment.objects.filter(Exists(open_flags.filter(comment=OuterRef("pk"))))
        .annotate(open_flag_count=Count("flags", filter=Q(flags__resolved_at=None)))
        .select_related("author", "paper")
        # A flagged comment shows its paper's title: not its texts (nor its author's
        # password hash), read for each comment of the page.
        .defer(
            "author__password",
            "paper__abstract",
            "paper__ai_summary",
            "paper__ai_keywords",
            "paper__authors",
            "paper__title_key",
        )
        .prefetch_related(
            Prefetch(
                "flags",
                queryset=open_flags.select_related("user").order_by("created_at"),
                to_attr="open_flags",
            )
        )
        .order_by("-open_flag_count", "created_at", "id")
    )
    return ModerationQueue(papers=papers, comments=comments)


def queue_papers_details(papers: list[Paper]) -> list[Paper]:
    """What a moderator decides on, for a page of the queue: each paper's digest days, oldest
    first, in `paper.listed_on` (one query for the page)."""
    days: dict[int, list[datetime.date]] = {paper.pk: [] for paper in papers}
    entries = (
        DigestEntry.objects.filter(paper_id__in=days)
        .order_by("digest__date")
        .values_list("paper_id", "digest__date")
    )
    for paper_id, day in entries:
        days[paper_id].append(day)
    for paper in papers:
        paper.listed_on = days[paper.pk]  # type: ignore[attr-defined]
    return papers


def moderation_log(
    *,
    viewer: Viewer = None,
    moderator_id: int | None = None,
    moderator_username: str | None = None,
    action: str | None = None,
    target_kind: str | None = None,
) -> QuerySet[ModerationEvent]:
    """The public moderation log, newest first, filtered by any of: moderator (id or
    username), action (ModerationAction), target kind (TargetKind). The moderator's name
    is joined (select_related) because every row shows it.

    Each row says whether `viewer` may know its target (`target_open`): a paper, or a
    comment's paper, that `viewer` may not open (papers_visible_to: rejected, hidden or
    pending for a member, deleted for anyone) is named to moderators only, as a duplicate
    submission names such a paper to nobody else; its action and reason stay public. An
    EXISTS per row on a primary key, in the same query."""
    events = ModerationEvent.objects.select_related("moderator").order_by("-created_at", "-id")
    if is_moderator(viewer):
        events = events.annotate(target_open=Value(True))
    else:
        visible = papers_visible_to(viewer)
        events = events.annotate(
            target_open=Case(
                When(
                    target_kind=TargetKind.PAPER,
                    then=Exists(visible.filter(pk=OuterRef("target_id"))),
                ),
                When(
                    target_kind=TargetKind.COMMENT,
                    then=Exists(
                        Comment.objects.filter(pk=OuterRef("target_id"), paper__in=visible)
                    ),
                ),
                default=Value(True),
                output_field=BooleanField(),
            )
        )
    if moderator_id is not None:
        events = events.filter(moderator_id=moderator_id)
    if moderator_username:
        events = events.filter(moderator__username=moderator_username)
    if action:
        events = events.filter(action=action)
    if target_kind:
        events = events.filter(target_kind=target_kind)
    return events


@dataclass
class MemberActivity:
    votes: list[Vote]  # newest first, with their papers
    comments: list[Comment]  # not deleted, newest first, with their papers
    submissions: list[Paper]  # newest first, each with `openable`


def member_submissions(*, user: User, limit: int = 100) -> list[Paper]:
    """The papers `user` submitted, newest first, in any state. Each carries `openable`:
    whether the member may open it now, by the one rule of papers_visible_to (an EXISTS in
    the same query), so a page links only to what it may show."""
    openable = papers_visible_to(user).filter(pk=OuterRef("pk"))
    papers = (
        Paper.objects.filter(submitted_by=user)
        .annotate(openable=Exists(openable))
        .only("pk", "title", "arxiv_id", "status", "created_at")
        .order_by("-created_at", "-id")
    )
    return list(papers[:limit])


def member_activity(*, user: User, limit: int = 100) -> MemberActivity:
    """A member's latest votes, comments and submissions (their own page), votes and
    comments each with its paper joined and `paper_visible`: whether the member may still
    open that paper (papers_visible_to; a paper hidden since is not), an EXISTS by primary
    key in the same query."""
    visible = Exists(papers_visible_to(user).filter(pk=OuterRef("paper_id")))
    votes = (
        Vote.objects.filter(user=user)
        .select_related("paper")
        .annotate(paper_visible=visible)
        .order_by("-created_at", "-id")
    )
    comments = (
        Comment.objects.filter(author=user, deleted_at=None)
        .select_related("paper")
        .annotate(paper_visible=visible)
        .order_by("-created_at", "-id")
    )
    return MemberActivity(
        votes=list(votes[:limit]),
        comments=list(comments[:limit]),
        submissions=member_submissions(user=user, limit=limit),
    )


def paper_events(*, paper: Paper) -> QuerySet[ModerationEvent]:
    """The workflow history of one paper, newest first."""
    return moderation_log(target_kind="paper").filter(target_id=paper.pk)
