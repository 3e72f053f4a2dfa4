"""Many editors at once on one list (real threads, each with its own connection, on
PostgreSQL): the list's row lock keeps the order 1, 2, 3... with each paper once."""

import threading

import pytest
from django.db import connection, connections

from lists.models import ListItem
from lists.services import (
    list_create,
    list_editor_add,
    list_item_add,
    list_item_move,
    list_item_remove,
)
from tests.factories import PaperFactory, UserFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def run_at_once(jobs) -> list[BaseException]:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        barrier.wait()
        try:
            job()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return errors


def positions(paper_list) -> list[int]:
    return list(
        ListItem.objects.filter(paper_list=paper_list)
        .order_by("position")
        .values_list("position", flat=True)
    )


def team_with_editors(n: int):
    owner = UserFactory()
    team = list_create(owner=owner, name="Busy", visibility="team")
    editors = [UserFactory() for _ in range(n)]
    for editor in editors:
        list_editor_add(paper_list=team, user=owner, username=editor.username)
    return team, editors


def test_twenty_editors_adding_at_once_get_twenty_places():
    team, editors = team_with_editors(20)
    papers = [PaperFactory() for _ in editors]
    jobs = [
        lambda e=e, p=p: list_item_add(paper_list=team, user=e, paper=p)
        for e, p in zip(editors, papers, strict=True)
    ]
    assert run_at_once(jobs) == []
    assert positions(team) == list(range(1, 21))


def test_the_same_paper_added_by_many_at_once_is_on_the_list_once():
    team, editors = team_with_editors(10)
    paper = PaperFactory()
    errors = run_at_once(
        [lambda e=e: list_item_add(paper_list=team, user=e, paper=paper) for e in editors]
    )
    assert len(errors) == 9 and all(getattr(e, "status_code", None) == 409 for e in errors)
    assert positions(team) == [1]


def test_moves_and_removes_at_once_keep_the_order_dense():
    team, editors = team_with_editors(12)
    items = [
        list_item_add(paper_list=team, user=editors[0], paper=PaperFactory()) for _ in range(12)
    ]
    jobs = []
    for i, editor in enumerate(editors):
        item = items[i]
        if i % 4 == 0:
            jobs.append(lambda e=editor, it=item: list_item_remove(item=it, user=e))
        elif i % 4 == 1:
            jobs.append(lambda e=editor, it=item: list_item_move(item=it, user=e, move="first"))
        elif i % 4 == 2:
            jobs.append(lambda e=editor, it=item: list_item_move(item=it, user=e, position=7))
        else:
            jobs.append(lambda e=editor, it=item: list_item_move(item=it, user=e, move="down"))
    assert run_at_once(jobs) == []
    assert positions(team) == list(range(1, 10))
