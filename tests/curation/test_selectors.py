"""Feeds, the digest-day view, search, a paper's page, the queue and the log."""

import datetime

import pytest

from config.errors import DomainError
from curation.models import Vote
from curation.selectors import (
    FEED_ORDERINGS,
    feed_after,
    feed_hot,
    feed_new,
    feed_top,
    moderation_log,
    moderation_queue,
    paper_detail,
    papers_for_digest_day,
    papers_list,
    papers_search,
    tags_list,
    top_period_with_papers,
)
from curation.services import (
    comment_create,
    comment_flag,
    paper_hide,
    paper_publish,
    paper_submit,
    paper_tag_add,
    tag_create,
    vote_cast,
)
from papers.models import Paper
from papers.services.search_index import search_index_refresh
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    ModeratorFactory,
    PaperFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 8, 22)


def _votes(paper, n):
    for _ in range(n):
        vote_cast(user=UserFactory(), paper=paper)


def _titles(papers):
    return [p.title for p in papers]


def test_hot_weighs_votes_against_the_digest_day():
    old_popular = PaperFactory(title="old popular", first_digest_on=DAY - datetime.timedelta(2))
    old_quiet = PaperFactory(title="old quiet", first_digest_on=DAY - datetime.timedelta(2))
    new_quiet = PaperFactory(title="new quiet", first_digest_on=DAY)
    new_some = PaperFactory(title="new some", first_digest_on=DAY)
    PaperFactory(title="pending", status="pending", first_digest_on=DAY)
    _votes(old_popular, 12)  # log10(12) ~ 1.08 > one day's 2 days / 2 = 1.0 advantage
    _votes(new_some, 1)
    assert _titles(feed_hot()) == ["old popular", "new some", "new quiet", "old quiet"]
    assert [p.pk for p in feed_hot()] == [old_popular.pk, new_some.pk, new_quiet.pk, old_quiet.pk]
    scores = [p.hot_score for p in feed_hot()]
    assert scores == sorted(scores, reverse=True)


def test_comments_count_in_hot(member):
    a = PaperFactory(title="a", first_digest_on=DAY)
    b = PaperFactory(title="b", first_digest_on=DAY)
    _votes(a, 3)
    comment_create(user=member, paper=b, body="Two points.")
    comment_create(user=UserFactory(), paper=b, body="Two more.")
    assert _titles(feed_hot()) == ["b", "a"]  # 2 comments * 2 = 4 > 3 votes


def test_new_is_latest_digest_day_first_then_newest_id():
    first = PaperFactory(title="first", first_digest_on=DAY - datetime.timedelta(1))
    second = PaperFactory(title="second", first_digest_on=DAY)
    third = PaperFactory(title="third", first_digest_on=DAY)
    assert [p.pk for p in feed_new()] == [third.pk, second.pk, first.pk]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("day", ["today"]),
        ("week", ["six days", "today"]),
        ("month", ["month", "six days", "today"]),
        ("year", ["month", "six days", "today"]),
        ("all", ["ancient", "month", "six days", "today"]),
    ],
)
def test_top_periods(period, expected):
    votes = {"today": 1, "six days": 2, "month": 3, "ancient": 4}
    ages = {"today": 0, "six days": 6, "month": 29, "ancient": 400}
    for title, age in ages.items():
        paper = PaperFactory(title=title, first_digest_on=DAY - datetime.timedelta(age))
        _votes(paper, votes[title])
    PaperFactory(title="week ago", first_digest_on=DAY - datetime.timedelta(7))  # no votes
    got = [t for t in _titles(feed_top(period, today=DAY)) if t != "week ago"]
    assert got == sorted(expected, key=lambda t: -votes[t])
    with pytest.raises(DomainError):
        feed_top("decade")


def test_top_period_with_papers_is_the_shortest_that_shows_some():
    assert top_period_with_papers(today=DAY) is None
    PaperFactory(title="ancient", first_digest_on=DAY - datetime.timedelta(400))
    assert top_period_with_papers(today=DAY) == "all"
    tagged = PaperFactory(title="a month old", first_digest_on=DAY - datetime.timedelta(20))
    PaperFactory(title="pending", status="pending", first_digest_on=DAY)
    assert top_period_with_papers(today=DAY) == "month"
    assert [p.title for p in feed_top("month", today=DAY)] == ["a month old"]
    assert list(feed_top("week", today=DAY)) == []
    PaperFactory(title="six days", first_digest_on=DAY - datetime.timedelta(6))
    assert top_period_with_papers(today=DAY) == "week"
    # With the same filters as the feed: a tag, a moderator's status view.
    tag = TagFactory(slug="rare")
    paper_tag_add(paper=tagged, user=ModeratorFactory(), tag=tag)
    assert top_period_with_papers(tags=["rare"], today=DAY) == "month"
    assert top_period_with_papers(tags=["none-such"], today=DAY) is None
    assert top_period_with_papers(viewer=ModeratorFactory(), status="pending", today=DAY) == "day"


