"""The list services: who may do what, the papers a list takes, notes, and an order that
stays 1, 2, 3... whatever is moved or removed."""

import random

import pytest
from django.contrib.auth.models import AnonymousUser

from config.errors import DomainError
from curation.services import paper_hide
from lists import services
from lists.models import ListEditor, ListItem, PaperList
from lists.services import (
    list_create,
    list_delete,
    list_editor_add,
    list_editor_remove,
    list_item_add,
    list_item_move,
    list_item_note_edit,
    list_item_remove,
    list_update,
)
from papers.models import PaperStatus
from tests.factories import PaperFactory, UserFactory

pytestmark = pytest.mark.django_db


def refused(call, status: int, message: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call()
    assert raised.value.status_code == status, raised.value.message
    if message is not None:
        assert raised.value.message == message
    return raised.value


def order(paper_list) -> list[tuple[int, int]]:
    """(position, paper id) of every item, in the list's order."""
    return list(
        ListItem.objects.filter(paper_list=paper_list)
        .order_by("position", "id")
        .values_list("position", "paper_id")
    )


def positions(paper_list) -> list[int]:
    return [position for position, _ in order(paper_list)]


# --- Lists ----------------------------------------------------------------------------------


def test_a_member_creates_personal_and_team_lists(people):
    personal = list_create(owner=people["other"], name="  Weekend   reading ")
    team = list_create(owner=people["other"], name="Group", visibility="team")
    assert (personal.name, personal.visibility) == ("Weekend reading", "personal")
    assert (team.name, team.visibility, team.owner) == ("Group", "team", people["other"])


@pytest.mark.parametrize(
    ("name", "visibility", "message", "field"),
    [
        ("", "personal", services.MSG_NAME_REQUIRED, "name"),
        ("   ", "personal", services.MSG_NAME_REQUIRED, "name"),
        ("x" * 121, "personal", services.MSG_NAME_TOO_LONG, "name"),
        ("Fine", "public", services.MSG_UNKNOWN_VISIBILITY, "visibility"),
    ],
)
def test_a_list_needs_a_name_and_a_known_visibility(people, name, visibility, message, field):
    error = refused(
        lambda: list_create(owner=people["owner"], name=name, visibility=visibility), 400, message
    )
    assert error.extra["fields"] == {field: [message]}
    assert not PaperList.objects.exists()


@pytest.mark.parametrize("user", [None, AnonymousUser()])
def test_anonymous_readers_create_nothing(user):
    refused(lambda: list_create(owner=user, name="Nope"), 401)


def test_an_inactive_member_creates_nothing(db):
    refused(lambda: list_create(owner=UserFactory(is_active=False), name="Nope"), 401)


def test_only_the_owner_renames_and_deletes(people, team_list, personal_list):
    list_update(paper_list=team_list, user=people["owner"], name="Renamed")
    team_list.refresh_from_db()
    assert team_list.name == "Renamed"
    for role in ("editor", "other", "moderator", "admin"):
        refused(lambda r=role: list_update(paper_list=team_list, user=people[r], name="X"), 403)
        refused(lambda r=role: list_delete(paper_list=team_list, user=people[r]), 403)
    # Someone else's personal list does not exist for them, moderators included.
    for role in ("editor", "other", "moderator", "admin"):
        refused(
            lambda r=role: list_update(paper_list=personal_list, user=people[r], name="X"),
            404,
            services.MSG_NO_SUCH_LIST,
        )
        refused(lambda r=role: list_delete(paper_list=personal_list, user=people[r]), 404)
    list_delete(paper_list=personal_list, user=people["owner"])
    assert not PaperList.objects.filter(pk=personal_list.pk).exists()


def test_deleting_a_list_takes_its_items_and_editors_not_the_papers(people, team_list):
    paper = PaperFactory()
    list_item_add(paper_list=team_list, user=people["owner"], paper=paper)
    list_delete(paper_list=team_list, user=people["owner"])
    assert not ListItem.objects.exists()
    assert not ListEditor.objects.exists()
    paper.refresh_from_db()


def test_a_team_list_made_personal_loses_its_editors(people, team_list):
    list_update(paper_list=team_list, user=people["owner"], visibility="personal")
    assert not ListEditor.objects.filter(paper_list=team_list).exists()
    refused(
        lambda: list_item_add(paper_list=team_list, user=people["editor"], paper=PaperFactory()),
        404,
    )


def test_a_rename_moves_updated_at(people, personal_list):
    before = personal_list.updated_at
    updated = list_update(paper_list=personal_list, user=people["owner"], name="New name")
    assert updated.updated_at > before


# --- Editors --------------------------------------------------------------------------------


def test_the_owner_names_editors_by_name_in_any_case_once(people, team_list):
    editor, created = list_editor_add(paper_list=team_list, user=people["owner"], username="OTHER")
    assert (editor.user, created) == (people["other"], True)
    again, created = list_editor_add(paper_list=team_list, user=people["owner"], username="other")
    assert (again.pk, created) == (editor.pk, False)
    assert ListEditor.objects.filter(paper_list=team_list).count() == 2


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody", services.MSG_NO_SUCH_MEMBER),
        ("", services.MSG_NO_SUCH_MEMBER),
        ("owner", services.MSG_EDITOR_IS_OWNER),
        ("sleeper", services.MSG_NO_SUCH_MEMBER),
    ],
)
def test_editors_are_other_active_members(people, team_list, username, message):
    UserFactory(username="sleeper", is_active=False)
    error = refused(
        lambda: list_editor_add(paper_list=team_list, user=people["owner"], username=username),
        400,
        message,
    )
    assert error.extra["fields"] == {"username": [message]}


