"""Fixtures of the reading group's tests: its people and an upcoming session."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    ModeratorFactory,
    PaperFactory,
    ReadingSessionFactory,
    UserFactory,
)


def next_week(hour: int = 18) -> datetime.datetime:
    """A naive wall-clock time a week from now."""
    day = (timezone.now() + datetime.timedelta(days=7)).date()
    return datetime.datetime.combine(day, datetime.time(hour, 0))


@pytest.fixture
def organizer(db):
    return UserFactory(username="organizer")


@pytest.fixture
def member(db):
    return UserFactory(username="member")


@pytest.fixture
def other(db):
    return UserFactory(username="other")


@pytest.fixture
def moderator(db):
    return ModeratorFactory(username="moderator")


@pytest.fixture
def paper(db):
    return PaperFactory(title="Attention Is Enough")


@pytest.fixture
def session(organizer):
    from readinggroup.services import session_create

    return session_create(
        organizer=organizer,
        title="Transformers, again",
        local_start=next_week(),
        time_zone="Europe/Paris",
        duration_minutes=90,
        place="Room 4",
    )


@pytest.fixture
def past_session(organizer):
    """A session that took place yesterday."""
    start = timezone.now() - datetime.timedelta(days=1)
    return ReadingSessionFactory(
        organizer=organizer, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )


@pytest.fixture
def started_session(organizer):
    """A session under way: it started ten minutes ago."""
    start = timezone.now() - datetime.timedelta(minutes=10)
    return ReadingSessionFactory(
        organizer=organizer, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
