"""Fixtures of the curation tests: one user per role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import ModeratorFactory, StaffUserFactory, UserFactory

ROLES = ["anonymous", "none", "member", "moderator", "admin"]


@pytest.fixture
def member(db):
    return UserFactory(username="member")


@pytest.fixture
def other_member(db):
    return UserFactory(username="other")


@pytest.fixture
def moderator(db):
    return ModeratorFactory(username="moderator")


@pytest.fixture
def staff(db):
    return StaffUserFactory(username="staff")


@pytest.fixture
def user_of_role(db):
    """A user of the given role: "anonymous" (AnonymousUser), "none" (None), "member",
    "moderator" or "admin" (staff)."""

    def _make(role: str):
        return {
            "anonymous": lambda: AnonymousUser(),
            "none": lambda: None,
            "member": lambda: UserFactory(),
            "moderator": lambda: ModeratorFactory(),
            "admin": lambda: StaffUserFactory(),
        }[role]()

    return _make