def test_a_personal_list_has_no_editors(people, personal_list):
    refused(
        lambda: list_editor_add(paper_list=personal_list, user=people["owner"], username="other"),
        409,
        services.MSG_TEAM_ONLY_EDITORS,
    )


def test_only_the_owner_names_editors(people, team_list):
    for role in ("editor", "other", "moderator"):
        refused(
            lambda r=role: list_editor_add(paper_list=team_list, user=people[r], username="admin"),
            403,
        )


def test_editors_change_papers_but_not_the_list(people, team_list):
    paper = PaperFactory()
    item = list_item_add(paper_list=team_list, user=people["editor"], paper=paper, note="Mine")
    assert item.added_by == people["editor"]
    refused(lambda: list_update(paper_list=team_list, user=people["editor"], name="X"), 403)
    refused(
        lambda: list_editor_add(paper_list=team_list, user=people["editor"], username="other"),
        403,
    )


def test_other_members_read_a_team_list_but_change_nothing(people, team_list):
    paper = PaperFactory()
    item = list_item_add(paper_list=team_list, user=people["owner"], paper=paper)
    for role in ("other", "moderator", "admin"):
        user = people[role]
        refused(
            lambda u=user: list_item_add(paper_list=team_list, user=u, paper=PaperFactory()),
            403,
            services.MSG_EDITORS_ONLY,
        )
        refused(lambda u=user: list_item_move(item=item, user=u, move="down"), 403)
        refused(lambda u=user: list_item_note_edit(item=item, user=u, note="x"), 403)
        refused(lambda u=user: list_item_remove(item=item, user=u), 403)


def test_the_owner_removes_editors_and_an_editor_may_leave(people, team_list):
    list_editor_add(paper_list=team_list, user=people["owner"], username="other")
    refused(
        lambda: list_editor_remove(paper_list=team_list, user=people["editor"], username="other"),
        403,
    )
    list_editor_remove(paper_list=team_list, user=people["editor"], username="Editor")
    list_editor_remove(paper_list=team_list, user=people["owner"], username="other")
    assert not ListEditor.objects.exists()
    refused(
        lambda: list_item_add(paper_list=team_list, user=people["editor"], paper=PaperFactory()),
        403,
    )
    refused(
        lambda: list_editor_remove(paper_list=team_list, user=people["owner"], username="other"),
        404,
        services.MSG_NOT_AN_EDITOR,
    )


def test_a_list_has_a_bounded_number_of_editors(people, team_list, monkeypatch):
    monkeypatch.setattr(services, "LIST_MAX_EDITORS", 2)
    list_editor_add(paper_list=team_list, user=people["owner"], username="other")
    refused(
        lambda: list_editor_add(paper_list=team_list, user=people["owner"], username="admin"),
        409,
    )


# --- Items ----------------------------------------------------------------------------------


def test_papers_go_last_once_each(people, personal_list):
    papers = [PaperFactory() for _ in range(3)]
    for paper in papers:
        list_item_add(paper_list=personal_list, user=people["owner"], paper=paper)
    assert order(personal_list) == [(i + 1, p.pk) for i, p in enumerate(papers)]
    error = refused(
        lambda: list_item_add(paper_list=personal_list, user=people["owner"], paper=papers[1]),
        409,
        services.MSG_ALREADY_ON_LIST,
    )
    first = ListItem.objects.get(paper_list=personal_list, paper=papers[1])
    assert error.extra["item_id"] == first.pk
    assert ListItem.objects.count() == 3


