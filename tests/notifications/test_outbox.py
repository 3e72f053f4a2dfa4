"""The inbox's outbox: an event (a reply, a tag put on a paper, a new presenter, a paper put on
a team list) is kept in the transaction that caused it, so a broker that is down when it
commits loses nothing: beat's sweep handles it later, once."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.db import transaction
from django.utils import timezone

from curation.services import comment_create, paper_tag_add
from notifications.models import (
    Notification,
    NotificationKind,
    PaperAnnouncement,
    PendingEvent,
)
from notifications.services import follow_create
from notifications.services.outbox import (
    HANDLERS,
    PENDING_EVENT_MAX_ATTEMPTS,
    pending_event_handle,
    pending_events_due,
    pending_events_record,
    pending_events_sweep,
)
from readinggroup.services import (
    session_create,
    session_paper_presenter_set,
    session_paper_propose,
)
from tests.factories import TagFactory, UserFactory
from tests.readinggroup.conftest import next_week

pytestmark = pytest.mark.django_db


def later(seconds: float = 120) -> datetime.datetime:
    """A time past the sweep's grace for rows written now."""
    return timezone.now() + datetime.timedelta(seconds=seconds)


def kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_an_event_is_kept_with_its_write_and_handled_once_it_commits(committed, ada, bob, paper):
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    PendingEvent.objects.all().delete()  # the question's own event: not what this is about

    with committed():
        comment_create(user=bob, paper=paper, body="The first two.", parent=question)
        # Inside the transaction: the event is a row, nobody is told yet.
        assert list(PendingEvent.objects.values_list("kind", flat=True)) == ["comment"]
        assert kinds(ada) == []

    assert kinds(ada) == [NotificationKind.REPLY]
    assert not PendingEvent.objects.exists()


def test_a_rolled_back_write_leaves_no_event(committed, ada, bob, paper):
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    PendingEvent.objects.all().delete()

    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        comment_create(user=bob, paper=paper, body="The first two.", parent=question)
        raise RuntimeError("the request failed after the comment")

    assert not PendingEvent.objects.exists()
    assert kinds(ada) == []


def test_events_committed_while_the_broker_is_down_are_handled_by_the_sweep(
    broker_down, committed, ada, bob, cyd, moderator, paper, caplog
):
    """The broker is really unreachable (a closed port): the writes succeed, their events
    wait as rows, the sweep (beat, once the broker is back) tells each member once."""
    PaperAnnouncement.objects.create(paper=paper)  # published (and told of) before
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    tag = TagFactory(slug="vision")
    follow_create(user=cyd, kind="tag", tag="vision")
    organizer = UserFactory(username="organizer")
    session = session_create(
        organizer=organizer,
        title="Attention week",
        local_start=next_week(),
        time_zone="Europe/Paris",
        duration_minutes=90,
    )
    row = session_paper_propose(session=session, paper_id=paper.pk, actor=organizer)
    PendingEvent.objects.all().delete()

    with caplog.at_level(logging.WARNING), committed():
        comment_create(user=bob, paper=paper, body="The first two.", parent=question)
        paper_tag_add(paper=paper, tag=tag, user=bob)
        session_paper_presenter_set(session_paper=row.session_paper, actor=organizer, presenter=ada)

    # Committed, nobody told, nothing lost.
    assert sorted(PendingEvent.objects.values_list("kind", flat=True)) == [
        "comment",
        "made_presenter",
        "paper_tagged",
    ]
    assert kinds(ada) == kinds(cyd) == []
    assert "wait for the sweep" in caplog.text

    assert pending_events_sweep() == 0  # within the grace: their task may still come
    assert pending_events_sweep(now=later()) == 3

    assert sorted(kinds(ada)) == sorted([NotificationKind.REPLY, NotificationKind.MADE_PRESENTER])
    assert kinds(cyd) == [NotificationKind.TAG_PAPER]
    assert not PendingEvent.objects.exists()
    # A second sweep (or a late task) finds nothing to do.
    assert pending_events_sweep(now=later()) == 0
    assert Notification.objects.count() == 3


def test_an_event_handled_twice_tells_each_member_once(committed, ada, bob, paper):
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    with committed():
        answer = comment_create(user=bob, paper=paper, body="The first two.", parent=question)
    # The same event again, as a second delivery of its task would bring it (a SQLite
    # database has no row locks to keep two handlers apart).
    [pk] = pending_events_record([("comment", {"comment_id": answer.pk, "edited": False})])

    assert pending_event_handle(pk) is True
    assert pending_event_handle(pk) is False  # gone: handled already
    assert kinds(ada) == [NotificationKind.REPLY]


def test_a_failing_event_is_kept_and_tried_again_until_it_has_failed_too_often(
    monkeypatch, ada, paper, caplog
):
    calls = []

    def broken(**payload):
        calls.append(payload)
        raise ValueError("a bug in the handler")

    monkeypatch.setitem(HANDLERS, "comment", broken)
    [pk] = pending_events_record([("comment", {"comment_id": 1, "edited": False})])

    assert pending_event_handle(pk) is False
    assert PendingEvent.objects.get(pk=pk).attempts == 1
    assert "pending event" in caplog.text and "failed" in caplog.text
    for _ in range(PENDING_EVENT_MAX_ATTEMPTS - 1):
        assert pending_events_sweep(now=later()) == 0
    assert PendingEvent.objects.get(pk=pk).attempts == PENDING_EVENT_MAX_ATTEMPTS
    # Failed too often: kept for a person to look at, no longer swept.
    assert pending_events_due(now=later()) == []
    assert len(calls) == PENDING_EVENT_MAX_ATTEMPTS


def test_an_unknown_kind_is_refused_before_anything_is_written():
    with pytest.raises(ValueError, match="no handler"):
        pending_events_record([("nonsense", {})])
    assert not PendingEvent.objects.exists()
