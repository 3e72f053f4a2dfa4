"""Every web page, and the API lists beside them, on a catalogue of a team's real size: the
number of queries of each page is pinned, and on PostgreSQL the plan of each of them too, so
a query that reads every paper tag, vote or paper to show one page of them fails here rather
than in front of users.

The catalogue (seeded once for the module): 20,000 published papers over 400 digest days,
40 tags on about 36,000 paper tags, 1,000 members casting 60,000 votes, 3,000 comments (300
on one paper), 400 pending papers and 100 flagged comments; 61 team lists, one of 300
papers; a member who hides the 1,500 papers they marked, the 1,000 hottest among them. A
query may read at most ROWS_READ_LIMIT rows (each plan node's rows, over its loops, plus those
its filter removed): a page of papers with its tags and votes, a digest day, the longest thread
or the moderation queue need hundreds; a page of 50 digest days with their counts of published
papers about 5,000; a query that scans the papers, their tags, votes or digest entries reads
20,000 or more.
"""

from __future__ import annotations

import datetime
import json
import random

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.member_version import member_changed
from curation.models import (
    Comment,
    CommentFlag,
    MarkKind,
    MemberSettings,
    PaperMark,
    PaperTag,
    Tag,
    Vote,
)
from curation.services import tag_counts_refresh
from lists.models import ListEditor, ListItem, PaperList
from papers.models import Digest, DigestEntry, Paper, PaperStatus
from recommendations.models import RelatedPaper

pytestmark = pytest.mark.django_db

PAPERS = 20_000
DAYS = 400
TAGS = 40
MEMBERS = 1_000
VOTES = 60_000
COMMENTS = 3_000
PENDING = 400
FLAGS = 100
MARKED_HOTTEST = 1_000
ROWS_READ_LIMIT = 10_000
LAST_DAY = timezone.localdate()
WORDS = [
    *("diffusion", "transformer", "attention", "sparse", "routing", "language", "vision"),
    *("speech", "robot", "graph", "benchmark", "retrieval", "agent", "reasoning"),
    *("alignment", "quantization", "distillation", "video", "audio"),
]