def test_one_paper_on_many_lists(people, personal_list, team_list):
    paper = PaperFactory()
    list_item_add(paper_list=personal_list, user=people["owner"], paper=paper)
    list_item_add(paper_list=team_list, user=people["owner"], paper=paper)
    assert ListItem.objects.filter(paper=paper).count() == 2


@pytest.mark.parametrize("status", [PaperStatus.PENDING, PaperStatus.REJECTED, PaperStatus.HIDDEN])
def test_only_papers_the_member_may_open_are_added(people, personal_list, status):
    paper = PaperFactory(status=status, first_digest_on=None)
    refused(
        lambda: list_item_add(paper_list=personal_list, user=people["owner"], paper=paper),
        404,
        services.MSG_NO_SUCH_PAPER,
    )
    assert not ListItem.objects.exists()


def test_a_member_adds_their_own_pending_submission_and_a_moderator_any(people, team_list):
    mine = PaperFactory(
        status=PaperStatus.PENDING, first_digest_on=None, submitted_by=people["editor"]
    )
    list_item_add(paper_list=team_list, user=people["editor"], paper=mine)
    list_editor_add(paper_list=team_list, user=people["owner"], username="moderator")
    hidden = PaperFactory(status=PaperStatus.HIDDEN)
    list_item_add(paper_list=team_list, user=people["moderator"], paper=hidden)
    assert ListItem.objects.filter(paper_list=team_list).count() == 2


def test_a_note_is_markdown_sanitized_as_comments_are(people, personal_list):
    note = (
        "**Read** section 3. <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://e.org)"
    )
    item = list_item_add(
        paper_list=personal_list, user=people["owner"], paper=PaperFactory(), note=note
    )
    assert item.note == note
    assert "<strong>Read</strong>" in item.note_html
    assert "<script" not in item.note_html
    assert 'href="javascript' not in item.note_html
    assert 'href="https://e.org"' in item.note_html and 'rel="nofollow ugc"' in item.note_html


def test_a_blank_note_is_no_note_and_a_long_one_is_refused(people, personal_list):
    item = list_item_add(
        paper_list=personal_list, user=people["owner"], paper=PaperFactory(), note="  \n "
    )
    assert (item.note, item.note_html) == ("", "")
    error = refused(
        lambda: list_item_note_edit(item=item, user=people["owner"], note="x" * 10_001),
        400,
        services.MSG_NOTE_TOO_LONG,
    )
    assert error.extra["fields"] == {"note": [services.MSG_NOTE_TOO_LONG]}
    edited = list_item_note_edit(item=item, user=people["owner"], note="*Now* a note")
    assert edited.note_html == "<p><em>Now</em> a note</p>\n"
    cleared = list_item_note_edit(item=item, user=people["owner"], note="")
    assert (cleared.note, cleared.note_html) == ("", "")


def test_a_list_is_full_at_its_limit(people, personal_list, monkeypatch):
    monkeypatch.setattr(services, "LIST_MAX_ITEMS", 2)
    for _ in range(2):
        list_item_add(paper_list=personal_list, user=people["owner"], paper=PaperFactory())
    refused(
        lambda: list_item_add(paper_list=personal_list, user=people["owner"], paper=PaperFactory()),
        409,
    )


def test_item_changes_move_the_lists_updated_at(people, personal_list):
    before = PaperList.objects.get(pk=personal_list.pk).updated_at
    list_item_add(paper_list=personal_list, user=people["owner"], paper=PaperFactory())
    assert PaperList.objects.get(pk=personal_list.pk).updated_at > before


# --- Order ----------------------------------------------------------------------------------


@pytest.fixture
def five(people, personal_list):
    papers = [PaperFactory(title=f"Paper {i}") for i in range(5)]
    items = [list_item_add(paper_list=personal_list, user=people["owner"], paper=p) for p in papers]
    return papers, items


def papers_in_order(paper_list) -> list[int]:
    return [paper_id for _, paper_id in order(paper_list)]


def test_moves_to_a_position_shift_the_items_between(people, personal_list, five):
    papers, items = five
    owner = people["owner"]
    moved = list_item_move(item=items[4], user=owner, position=2)
    assert moved.position == 2
    ids = [p.pk for p in papers]
    assert papers_in_order(personal_list) == [ids[0], ids[4], ids[1], ids[2], ids[3]]
    list_item_move(item=items[0], user=owner, position=4)
    assert papers_in_order(personal_list) == [ids[4], ids[1], ids[2], ids[0], ids[3]]
    # Beyond the end is the last place; 0 or less is not a position (the API refuses it),
    # the service takes the first.
    list_item_move(item=items[4], user=owner, position=99)
    assert papers_in_order(personal_list)[-1] == ids[4]
    assert positions(personal_list) == [1, 2, 3, 4, 5]


