"""Fixtures of the inbox's tests: members, a published paper, and the writes' hooks run as
in production (the tasks they send run in the test's thread, once the write commits)."""

import pytest

from tests.factories import ModeratorFactory, PaperFactory, UserFactory


@pytest.fixture(autouse=True)
def _only_the_inbox_after_papers_change(settings):
    """The writes of papers send the inbox's sweep; the recommendations' refresh (also sent)
    is not what these tests are about."""
    settings.PAPERS_CHANGED_TASKS = ["notifications.tasks.announce_papers"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the block's on-commit callbacks (the hooks, then the tasks
    they send) when it ends, as a committed transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def cyd(db):
    return UserFactory(username="cyd")


@pytest.fixture
def moderator(db):
    return ModeratorFactory(username="mod")


@pytest.fixture
def paper(db):
    return PaperFactory(title="Attention Is Enough", abstract="We study attention heads.")
