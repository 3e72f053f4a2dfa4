"""Reading lists: who sees which list, and that a list shows (and counts) only the papers its
reader may open."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from config.cursors import BadCursor
from config.errors import DomainError
from curation.services import member_settings_update, paper_hide, paper_mark_set, vote_cast
from lists.selectors import (
    list_detail,
    list_items,
    list_items_page,
    lists_editable_by,
    lists_for_member,
    lists_page,
    lists_visible_to,
)
from lists.services import list_create, list_item_add
from papers.models import PaperStatus
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def names(lists) -> set[str]:
    return {paper_list.name for paper_list in lists}


def test_who_sees_which_list(people, team_list, personal_list):
    theirs = list_create(owner=people["other"], name="Other's own")
    assert names(lists_visible_to(people["owner"])) == {"Team picks", "Mine alone"}
    assert names(lists_visible_to(people["editor"])) == {"Team picks"}
    assert names(lists_visible_to(people["other"])) == {"Team picks", "Other's own"}
    # Moderators and admins see no personal list but their own.
    assert names(lists_visible_to(people["moderator"])) == {"Team picks"}
    assert names(lists_visible_to(people["admin"])) == {"Team picks"}
    for nobody in (None, AnonymousUser()):
        assert names(lists_visible_to(nobody)) == set()
    assert list_detail(pk=personal_list.pk, viewer=people["moderator"]) is None
    assert list_detail(pk=theirs.pk, viewer=people["owner"]) is None


def test_who_may_change_which_list(people, team_list, personal_list):
    assert names(lists_editable_by(people["owner"])) == {"Team picks", "Mine alone"}
    assert names(lists_editable_by(people["editor"])) == {"Team picks"}
    for role in ("other", "moderator", "admin"):
        assert names(lists_editable_by(people[role])) == set()
    assert names(lists_editable_by(AnonymousUser())) == set()
    detail = list_detail(pk=team_list.pk, viewer=people["editor"])
    assert detail.viewer_can_edit is True
    assert list_detail(pk=team_list.pk, viewer=people["other"]).viewer_can_edit is False
    assert [e.user.username for e in detail.editors.all()] == ["editor"]


def test_scopes(people, team_list, personal_list):
    list_create(owner=people["other"], name="Other team", visibility="team")
    owner = people["owner"]
    assert names(lists_for_member(viewer=owner)) == {"Team picks", "Mine alone", "Other team"}
    assert names(lists_for_member(viewer=owner, scope="mine")) == {"Team picks", "Mine alone"}
    assert names(lists_for_member(viewer=owner, scope="team")) == {"Team picks", "Other team"}
    assert names(lists_for_member(viewer=people["editor"], scope="editable")) == {"Team picks"}
    assert names(lists_for_member(viewer=AnonymousUser(), scope="editable")) == set()
    with pytest.raises(DomainError):
        lists_for_member(viewer=owner, scope="everything")
    # Newest first.
    assert [pl.name for pl in lists_for_member(viewer=owner)] == [
        "Other team",
        "Mine alone",
        "Team picks",
    ]


def test_a_list_shows_and_counts_only_what_its_reader_may_open(people, team_list):
    owner, editor, other, moderator = (
        people["owner"],
        people["editor"],
        people["other"],
        people["moderator"],
    )
    shown = PaperFactory(title="Shown")
    hidden_later = PaperFactory(title="Hidden later")
    editors_pending = PaperFactory(
        title="Editor's pending", status=PaperStatus.PENDING, submitted_by=editor
    )
    list_item_add(paper_list=team_list, user=owner, paper=shown)
    list_item_add(paper_list=team_list, user=owner, paper=hidden_later)
    list_item_add(paper_list=team_list, user=editor, paper=editors_pending)
    paper_hide(paper=hidden_later, moderator=moderator, reason="Spam.")

    def titles(user):
        return [i.paper.title for i in list_items(paper_list=team_list, viewer=user)]

    def count(user):
        return lists_for_member(viewer=user).get(pk=team_list.pk).item_count

    assert titles(owner) == ["Shown"] and count(owner) == 1
    assert titles(editor) == ["Shown", "Editor's pending"] and count(editor) == 2
    assert titles(other) == ["Shown"] and count(other) == 1
    assert titles(moderator) == ["Shown", "Hidden later", "Editor's pending"]
    assert count(moderator) == 3


def test_has_paper_says_what_add_to_list_offers(people, team_list, personal_list):
    paper = PaperFactory()
    list_item_add(paper_list=personal_list, user=people["owner"], paper=paper)
    found = {
        pl.name: pl.has_paper
        for pl in lists_for_member(viewer=people["owner"], scope="editable", paper_id=paper.pk)
    }
    assert found == {"Mine alone": True, "Team picks": False}
    assert not hasattr(lists_for_member(viewer=people["owner"]).first(), "has_paper")


def test_items_carry_the_readers_vote_and_marks_whatever_the_setting(people, personal_list):
    owner = people["owner"]
    papers = [PaperFactory(title=f"P{i}") for i in range(3)]
    for paper in papers:
        list_item_add(paper_list=personal_list, user=owner, paper=paper, note="Why")
    vote_cast(user=owner, paper=papers[0])
    paper_mark_set(user=owner, paper=papers[1], kind="read")
    member_settings_update(user=owner, hide_marked=True)
    page = list_items_page(
        list_items(paper_list=personal_list, viewer=owner),
        list_id=personal_list.pk,
        page_size=10,
        cursor=None,
    )
    # A list keeps the papers its reader marked: they chose to keep them there.
    assert [item.paper.title for item in page.rows] == ["P0", "P1", "P2"]
    assert [item.paper.viewer_voted for item in page.rows] == [True, False, False]
    assert [item.paper.viewer_read for item in page.rows] == [False, True, False]
    assert page.rows[0].added_by == owner and page.rows[0].note_html == "<p>Why</p>\n"


def test_items_page_in_the_lists_order(people, personal_list, django_assert_num_queries):
    owner = people["owner"]
    papers = [PaperFactory(title=f"P{i}") for i in range(7)]
    for paper in papers:
        list_item_add(paper_list=personal_list, user=owner, paper=paper)
    seen, cursor = [], None
    while True:
        with django_assert_num_queries(1):
            page = list_items_page(
                list_items(paper_list=personal_list, viewer=owner),
                list_id=personal_list.pk,
                page_size=3,
                cursor=cursor,
            )
        seen += [item.paper.title for item in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"P{i}" for i in range(7)]
    other = list_create(owner=owner, name="Other")
    first = list_items_page(
        list_items(paper_list=personal_list, viewer=owner),
        list_id=personal_list.pk,
        page_size=3,
        cursor=None,
    )
    with pytest.raises(BadCursor):  # a cursor of one list is no cursor of another
        list_items_page(
            list_items(paper_list=other, viewer=owner),
            list_id=other.pk,
            page_size=3,
            cursor=first.next_cursor,
        )


def test_lists_page_newest_first(people):
    for i in range(5):
        list_create(owner=people["owner"], name=f"L{i}")
    seen, cursor = [], None
    while True:
        page = lists_page(lists_for_member(viewer=people["owner"]), page_size=2, cursor=cursor)
        seen += [pl.name for pl in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["L4", "L3", "L2", "L1", "L0"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_a_lists_page_reads_its_items_not_the_papers(people, personal_list):
    """The rule of visible papers is an EXISTS by primary key: a page of a list probes its
    papers by id, never scans the papers."""
    from django.test.utils import CaptureQueriesContext

    from papers.models import Paper

    Paper.objects.bulk_create(
        PaperFactory.build(title=f"Bulk {i}", title_key=f"bulk {i}") for i in range(2000)
    )
    for paper in Paper.objects.order_by("id")[:30]:
        list_item_add(paper_list=personal_list, user=people["owner"], paper=paper)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    items = list_items(paper_list=personal_list, viewer=people["owner"])
    with CaptureQueriesContext(connection) as captured:
        list_items_page(items, list_id=personal_list.pk, page_size=20, cursor=None)
        list(lists_for_member(viewer=people["owner"]))
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
            plan = cursor.fetchone()[0][0]["Plan"]
            assert _rows(plan) < 500, query["sql"]


def _rows(node: dict) -> int:
    own = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * (
        node.get("Actual Loops", 1) or 1
    )
    return own + sum(_rows(child) for child in node.get("Plans", []))