def _title(rng: random.Random, i: int) -> str:
    return " ".join(rng.choice(WORDS).capitalize() for _ in range(6)) + f" {i}"


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The catalogue above, written once with bulk inserts (the services' rules are tested
    elsewhere; here only the size matters), its counts set as the services keep them."""
    rng = random.Random(16)
    with django_db_blocker.unblock():
        now = timezone.now()
        days = [LAST_DAY - datetime.timedelta(days=d) for d in range(DAYS)]
        Digest.objects.bulk_create(Digest(date=day) for day in days)
        digests = {d.date: d for d in Digest.objects.all()}
        User = get_user_model()
        User.objects.bulk_create(
            User(username=f"reader{i:05d}", password="!", email=f"r{i}@example.org")
            for i in range(MEMBERS)
        )
        users = list(User.objects.filter(username__startswith="reader").order_by("id"))
        moderator = User.objects.create(username="scale-moderator", password="!")
        moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
        papers = Paper.objects.bulk_create(
            Paper(
                title=(title := _title(rng, i)),
                title_key=title.lower(),
                abstract=f"We study {rng.choice(WORDS)} and {rng.choice(WORDS)}. " * 12,
                status=PaperStatus.PUBLISHED,
                first_digest_on=days[i % DAYS],
                # One paper in 50 has code (the "has code" filter's feeds).
                github_repo=f"https://github.com/lab/p{i}" if i % 50 == 0 else "",
            )
            for i in range(PAPERS)
        )
        Paper.objects.bulk_create(
            Paper(
                title=f"Submitted {i}",
                title_key=f"submitted {i}",
                status=PaperStatus.PENDING,
                submitted_by=users[i],
            )
            for i in range(PENDING)
        )
        DigestEntry.objects.bulk_create(
            DigestEntry(digest=digests[p.first_digest_on], paper=p, position=i // DAYS + 1)
            for i, p in enumerate(papers)
        )
        Tag.objects.bulk_create(Tag(name=f"Topic {i}", slug=f"topic-{i}") for i in range(TAGS))
        tags = list(Tag.objects.order_by("id"))
        PaperTag.objects.bulk_create(
            (
                PaperTag(paper=p, tag=tags[int(TAGS * rng.random() ** 2)], added_by=users[0])
                for p in papers
                for _ in range(2)
            ),
            ignore_conflicts=True,
        )
        Vote.objects.bulk_create(
            (
                Vote(user=rng.choice(users), paper=papers[int(PAPERS * rng.random() ** 3)])
                for _ in range(VOTES)
            ),
            ignore_conflicts=True,
        )
        # Each paper's related papers, as a fit leaves them (recommendations): 12 rows each.
        RelatedPaper.objects.bulk_create(
            RelatedPaper(paper=p, related=papers[(i + j) % PAPERS], score=1 / (j + 1))
            for i, p in enumerate(papers)
            for j in range(1, 13)
        )
        target = papers[0]
        comments = Comment.objects.bulk_create(
            Comment(
                paper=target if i < 300 else papers[int(PAPERS * rng.random() ** 2)],
                author=rng.choice(users),
                body="A remark",
                body_html="<p>A remark</p>",
                created_at=now,
            )
            for i in range(COMMENTS)
        )
        CommentFlag.objects.bulk_create(
            CommentFlag(comment=c, user=users[1], reason="spam") for c in comments[:FLAGS]
        )
        # The counts the services keep, set from the rows at once.
        with connection.cursor() as cursor:
            for column, table, condition in (
                ("vote_count", "curation_vote", "TRUE"),
                ("comment_count", "curation_comment", "deleted_at IS NULL AND hidden_at IS NULL"),
            ):
                cursor.execute(
                    f"UPDATE papers_paper SET {column} = (SELECT count(*) FROM {table} t "
                    f"WHERE t.paper_id = papers_paper.id AND {condition})"
                )
        tag_counts_refresh()
        if connection.vendor == "postgresql":
            from papers.services.search_index import search_index_refresh

            search_index_refresh()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        top = Paper.objects.published().exclude(pk=target.pk).order_by("-hot_score").first()
        # The rarest tag with published papers but none on the last day: its top of the day
        # is empty, and the page looks for the period that has some.
        quiet = (
            Tag.objects.filter(paper_count__gt=0)
            .exclude(paper_tags__paper__first_digest_on=LAST_DAY)
            .order_by("paper_count", "id")
            .first()
        )
        assert quiet is not None
        # Lists: 60 team lists of up to 9 papers, and one holding 300 papers with notes (a
        # member of the catalogue owns it, another edits it).
        teams = PaperList.objects.bulk_create(
            PaperList(owner=users[i % 50], name=f"Team list {i}", visibility="team")
            for i in range(60)
        )
        ListItem.objects.bulk_create(
            ListItem(paper_list=team, paper=papers[(7 * i + k) % PAPERS], position=k + 1)
            for i, team in enumerate(teams)
            for k in range(i % 10)
        )
        canon = PaperList.objects.create(owner=users[5], name="Team canon", visibility="team")
        ListEditor.objects.create(paper_list=canon, user=users[6])
        ListItem.objects.bulk_create(
            ListItem(
                paper_list=canon,
                paper=paper,
                position=i + 1,
                note="Read *this*.",
                note_html="<p>Read <em>this</em>.</p>",
                added_by=users[5],
            )
            for i, paper in enumerate(papers[::60][:300])
        )
        # A member who hides what they marked, with 1,500 marks: the 1,000 hottest papers
        # read, and 500 others not interesting.
        marker = users[7]
        MemberSettings.objects.create(user=marker, hide_marked=True)
        hottest = list(Paper.objects.published().order_by("-hot_score", "-id")[:MARKED_HOTTEST])
        PaperMark.objects.bulk_create(
            PaperMark(user=marker, paper=paper, kind=MarkKind.READ) for paper in hottest
        )
        PaperMark.objects.bulk_create(
            PaperMark(user=marker, paper=paper, kind=MarkKind.NOT_INTERESTED)
            for paper in rng.sample(papers, 500)
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        info = {
            "member": users[5],
            "marker": marker,
            "list": canon.pk,
            "moderator": moderator,
            "paper": top.pk,
            "thread": target.pk,
            "tag": tags[TAGS // 2].slug,
            "quiet_tag": quiet.slug,
            "day": LAST_DAY.isoformat(),
            # A day whose papers the marker has not all marked (the latest days are the
            # hottest: all of them read).
            "old_day": (LAST_DAY - datetime.timedelta(days=200)).isoformat(),
        }
    yield info
    with django_db_blocker.unblock():
        for model in (ListItem, ListEditor, PaperList, PaperMark, MemberSettings):
            model.objects.all().delete()
        for model in (
            CommentFlag, Comment, Vote, PaperTag, Tag, RelatedPaper, DigestEntry, Paper, Digest
        ):  # fmt: skip
            model.objects.all().delete()
        get_user_model().objects.filter(username__startswith="reader").delete()
        get_user_model().objects.filter(username="scale-moderator").delete()


# (page, who asks, queries). A signed-in request reads its user, whether the user is a
# moderator and the time zone they chose, in one query (accounts.backends); its session
# comes from the cache. Every web
# page a member reads has one query more than its papers need: the header's count of their
# unread inbox items, index-only on (recipient, -unread, -id); on a page with a Follow button
# (a tag, a paper, a list, a search) the same one query also says whether they follow it
# (notifications.selectors.inbox_state). The API's lists have no header.
PAGES = [
    # A feed: its page, the page's tags (one query), the tag chips. Signed in, the first
    # reader of a list page reads its rows for every reader (frontend.page_cache.shared_value)
    # and then their own vote and marks on it (one query more); the next readers read only
    # those (WARM below).
    ("/", "anonymous", 3),
    ("/", "member", 6),
    ("/?order=new", "member", 6),
    ("/?order=top&period=week", "member", 6),
    ("/?order=top&period=all", "anonymous", 3),
    # An empty top feed: the page, the tags asked for (by id, see
    # selectors.top_period_with_papers), the latest digest day with such papers, the chips;
    # nothing to look for with an unknown tag.
    ("/?order=top&period=day&tag={quiet_tag}", "anonymous", 4),
    ("/?order=top&period=day&tag=no-such-tag", "anonymous", 3),
    ("/", "moderator", 6),
    ("/?status=pending", "moderator", 5),
    # A digest day: the day and the one before it (the two latest up to it), the day after,
    # the page, its tags, the chips.
    ("/?view=day", "anonymous", 5),
    ("/?date={day}", "member", 8),
    # A tag: the tag, its feed, the feed's tags.
    # Only papers with code: the same queries, read from the feeds' *_code_idx indexes.
    ("/?has_code=1", "anonymous", 3),
    ("/?order=new&has_code=1&tag={tag}", "member", 6),
    ("/api/papers/?has_code=true", "member", 4),
    ("/tags/{tag}/", "anonymous", 3),
    ("/tags/{tag}/", "member", 6),
    # Search: the page, the count of matches (up to SEARCH_COUNT_CAP + 1) and its tags.
    ("/search/?q=diffusion", "anonymous", 3),
    ("/search/?q=diffusion", "member", 6),
    # A paper: it, its tags with who added them, its digest days, its thread and the
    # thread's authors, the vocabulary (for the form that adds a tag), its related papers;
    # for members also the reading-group sessions it is in and those it may be proposed for.
    ("/papers/{paper}/", "anonymous", 7),
    # Signed in, the first reader also reads their own vote and marks apart from the paper,
    # its tags and digest days, the vocabulary and the related papers, which are shared
    # (frontend.page_cache.shared_value), and the comments they flagged apart from the
    # thread, shared too (curation.selectors.comments_thread); the next readers read only
    # what is theirs (WARM).
    ("/papers/{paper}/", "member", 13),
    ("/papers/{thread}/", "moderator", 13),
    # The queue: user, a page of pending papers, their digest days, the count, flagged
    # comments with their flags, the count, the dumps of the filter.
    ("/moderation/", "moderator", 9),
    ("/moderation/log/", "anonymous", 1),
    # My page: votes, comments and submissions (each with whether I may open it), my
    # calendar feed, and my reading settings (one query by primary key, for the
    # form that hides marked papers).
    ("/me/", "member", 8),
    ("/submit/", "member", 2),
    # The vocabulary: every tag, with its count (a column).
    ("/moderation/tags/", "moderator", 3),
    # A member who hides the 1,500 papers they marked (the 1,000 hottest among them): the
    # page every member shares (frontend.member_pages), their marks on its papers, and since
    # some are marked, their own page: the shared rows (their marks on them are kept:
    # accounts.member_version), and the page read for them, with one NOT EXISTS
    # (selectors.without_hidden_marks)
    # that probes the marks of the rows it reads. Hidden papers at the top of a feed are
    # walked past: the hot feed and a tag's read the 1,000 first (and a tag's, their tags),
    # rows that grow with the marks at the top of the feed, not with the catalogue.
    ("/", "marker", 8),
    ("/?order=new", "marker", 8),
    ("/?date={old_day}", "marker", 8),
    ("/tags/{tag}/", "marker", 8),
    ("/search/?q=diffusion", "marker", 9),
    ("/api/papers/", "marker", 6),
    ("/api/papers/?date={old_day}", "marker", 6),
    # My lists: the page of lists, each with its owner (joined), my rights and its count of
    # papers I may open (subqueries of the page).
    ("/lists/", "member", 3),
    ("/lists/?scope=editable", "member", 3),
    # A list of 300 papers: the list (its count, my rights), its editors, the page of items
    # with their papers and who added them (joined), my vote and marks (EXISTS), the tags.
    ("/lists/{list}/", "member", 6),
    ("/lists/{list}/", "marker", 6),
    # The inbox: the header's count, a page of items with what each refers to (joined) and
    # whether the reader may open its paper (EXISTS), the follows with their targets; its
    # delivery settings: the digest hour, the choice per topic and their Atom feed (each a
    # row by its key).
    ("/inbox/", "member", 7),
    # The API's lists beside them.
    ("/api/lists/", "member", 2),
    ("/api/lists/{list}/items/", "member", 5),
    ("/api/papers/", "member", 4),
    ("/api/papers/?tag={tag}", "member", 4),
    ("/api/papers/?date={day}", "member", 6),
    # A search page as the feeds: read for every reader, then the member's own state.
    ("/api/papers/?q=diffusion", "member", 4),
    # The member, then the paper, its tags and digest days, read once and shared
    # (curation.selectors.paper_detail), and the member's vote and marks apart.
    ("/api/papers/{paper}/", "member", 5),
    # The member, the paper (read for everyone), then its thread and the thread's authors,
    # shared, and the page rendered for everyone.
    ("/api/papers/{thread}/comments/", "member", 4),
    # Related papers: its list, read through the rule of who may open the paper.
    ("/api/papers/{paper}/related/", "anonymous", 1),
    ("/api/papers/{paper}/related/", "member", 2),
    ("/api/tags/", "anonymous", 2),
    ("/api/digests/", "anonymous", 1),
    ("/api/moderation/queue/", "moderator", 7),
]


# A list page a signed-in reader opens after another reader did (what is kept of the reader
# themselves moved on: accounts.member_version): the reader (the session), their own vote and
# marks on the shared rows, and the header's unread count. The same page again costs that
# reader nothing (KEPT), but for a page read for them alone. A member who
# hides marked papers and marked some of them also has the page read for them (its rows and
# their tags).
WARM = {
    ("/", "member"): 3,
    ("/?order=new", "member"): 3,
    ("/?order=top&period=week", "member"): 3,
    ("/", "moderator"): 3,
    ("/?date={day}", "member"): 3,
    ("/?order=new&has_code=1&tag={tag}", "member"): 3,
    ("/tags/{tag}/", "member"): 3,
    ("/search/?q=diffusion", "member"): 3,
    ("/", "marker"): 5,
    ("/?order=new", "marker"): 5,
    ("/?date={old_day}", "marker"): 3,  # none of that day's papers is marked
    ("/tags/{tag}/", "marker"): 5,
    ("/search/?q=diffusion", "marker"): 6,
    # A paper: the reader, their vote and marks, the comments they flagged (the thread is
    # shared), the header's count; the sessions part is shared too (under the sessions'
    # generation).
    ("/papers/{paper}/", "member"): 4,
    ("/papers/{thread}/", "moderator"): 4,
    # The API's paper: the reader and their vote and marks (the body is shared); its thread:
    # the reader (the rendered page is shared by every reader but moderators).
    ("/api/papers/{paper}/", "member"): 2,
    ("/api/papers/{thread}/comments/", "member"): 1,
    # The API's feeds and digest days share their rows the same way (no header there).
    ("/api/papers/", "member"): 2,
    ("/api/papers/?tag={tag}", "member"): 2,
    ("/api/papers/?has_code=true", "member"): 2,
    ("/api/papers/?date={day}", "member"): 2,
    ("/api/papers/", "marker"): 4,
    ("/api/papers/?date={old_day}", "marker"): 2,
}
# The same page again, by the same reader: what is not kept. A member who hides marked
# papers and marked some of the page's has it read for them (its rows and their tags).
KEPT = {
    ("/", "marker"): 2,
    ("/?order=new", "marker"): 2,
    ("/tags/{tag}/", "marker"): 2,
    ("/search/?q=diffusion", "marker"): 3,  # and the count of its matches
    ("/api/papers/", "marker"): 2,
}


def _plan_rows(node: dict) -> int:
    """Rows a plan node produced or filtered away, over all its loops, and its children's."""
    loops = node.get("Actual Loops", 1) or 1
    own = (
        node.get("Actual Rows", 0)
        + node.get("Rows Removed by Filter", 0)
        + node.get("Rows Removed by Index Recheck", 0)
    ) * loops
    return own + sum(_plan_rows(child) for child in node.get("Plans", []))