@pytest.mark.parametrize("order", sorted(FEED_ORDERINGS))
def test_keyset_pages_walk_the_whole_feed_once(order):
    for i in range(7):
        paper = PaperFactory(first_digest_on=DAY - datetime.timedelta(i % 3))
        _votes(paper, i % 2)
    full = list(papers_list(order=order))
    key_field = FEED_ORDERINGS[order][0].lstrip("-")
    seen, page = [], list(papers_list(order=order)[:3])
    while page:
        seen.extend(page)
        last = page[-1]
        page = list(
            feed_after(
                papers_list(order=order), order=order, key=getattr(last, key_field), pk=last.pk
            )[:3]
        )
    assert [p.pk for p in seen] == [p.pk for p in full]


def test_filters_by_tags_digest_and_status(member, moderator):
    llm, vision = TagFactory(slug="llm"), TagFactory(slug="vision")
    both, only_llm, none = (
        PaperFactory(title="both"),
        PaperFactory(title="llm"),
        PaperFactory(title="none"),
    )
    for paper, tags in [(both, [llm, vision]), (only_llm, [llm])]:
        for tag in tags:
            paper_tag_add(paper=paper, tag=tag, user=member)
    DigestEntryFactory(paper=none, digest=DigestFactory(date=DAY))

    def titles(**kw):
        return sorted(_titles(papers_list(order="new", **kw)))

    assert titles(tags=["llm"]) == ["both", "llm"]
    assert titles(tags=["llm", "vision"]) == ["both", "llm"]
    assert titles(tags=["llm", "vision"], match_all_tags=True) == ["both"]
    assert titles(digest=DAY) == ["none"]

    pending = paper_submit(user=member, title="submitted")
    assert "submitted" not in titles()
    with pytest.raises(DomainError) as raised:
        papers_list(viewer=member, status="pending")
    assert raised.value.status_code == 403
    assert _titles(papers_list(viewer=moderator, status="pending")) == ["submitted"]
    assert len(papers_list(viewer=moderator, status="all", order="new")) == 4
    assert pending.pk


def test_list_rows_carry_viewer_voted_and_tags_in_two_queries(member, django_assert_num_queries):
    tag = TagFactory(slug="llm")
    papers = PaperFactory.create_batch(5)
    for paper in papers:
        paper_tag_add(paper=paper, tag=tag, user=member)
    vote_cast(user=member, paper=papers[0])
    for size in (1, 5):
        with django_assert_num_queries(2):
            rows = list(papers_list(viewer=member, order="new")[:size])
            assert [[pt.tag.slug for pt in r.paper_tags.all()] for r in rows] == [["llm"]] * size
    voted = {p.pk: p.viewer_voted for p in papers_list(viewer=member)}
    assert voted == {p.pk: p.pk == papers[0].pk for p in papers}
    assert not any(p.viewer_voted for p in papers_list(viewer=None))


def test_digest_day_view_with_previous_and_next():
    days = [DAY - datetime.timedelta(3), DAY, DAY + datetime.timedelta(5)]
    digests = [DigestFactory(date=d) for d in days]
    b = DigestEntryFactory(digest=digests[1], position=2, paper=PaperFactory(title="b")).paper
    a = DigestEntryFactory(digest=digests[1], position=1, paper=PaperFactory(title="a")).paper
    DigestEntryFactory(digest=digests[1], position=3, paper=PaperFactory(status="pending"))
    DigestEntryFactory(digest=digests[0], position=1)

    view = papers_for_digest_day(DAY)
    assert [p.pk for p in view.papers] == [a.pk, b.pk]
    assert [p.position for p in view.papers] == [1, 2]
    assert (view.previous, view.next) == (days[0], days[2])
    assert papers_for_digest_day().date == days[2]
    first = papers_for_digest_day(days[0])
    assert (first.previous, first.next) == (None, DAY)
    assert view.has_digest and first.has_digest


