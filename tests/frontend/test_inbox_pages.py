"""The inbox page, the header's count and the Follow buttons, over the test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lists.services import list_create
from notifications.models import Notification, NotificationKind
from notifications.services import Draft, follow_create, notifications_record
from papers.models import PaperStatus
from tests.factories import PaperFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


@pytest.fixture
def paper(db):
    return PaperFactory(title="Attention Is Enough")


def record(user, paper, keys) -> list[Notification]:
    notifications_record(
        drafts=[Draft(user.pk, NotificationKind.TAG_PAPER, key, paper_id=paper.pk) for key in keys]
    )
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def test_anonymous_readers_are_sent_to_log_in(client):
    response = client.get(reverse("inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_header_counts_my_unread_items(client, ada, paper):
    client.force_login(ada)
    assert "data-unread-count" not in client.get(reverse("home")).content.decode()
    record(ada, paper, ["a", "b"])
    body = client.get(reverse("home")).content.decode()
    assert '<span class="badge" data-unread-count>2</span>' in body


def test_items_unread_first_each_linking_to_its_paper_and_marked_read_by_forms(client, ada, paper):
    other = UserFactory(username="other")
    first, second, third = record(ada, paper, ["a", "b", "c"])
    (theirs,) = record(other, paper, ["a"])
    client.force_login(ada)
    client.post(reverse("inbox"), {"action": "read", "item": second.pk})
    body = client.get(reverse("inbox")).content.decode()
    order = [body.index(f'data-item-id="{item.pk}"') for item in (third, first, second)]
    assert order == sorted(order)
    assert f'href="/papers/{paper.pk}/"' in body
    assert "New paper with a tag you follow: “Attention Is Enough”." in body

    # Someone else's item is not there for me.
    assert client.post(reverse("inbox"), {"action": "read", "item": theirs.pk}).status_code == 404
    assert client.post(reverse("inbox"), {"action": "read", "item": "x"}).status_code == 400
    assert client.post(reverse("inbox"), {"action": "dance"}).status_code == 400
    theirs.refresh_from_db()
    assert theirs.unread

    response = client.post(reverse("inbox"), {"action": "read-all"}, follow=True)
    assert "Every item is marked read." in response.content.decode()
    assert not Notification.objects.filter(recipient=ada, unread=True).exists()


def test_follow_buttons_say_whether_i_follow(client, ada, paper):
    tag = TagFactory(name="Vision", slug="vision")
    team = list_create(owner=ada, name="Team picks", visibility="team")
    client.force_login(ada)
    pages = {
        reverse("tag", args=[tag.slug]): {"kind": "tag", "tag": "vision"},
        reverse("paper", args=[paper.pk]): {"kind": "paper", "paper": paper.pk},
        reverse("list", args=[team.pk]): {"kind": "list", "paper_list": team.pk},
        reverse("search") + "?q=Sparse+routing": {"kind": "search", "query": "sparse routing"},
    }
    for url, target in pages.items():
        body = client.get(url).content.decode()
        assert 'data-follow-kind="{}"'.format(target["kind"]) in body, url
        assert 'aria-pressed="false"' in body.split("data-follow-kind")[1], url
        follow, _ = follow_create(user=ada, **target)
        body = client.get(url).content.decode()
        assert f'data-follow-id="{follow.pk}" aria-pressed="true"' in body, url
    inbox = client.get(reverse("inbox")).content.decode()
    for label in ("Tag Vision", "Paper “Attention Is Enough”", "List “Team picks”"):
        assert label in inbox
    assert "Search “sparse routing”" in inbox


def test_an_item_about_a_paper_hidden_since_shows_no_title_or_link(client, ada, paper):
    record(ada, paper, ["a"])
    paper.status = PaperStatus.HIDDEN
    paper.save(update_fields=["status"])
    client.force_login(ada)
    body = client.get(reverse("inbox")).content.decode()
    assert "a paper you can no longer open" in body
    assert "Attention Is Enough" not in body and f"/papers/{paper.pk}/" not in body


def test_anonymous_pages_show_no_follow_button(client, paper):
    body = client.get(reverse("paper", args=[paper.pk])).content.decode()
    assert "data-follow-kind" not in body and "data-unread-count" not in body