def _seq_scans(node: dict) -> set[str]:
    found = {node["Relation Name"]} if node.get("Node Type") == "Seq Scan" else set()
    for child in node.get("Plans", []):
        found |= _seq_scans(child)
    return found


@pytest.mark.parametrize(("url", "role", "queries"), PAGES)
def test_each_page_runs_few_queries_that_read_a_page_of_rows(catalogue, client, url, role, queries):
    if catalogue.get(role) is not None:
        client.force_login(catalogue[role])
    template, url = url, url.format(**catalogue)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert len(captured) == queries, "\n".join(q["sql"][:200] for q in captured)
    checked = list(captured.captured_queries)
    warm = WARM.get((template, role))
    if warm is not None:
        member_changed(catalogue[role].pk)  # nothing kept of the reader, the rest warm
        with CaptureQueriesContext(connection) as again:
            assert client.get(url).status_code == 200
        assert len(again) == warm, "\n".join(q["sql"][:200] for q in again)
        checked += again.captured_queries  # their plans are checked too
        with CaptureQueriesContext(connection) as kept:
            assert client.get(url).status_code == 200
        assert len(kept) == KEPT.get((template, role), 0), "\n".join(q["sql"][:200] for q in kept)

    if connection.vendor != "postgresql":
        return  # the plans below are PostgreSQL's
    problems = []
    with connection.cursor() as cursor:
        for query in checked:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            root = plan[0]["Plan"]
            rows = _plan_rows(root)
            if rows > ROWS_READ_LIMIT:
                scans = sorted(_seq_scans(root))
                problems.append(f"{rows} rows read (seq scans of {scans}): {sql[:300]}")
    assert problems == []