def test_a_day_without_a_digest_says_so_and_keeps_its_neighbours(django_assert_num_queries):
    days = [DAY - datetime.timedelta(3), DAY + datetime.timedelta(5)]
    for day in days:
        DigestEntryFactory(digest=DigestFactory(date=day), position=1)
    with django_assert_num_queries(2):
        view = papers_for_digest_day(DAY)
    assert (view.date, view.has_digest) == (DAY, False)
    assert (view.previous, view.next) == (days[0], days[1])
    assert list(view.papers) == []
    before_all = papers_for_digest_day(DAY - datetime.timedelta(10))
    assert (before_all.has_digest, before_all.previous, before_all.next) == (False, None, days[0])
    with django_assert_num_queries(2):
        latest = papers_for_digest_day()
    assert (latest.date, latest.has_digest, latest.previous, latest.next) == (
        days[1],
        True,
        days[0],
        None,
    )


def test_no_digest_yet():
    view = papers_for_digest_day()
    assert (view.date, view.has_digest, view.previous, view.next) == (None, False, None, None)


@pytest.fixture(params=["index", "ts_rank"])
def search_ranking(request, monkeypatch):
    """On PostgreSQL, search once ranked by the RUM index (where the rum extension is
    installed) and once by ts_rank over the matches (the GIN fallback); SQLite has one way."""
    from django.db import connection

    from papers.services import search_index

    if connection.vendor != "postgresql":
        if request.param == "ts_rank":
            pytest.skip("SQLite has a single way to rank")
        return "icontains"
    if request.param == "index" and not search_index.search_ranks_in_index():
        pytest.skip("this PostgreSQL has no rum extension (Debian's postgresql-15-rum)")
    if request.param == "ts_rank":
        name = connection.settings_dict["NAME"]
        monkeypatch.setitem(search_index._RUM_BY_DATABASE, name, False)
    return request.param


def test_the_search_vector_has_a_gin_index_and_a_rum_index_where_rum_is_available():
    from django.db import connection

    from papers.services.search_index import search_ranks_in_index

    if connection.vendor != "postgresql":
        assert search_ranks_in_index() is False
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        available = cursor.fetchone() is not None
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'papers_papersearch' "
            "AND indexdef LIKE '%%(search_vector%%'"
        )
        methods = {name: definition.split(" USING ")[1].split()[0] for name, definition in cursor}
    assert methods["paper_search_gin_idx"] == "gin"
    assert search_ranks_in_index() is available
    assert ("paper_search_rum_idx" in methods) is available


def test_search_ranks_title_matches_above_abstract_matches(search_ranking):
    in_abstract = PaperFactory(title="A study of things", abstract="We use diffusion models.")
    in_title = PaperFactory(title="Diffusion for everything", abstract="We study things.")
    PaperFactory(title="Unrelated", abstract="Nothing here.")
    PaperFactory(title="Hidden diffusion", status="hidden")
    search_index_refresh()
    results = list(papers_search("diffusion"))
    assert [p.pk for p in results] == [in_title.pk, in_abstract.pk]
    assert results[0].search_rank > results[1].search_rank
    assert [p.pk for p in papers_list(search="diffusion")] == [in_title.pk, in_abstract.pk]
    assert list(papers_search("zebra")) == []


def test_search_needs_every_word(search_ranking):
    PaperFactory(title="Graph neural networks", abstract="Message passing.")
    match = PaperFactory(title="Graph transformers", abstract="Attention on graphs.")
    search_index_refresh()
    assert [p.pk for p in papers_search("graph transformers")] == [match.pk]


def test_search_orders_many_matches_by_rank(search_ranking):
    """More title hits rank above fewer; a filtered search (a tag) keeps the order."""
    tag = TagFactory(slug="gen")
    twice = PaperFactory(title="Diffusion diffusion", abstract="About diffusion.")
    once = PaperFactory(title="Diffusion once", abstract="Nothing else.")
    abstract_only = PaperFactory(title="Other", abstract="A note on diffusion.")
    for paper in (twice, once, abstract_only):
        paper_tag_add(paper=paper, tag=tag, user=UserFactory())
    PaperFactory(title="Diffusion without the tag")
    search_index_refresh()
    ranked = [p.pk for p in papers_list(search="diffusion", tags=["gen"])]
    if search_ranking == "icontains":  # counts the query's words found in the title
        assert (set(ranked[:2]), ranked[2]) == ({twice.pk, once.pk}, abstract_only.pk)
    else:
        assert ranked == [twice.pk, once.pk, abstract_only.pk]


