"""config.hooks: listeners hear of a transaction's events once it commits, never of a rolled
back one, and one that fails fails nothing else."""

import pytest
from django.db import transaction

from config.hooks import CommittedHook

pytestmark = pytest.mark.django_db


def test_listeners_hear_only_of_committed_events(django_capture_on_commit_callbacks):
    hook: CommittedHook[str] = CommittedHook("test")
    heard: list = []
    hook.listen(heard.append)
    hook.listen(heard.append)  # once, however often registered

    with django_capture_on_commit_callbacks(execute=True):
        hook.emit(["a", "b"])
    assert heard == [("a", "b")]

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                hook.emit(["rolled back"])
                raise RuntimeError
        except RuntimeError:
            pass
        hook.emit([])  # nothing to tell: nothing scheduled
    assert heard == [("a", "b")]


def test_a_failing_listener_is_logged_and_the_others_still_hear(
    django_capture_on_commit_callbacks, caplog
):
    hook: CommittedHook[int] = CommittedHook("test")
    heard: list = []

    def broken(events):
        raise ValueError("boom")

    hook.listen(broken)
    hook.listen(heard.append)
    with django_capture_on_commit_callbacks(execute=True):
        hook.emit([1])
    assert heard == [(1,)]
    assert "a listener of test failed on 1 events" in caplog.text
