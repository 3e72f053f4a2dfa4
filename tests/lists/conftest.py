"""Fixtures of the lists tests: the people around a team list and a personal one."""

import pytest

from tests.factories import ModeratorFactory, StaffUserFactory, UserFactory


@pytest.fixture
def people(db):
    """The roles of the lists: the owner, an editor (of the team list), another member, a
    moderator and an admin."""
    return {
        "owner": UserFactory(username="owner"),
        "editor": UserFactory(username="editor"),
        "other": UserFactory(username="other"),
        "moderator": ModeratorFactory(username="moderator"),
        "admin": StaffUserFactory(username="admin"),
    }


@pytest.fixture
def team_list(people):
    from lists.services import list_create, list_editor_add

    team = list_create(owner=people["owner"], name="Team picks", visibility="team")
    list_editor_add(paper_list=team, user=people["owner"], username="editor")
    return team


@pytest.fixture
def personal_list(people):
    from lists.services import list_create

    return list_create(owner=people["owner"], name="Mine alone")
