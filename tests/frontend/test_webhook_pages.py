"""The webhooks page (/inbox/webhooks/): a moderator puts one on a tag, the owner of a team
list on that list; the secret is shown on the answer that made it only; refusals are one
sentence and write nothing; a member deletes only their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lists.services import list_create
from notifications.models import Webhook
from tests.factories import ModeratorFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "https://hooks.example.com/paperboard"


@pytest.fixture
def vision(db):
    return TagFactory(name="Vision", slug="vision")


def test_anonymous_readers_are_sent_to_log_in(client):
    response = client.get(reverse("webhooks"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_form_offers_tags_to_moderators_and_a_members_own_team_lists(client, vision):
    member, other = UserFactory(), UserFactory()
    mine = list_create(owner=member, name="Our reading", visibility="team")
    list_create(owner=member, name="Only mine", visibility="personal")
    list_create(owner=other, name="Theirs", visibility="team")
    client.force_login(member)
    body = client.get(reverse("webhooks")).content.decode()
    assert f'value="list:{mine.pk}"' in body and "Our reading" in body
    assert "Only mine" not in body and "Theirs" not in body and "tag:vision" not in body

    client.force_login(ModeratorFactory())
    body = client.get(reverse("webhooks")).content.decode()
    assert 'value="tag:vision"' in body


def test_a_member_with_nothing_to_hook_is_told_why(client):
    client.force_login(UserFactory())
    body = client.get(reverse("webhooks")).content.decode()
    assert "Nothing to put a webhook on" in body and "data-hook-form" not in body


def test_a_moderator_adds_one_on_a_tag_and_sees_its_secret_once(client, vision):
    moderator = ModeratorFactory()
    client.force_login(moderator)
    response = client.post(
        reverse("webhooks"), {"action": "create", "target": "tag:vision", "url": URL}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    hook = Webhook.objects.get(owner=moderator)
    assert (hook.tag, hook.url) == (vision, URL)
    body = response.content.decode()
    assert f'value="{hook.secret}"' in body
    assert hook.secret not in client.get(reverse("webhooks")).content.decode()


@pytest.mark.parametrize(
    ("target", "url", "status", "sentence"),
    [
        ("tag:vision", "ftp://hooks.example.com/x", 400, "http"),
        ("", URL, 400, "Choose a tag or a team list for the webhook."),
        ("list:99999999999999999999", URL, 400, "Choose a tag or a team list for the webhook."),
        ("tag:vision", URL, 403, "Only moderators may add a webhook to a tag."),
        ("tag:nope", URL, 400, "There is no such tag."),
    ],
)
def test_a_refused_webhook_is_one_sentence_and_writes_nothing(
    client, vision, target, url, status, sentence
):
    client.force_login(UserFactory())
    response = client.post(reverse("webhooks"), {"action": "create", "target": target, "url": url})
    assert response.status_code == status
    body = response.content.decode()
    assert 'role="alert" id="hook-error"' in body and sentence in body
    assert Webhook.objects.count() == 0


def test_a_member_deletes_their_own_webhook_and_no_one_elses(client):
    owner, other = UserFactory(), UserFactory()
    team = list_create(owner=owner, name="Our reading", visibility="team")
    client.force_login(owner)
    client.post(reverse("webhooks"), {"action": "create", "target": f"list:{team.pk}", "url": URL})
    hook = Webhook.objects.get()

    client.force_login(other)
    response = client.post(reverse("webhooks"), {"action": "delete", "webhook": str(hook.pk)})
    assert response.status_code == 404 and Webhook.objects.filter(pk=hook.pk).exists()
    assert client.post(reverse("webhooks"), {"action": "delete", "webhook": "x"}).status_code == 404
    assert client.post(reverse("webhooks"), {"action": "other"}).status_code == 400

    client.force_login(owner)
    response = client.post(
        reverse("webhooks"), {"action": "delete", "webhook": str(hook.pk)}, follow=True
    )
    assert "nothing is posted to its address any more" in response.content.decode()
    assert not Webhook.objects.exists()