def test_steps_and_ends(people, personal_list, five):
    papers, items = five
    ids = [p.pk for p in papers]
    owner = people["owner"]
    list_item_move(item=items[2], user=owner, move="up")
    assert papers_in_order(personal_list) == [ids[0], ids[2], ids[1], ids[3], ids[4]]
    list_item_move(item=items[2], user=owner, move="down")
    list_item_move(item=items[2], user=owner, move="down")
    assert papers_in_order(personal_list) == [ids[0], ids[1], ids[3], ids[2], ids[4]]
    list_item_move(item=items[4], user=owner, move="first")
    list_item_move(item=items[0], user=owner, move="last")
    assert papers_in_order(personal_list) == [ids[4], ids[1], ids[3], ids[2], ids[0]]
    # At an end, a step further changes nothing.
    first = ListItem.objects.get(pk=items[4].pk)
    assert list_item_move(item=first, user=owner, move="up").position == 1
    assert positions(personal_list) == [1, 2, 3, 4, 5]


def test_a_step_passes_the_next_paper_the_mover_sees(people, team_list):
    """A paper hidden since it was added is not on the editor's page; "down" passes the next
    paper they see, so their page reads as they asked."""
    owner, editor, moderator = people["owner"], people["editor"], people["moderator"]
    papers = [PaperFactory(title=f"P{i}") for i in range(3)]
    items = [list_item_add(paper_list=team_list, user=owner, paper=p) for p in papers]
    paper_hide(paper=papers[1], moderator=moderator, reason="Spam.")
    list_item_move(item=items[0], user=editor, move="down")
    assert papers_in_order(team_list) == [papers[1].pk, papers[2].pk, papers[0].pk]
    # Nor may they touch the hidden paper's item.
    refused(lambda: list_item_move(item=items[1], user=editor, move="up"), 404)
    refused(lambda: list_item_remove(item=items[1], user=editor), 404)


def test_position_and_move_are_one_or_the_other(people, five):
    _, items = five
    owner = people["owner"]
    refused(lambda: list_item_move(item=items[0], user=owner), 400, services.MSG_MOVE_ONE_WAY)
    refused(
        lambda: list_item_move(item=items[0], user=owner, position=2, move="up"),
        400,
        services.MSG_MOVE_ONE_WAY,
    )
    refused(
        lambda: list_item_move(item=items[0], user=owner, move="sideways"),
        400,
        services.MSG_UNKNOWN_MOVE,
    )


def test_removing_closes_the_gap(people, personal_list, five):
    papers, items = five
    list_item_remove(item=items[1], user=people["owner"])
    assert order(personal_list) == [
        (1, papers[0].pk),
        (2, papers[2].pk),
        (3, papers[3].pk),
        (4, papers[4].pk),
    ]
    refused(lambda: list_item_remove(item=items[1], user=people["owner"]), 404)


def test_any_sequence_of_changes_keeps_the_order_dense(people, personal_list):
    """Random adds, moves and removes (a fixed seed): positions are always 1..n, and the
    order is the one a plain Python list given the same changes has."""
    rng = random.Random(7)
    owner = people["owner"]
    expected: list[int] = []
    for _ in range(60):
        items = {i.paper_id: i for i in ListItem.objects.filter(paper_list=personal_list)}
        action = rng.choice(["add", "add", "move", "step", "remove"]) if expected else "add"
        if action == "add":
            paper = PaperFactory()
            list_item_add(paper_list=personal_list, user=owner, paper=paper)
            expected.append(paper.pk)
        elif action == "move":
            paper_id = rng.choice(expected)
            target = rng.randint(1, len(expected) + 2)
            list_item_move(item=items[paper_id], user=owner, position=target)
            expected.remove(paper_id)
            expected.insert(min(target, len(expected) + 1) - 1, paper_id)
        elif action == "step":
            paper_id = rng.choice(expected)
            move = rng.choice(["up", "down", "first", "last"])
            list_item_move(item=items[paper_id], user=owner, move=move)
            at = expected.index(paper_id)
            expected.remove(paper_id)
            to = {"up": max(at - 1, 0), "down": min(at + 1, len(expected)), "first": 0}.get(
                move, len(expected)
            )
            expected.insert(to, paper_id)
        else:
            paper_id = rng.choice(expected)
            list_item_remove(item=items[paper_id], user=owner)
            expected.remove(paper_id)
        assert positions(personal_list) == list(range(1, len(expected) + 1))
        assert papers_in_order(personal_list) == expected
