"""Marks (read, not interested): a member's own, on papers they may open; the setting that
hides marked papers, and its one rule (selectors.without_hidden_marks)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.errors import DomainError
from curation.models import MemberSettings, PaperMark
from curation.selectors import (
    paper_detail,
    papers_for_digest_day,
    papers_list,
    viewer_marks,
    without_hidden_marks,
)
from curation.services import (
    member_settings_get,
    member_settings_update,
    paper_mark_set,
    paper_mark_unset,
    paper_marks_of,
)
from curation.services.marks import MSG_PAPER_NOT_FOUND, MSG_UNKNOWN_MARK
from papers.models import Paper, PaperStatus
from tests.factories import DigestEntryFactory, DigestFactory, PaperFactory

pytestmark = pytest.mark.django_db


def test_marks_are_set_and_taken_off_idempotently(member):
    paper = PaperFactory()
    assert paper_mark_set(user=member, paper=paper, kind="read") is True
    assert paper_mark_set(user=member, paper=paper, kind="read") is False
    assert paper_mark_set(user=member, paper=paper, kind="not_interested") is True
    assert paper_marks_of(user=member, paper=paper) == ["read", "not_interested"]
    assert paper_mark_unset(user=member, paper=paper, kind="read") is True
    assert paper_mark_unset(user=member, paper=paper, kind="read") is False
    assert paper_marks_of(user=member, paper=paper) == ["not_interested"]
    assert PaperMark.objects.count() == 1


def test_marks_are_each_members_own(member, other_member):
    paper = PaperFactory()
    paper_mark_set(user=member, paper=paper, kind="read")
    assert paper_marks_of(user=other_member, paper=paper) == []


@pytest.mark.parametrize("user", [None, AnonymousUser()])
def test_anonymous_readers_mark_nothing(user):
    with pytest.raises(DomainError) as raised:
        paper_mark_set(user=user, paper=PaperFactory(), kind="read")
    assert raised.value.status_code == 401


def test_an_unknown_kind_is_refused_naming_the_field(member):
    with pytest.raises(DomainError) as raised:
        paper_mark_set(user=member, paper=PaperFactory(), kind="loved")
    assert (raised.value.status_code, raised.value.message) == (400, MSG_UNKNOWN_MARK)
    assert raised.value.extra["fields"] == {"mark": [MSG_UNKNOWN_MARK]}


@pytest.mark.parametrize("status", ["pending", "rejected", "hidden"])
def test_only_papers_the_member_may_open_are_marked(member, moderator, status):
    paper = PaperFactory(status=status)
    with pytest.raises(DomainError) as raised:
        paper_mark_set(user=member, paper=paper, kind="read")
    assert (raised.value.status_code, raised.value.message) == (404, MSG_PAPER_NOT_FOUND)
    assert paper_mark_set(user=moderator, paper=paper, kind="read") is True
    own = PaperFactory(status=PaperStatus.PENDING, submitted_by=member)
    assert paper_mark_set(user=member, paper=own, kind="not_interested") is True


def test_settings_default_off_and_change(member):
    assert member_settings_get(user=member).hide_marked is False
    assert not MemberSettings.objects.exists()
    assert member_settings_update(user=member, hide_marked=True).hide_marked is True
    assert member_settings_update(user=member).hide_marked is True  # nothing given: kept
    assert member_settings_get(user=member).hide_marked is True
    assert member_settings_update(user=member, hide_marked=False).hide_marked is False
    assert MemberSettings.objects.count() == 1
    with pytest.raises(DomainError):
        member_settings_update(user=AnonymousUser(), hide_marked=True)


@pytest.fixture
def marked(member):
    """Four published papers: one read, one not interested, one both, one unmarked."""
    papers = [PaperFactory(title=f"Paper {i}") for i in range(4)]
    paper_mark_set(user=member, paper=papers[0], kind="read")
    paper_mark_set(user=member, paper=papers[1], kind="not_interested")
    paper_mark_set(user=member, paper=papers[2], kind="read")
    paper_mark_set(user=member, paper=papers[2], kind="not_interested")
    return papers


def ids(papers) -> set[int]:
    return {paper.pk for paper in papers}


def test_the_rule_hides_marked_papers_only_with_the_setting_on(member, other_member, marked):
    every = Paper.objects.all()
    assert ids(without_hidden_marks(every, member)) == ids(marked)
    member_settings_update(user=member, hide_marked=True)
    assert ids(without_hidden_marks(every, member)) == {marked[3].pk}
    # Nobody else's listings change: not another member's, not an anonymous reader's.
    paper_mark_set(user=other_member, paper=marked[3], kind="read")
    assert ids(without_hidden_marks(every, other_member)) == ids(marked)
    assert ids(without_hidden_marks(every, AnonymousUser())) == ids(marked)
    assert ids(without_hidden_marks(every, None)) == ids(marked)
    member_settings_update(user=member, hide_marked=False)
    assert ids(without_hidden_marks(every, member)) == ids(marked)


def test_listings_apply_the_rule_in_their_own_query(member, marked, django_assert_num_queries):
    member_settings_update(user=member, hide_marked=True)
    with django_assert_num_queries(1):
        assert ids(papers_list(viewer=member, order="new", prefetch_tags=False)) == {marked[3].pk}
    digest = DigestFactory()
    for position, paper in enumerate(marked, start=1):
        DigestEntryFactory(digest=digest, paper=paper, position=position)
    day = papers_for_digest_day(digest.date, viewer=member, prefetch_tags=False)
    assert ids(day.papers) == {marked[3].pk}


def test_rows_carry_the_readers_own_marks(member, other_member, marked):
    rows = {p.pk: p for p in papers_list(viewer=member, order="new", prefetch_tags=False)}
    assert [viewer_marks(rows[p.pk]) for p in marked] == [
        ["read"],
        ["not_interested"],
        ["read", "not_interested"],
        [],
    ]
    others = papers_list(viewer=other_member, order="new", prefetch_tags=False)
    assert all(viewer_marks(p) == [] for p in others)
    detail = paper_detail(pk=marked[2].pk, viewer=member)
    assert viewer_marks(detail) == ["read", "not_interested"]
    # A paper's page opens whatever the setting: it is no listing.
    member_settings_update(user=member, hide_marked=True)
    assert paper_detail(pk=marked[2].pk, viewer=member) is not None


def _plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
@pytest.mark.parametrize("hide", [False, True])
def test_postgresql_probes_the_marks_of_the_rows_it_reads_never_all_of_them(member, hide):
    """A member with many marks: a feed page probes the marks index for the rows it reads
    (one loop each), and never reads all the member's marks into a hash."""
    papers = Paper.objects.bulk_create(
        PaperFactory.build(title=f"Bulk {i}", title_key=f"bulk {i}", vote_count=i % 50)
        for i in range(600)
    )
    PaperMark.objects.bulk_create(
        PaperMark(user=member, paper=paper, kind="read") for paper in papers[::2]
    )
    member_settings_update(user=member, hide_marked=hide)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    page = papers_list(viewer=member, order="top", prefetch_tags=False)[:21]
    with CaptureQueriesContext(connection) as captured:
        rows = list(page)
    assert len(rows) == 21
    if hide:
        assert not any(viewer_marks(p) for p in rows)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + captured.captured_queries[0]["sql"])
        plan = cursor.fetchone()[0]
    nodes = list(_plan_nodes(plan[0]["Plan"]))
    on_marks = [n for n in nodes if n.get("Relation Name") == "curation_papermark"]
    assert len(on_marks) == 3  # the rule's anti join, and the page's two kinds of mark
    assert all(n["Node Type"] in ("Index Scan", "Index Only Scan") for n in on_marks), on_marks
    assert not any("hashed" in n.get("Subplan Name", "") for n in nodes)
    assert not any("Hash" in n["Node Type"] for n in nodes)
    read = sum(n["Actual Rows"] * n["Actual Loops"] for n in on_marks)
    assert read < 100, read  # the member has 300 marks: a page never reads them all