def test_paper_detail(member, moderator, django_assert_num_queries):
    paper = PaperFactory()
    DigestEntryFactory(paper=paper, digest=DigestFactory(date=DAY))
    DigestEntryFactory(paper=paper, digest=DigestFactory(date=DAY - datetime.timedelta(7)))
    paper_tag_add(paper=paper, tag=TagFactory(slug="llm"), user=member)
    vote_cast(user=member, paper=paper)

    # The viewer's role (cached on the user from then on), the paper, its tags, its digests.
    with django_assert_num_queries(4):
        detail = paper_detail(pk=paper.pk, viewer=member)
        assert (detail.vote_count, detail.viewer_voted) == (1, True)
        assert [(pt.tag.slug, pt.added_by.username) for pt in detail.paper_tags.all()] == [
            ("llm", "member")
        ]
        assert [e.digest.date for e in detail.digest_entries.all()] == [
            DAY - datetime.timedelta(7),
            DAY,
        ]
    assert paper_detail(pk=paper.pk).viewer_voted is False

    paper_hide(paper=paper, moderator=moderator, reason="Spam.")
    assert paper_detail(pk=paper.pk, viewer=member) is None
    assert paper_detail(pk=paper.pk, viewer=moderator) is not None

    mine = paper_submit(user=member, title="Mine")
    assert paper_detail(pk=mine.pk, viewer=member) is not None
    assert paper_detail(pk=mine.pk, viewer=UserFactory()) is None
    paper_publish(paper=mine, moderator=moderator)
    assert paper_detail(pk=mine.pk) is not None


def test_moderation_queue(member, other_member):
    pending = paper_submit(user=member, title="Pending one")
    paper = PaperFactory()
    calm = comment_create(user=member, paper=paper, body="calm")
    flagged = comment_create(user=member, paper=paper, body="rude")
    comment_flag(comment=flagged, user=other_member, reason="abuse")
    comment_flag(comment=flagged, user=UserFactory(), reason="spam")
    queue = moderation_queue()
    assert [p.pk for p in queue.papers] == [pending.pk]
    rows = list(queue.comments)
    assert [(c.pk, c.open_flag_count) for c in rows] == [(flagged.pk, 2)]
    assert sorted(f.reason for f in rows[0].open_flags) == ["abuse", "spam"]
    assert calm.pk not in [c.pk for c in rows]


def test_moderation_log_filters(moderator):
    other_moderator = UserFactory(is_staff=True)
    paper = PaperFactory(status="pending")
    paper_publish(paper=paper, moderator=moderator)
    tag_create(moderator=other_moderator, name="New")
    paper_hide(paper=paper, moderator=other_moderator, reason="Dupe.")

    def actions(**kw):
        return [e.action for e in moderation_log(**kw)]

    assert actions() == ["hide", "create", "publish"]
    assert actions(moderator_id=moderator.pk) == ["publish"]
    assert actions(moderator_username=other_moderator.username) == ["hide", "create"]
    assert actions(action="hide") == ["hide"]
    assert actions(target_kind="tag") == ["create"]
    assert actions(target_kind="paper", action="publish") == ["publish"]


def test_tags_list_counts_published_papers(member):
    tag = TagFactory(name="LLM", slug="llm")
    for paper in PaperFactory.create_batch(2):
        paper_tag_add(paper=paper, tag=tag, user=member)
    paper_hide(paper=Paper.objects.first(), moderator=ModeratorFactory(), reason="Off-topic")
    TagFactory(name="Empty", slug="empty")
    assert [(t.slug, t.paper_count) for t in tags_list()] == [("empty", 0), ("llm", 1)]
    assert Vote.objects.count() == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"language model"', ["phrase"]),
        ("language model", ["phrase", "apart"]),
        ("segmentation or retrieval", ["segmentation", "retrieval"]),
        ("language -vision", ["phrase"]),
        ('model -"language model"', ["apart"]),
        ("vision model or retrieval", ["apart", "retrieval"]),
    ],
)
def test_search_reads_phrases_or_and_minus_alike_on_every_database(search_ranking, query, expected):
    """The syntax of websearch_to_tsquery: PostgreSQL's own, SQLite's through
    curation.search_syntax; the same papers either way."""
    papers = {
        "phrase": PaperFactory(title="Language model scaling", abstract="Tokens and data."),
        "apart": PaperFactory(title="Model of vision", abstract="Language grounding."),
        "segmentation": PaperFactory(title="Segmentation", abstract="Masks for cells."),
        "retrieval": PaperFactory(title="Dense retrieval", abstract="Indexes of passages."),
    }
    search_index_refresh()
    found = {p.pk for p in papers_search(query)}
    assert found == {papers[name].pk for name in expected}
