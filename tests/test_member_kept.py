"""What is kept of a member between their requests (accounts.member_version.member_kept): their
state on a page of papers, their flags on a thread, their inbox count and follow. Each is read
once, then served from the cache until a service changes it: the member sees their own action
on their next page, with no query more than that one read."""

from __future__ import annotations

import pytest

from curation.models import MarkKind
from curation.selectors import comments_thread, viewer_state_read
from curation.services import comment_flag, member_settings_update, paper_mark_set, vote_cast
from notifications.models import FollowKind, Notification, NotificationKind
from notifications.selectors import FollowTarget, inbox_state
from notifications.services import follow_create, follow_delete
from notifications.services.inbox import (
    Draft,
    notification_mark_read,
    notifications_mark_all_read,
    notifications_record,
)
from papers.models import PaperStatus
from tests.factories import CommentFactory, PaperFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def papers():
    return [PaperFactory(status=PaperStatus.PUBLISHED) for _ in range(3)]


def test_a_member_s_state_on_a_page_is_read_once_then_follows_each_change(
    papers, django_assert_num_queries
):
    member, other = UserFactory(), UserFactory()
    ids = [paper.pk for paper in papers]
    with django_assert_num_queries(1):
        assert viewer_state_read(ids, member).voted == frozenset()
    with django_assert_num_queries(0):
        assert viewer_state_read(ids, member).voted == frozenset()
    vote_cast(user=member, paper=papers[0])
    assert viewer_state_read(ids, member).voted == {papers[0].pk}
    paper_mark_set(user=member, paper=papers[1], kind=MarkKind.READ)
    assert viewer_state_read(ids, member).marks == {papers[1].pk: [MarkKind.READ]}
    member_settings_update(user=member, hide_marked=True)
    assert viewer_state_read(ids, member).hides_marked is True
    # Another member's kept state is theirs, and is not moved by these.
    assert viewer_state_read(ids, other).voted == frozenset()
    assert viewer_state_read(ids[:1], member).voted == {papers[0].pk}  # another page


def test_a_flag_shows_in_the_flagger_s_thread_at_once(papers):
    reader = UserFactory()
    comment = CommentFactory(paper=papers[0])
    assert not any(
        getattr(c, "viewer_flagged", False) for c in comments_thread(paper=papers[0], viewer=reader)
    )
    comment_flag(comment=comment, user=reader, reason="spam")
    flagged = [c.pk for c in comments_thread(paper=papers[0], viewer=reader) if c.viewer_flagged]
    assert flagged == [comment.pk]


def test_the_inbox_count_and_a_follow_follow_each_change(papers, django_assert_num_queries):
    member = UserFactory()
    target = FollowTarget(kind=FollowKind.PAPER, paper_id=papers[0].pk)
    with django_assert_num_queries(1):
        assert inbox_state(viewer=member, follow=target).unread == 0
    with django_assert_num_queries(0):
        assert inbox_state(viewer=member, follow=target).follow_id is None
    follow, _ = follow_create(user=member, kind=FollowKind.PAPER, paper=papers[0].pk)
    assert inbox_state(viewer=member, follow=target).follow_id == follow.pk
    assert inbox_state(viewer=member).follow_id is None  # a page without the button
    drafts = [
        Draft(recipient_id=member.pk, kind=NotificationKind.PAPER_COMMENT, event_key=f"e{n}")
        for n in range(2)
    ]
    notifications_record(drafts=drafts)  # recorded by a task, for its recipients
    assert inbox_state(viewer=member, follow=target).unread == 2
    notification_mark_read(
        notification=Notification.objects.filter(recipient=member).order_by("pk").first(),
        user=member,
    )
    assert inbox_state(viewer=member).unread == 1
    notifications_mark_all_read(user=member)
    assert inbox_state(viewer=member).unread == 0
    follow_delete(follow=follow, user=member)
    assert inbox_state(viewer=member, follow=target).follow_id is None
