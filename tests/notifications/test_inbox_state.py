"""notifications.selectors.inbox_state, one written-out statement, against the models: the
member's unread count and their follow of a page's target, for each kind of target."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notifications.models import Follow, FollowKind, Notification
from notifications.selectors import FollowTarget, inbox_state
from notifications.services.follows import follow_create, search_query_key
from tests.factories import PaperFactory, PaperListFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def _items(user, *, unread: int, read: int) -> None:
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind="paper_published",
            event_key=f"e:{i}",
            read_at=None if i < unread else timezone.now(),
        )
        for i in range(unread + read)
    )


def test_the_unread_count_is_the_member_s_own(django_assert_num_queries):
    ada, bob = UserFactory(), UserFactory()
    _items(ada, unread=3, read=2)
    _items(bob, unread=1, read=0)
    with django_assert_num_queries(1):
        assert inbox_state(viewer=ada).unread == 3
    assert inbox_state(viewer=bob).unread == 1
    assert inbox_state(viewer=UserFactory()).unread == 0
    with django_assert_num_queries(0):
        assert inbox_state(viewer=None).unread == 0


def test_the_follow_of_each_kind_of_target_is_found_and_only_the_member_s():
    ada, bob = UserFactory(), UserFactory()
    tag, paper = TagFactory(slug="optics", name="Optics"), PaperFactory()
    paper_list = PaperListFactory(owner=ada)
    targets = {
        FollowKind.TAG: (FollowTarget(kind=FollowKind.TAG, tag_id=tag.pk), {"tag": tag.slug}),
        FollowKind.PAPER: (
            FollowTarget(kind=FollowKind.PAPER, paper_id=paper.pk),
            {"paper": paper.pk},
        ),
        FollowKind.LIST: (
            FollowTarget(kind=FollowKind.LIST, paper_list_id=paper_list.pk),
            {"paper_list": paper_list.pk},
        ),
        FollowKind.SEARCH: (
            FollowTarget(kind=FollowKind.SEARCH, query_key=search_query_key("Sparse  attention")),
            {"query": "sparse attention"},
        ),
    }
    for kind, (target, made_with) in targets.items():
        assert inbox_state(viewer=ada, follow=target).follow_id is None
        follow, created = follow_create(user=ada, kind=kind, **made_with)
        assert created
        assert inbox_state(viewer=ada, follow=target).follow_id == follow.pk
        assert inbox_state(viewer=bob, follow=target).follow_id is None
    assert Follow.objects.filter(user=ada).count() == 4
