"""Outgoing webhooks against a real HTTP server (http.server in a thread): each event sent
once per webhook, signed, retried with backoff while the receiver fails; who may add one;
which addresses are refused."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from config.errors import DomainError
from curation.services import comment_create, paper_publish, paper_tag_add
from lists.services import list_create, list_item_add
from notifications.models import WebhookDelivery, WebhookDeliveryStatus
from notifications.services import webhook_create, webhook_deliver
from notifications.services.webhooks import (
    MSG_BAD_URL,
    MSG_LIST_OWNER,
    MSG_PRIVATE_URL,
    MSG_TAG_MODERATORS,
    webhooks_list_paper_added,
)
from notifications.tasks import send_pending_webhooks
from papers.models import PaperStatus
from tests.factories import PaperFactory, PaperTagFactory, TagFactory

pytestmark = pytest.mark.django_db


def signed_by(secret: str, received) -> bool:
    timestamp = received.headers["X-Paperboard-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + received.body, hashlib.sha256
    ).hexdigest()
    fresh = abs(time.time() - int(timestamp)) < 300
    signature = received.headers["X-Paperboard-Signature"]
    return fresh and hmac.compare_digest(signature, f"sha256={expected}")


def test_a_paper_published_in_a_tag_reaches_its_webhook_once_after_two_failures(
    receiver, committed, moderator
):
    vision = TagFactory(name="Vision", slug="vision")
    created = webhook_create(owner=moderator, url=receiver.url, tag="vision")
    paper = PaperFactory(title="Seeing Things", status=PaperStatus.PENDING, arxiv_id="2401.00001")
    PaperTagFactory(paper=paper, tag=vision)
    receiver.statuses = [500, 500]  # fails twice, then takes it

    with committed():
        paper_publish(paper=paper, moderator=moderator)

    assert len(receiver.received) == 3
    assert all(signed_by(created.secret, r) for r in receiver.received)
    assert len({r.body for r in receiver.received}) == 1  # the same bytes every attempt
    assert len({r.headers["X-Paperboard-Delivery"] for r in receiver.received}) == 1
    body = receiver.received[-1].json()
    assert body["text"].startswith("New paper in Vision: Seeing Things ")
    assert body["event"] == "paper_published"
    assert body["tag"] == {"slug": "vision", "name": "Vision"}
    assert (body["paper"]["id"], body["paper"]["arxiv_id"]) == (paper.pk, "2401.00001")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (WebhookDeliveryStatus.SENT, 3)

    # Again by any door (the task delivered twice, the sweep, the tag put again): nothing.
    assert webhook_deliver(delivery_id=delivery.pk) is False
    send_pending_webhooks()
    with committed():
        paper_tag_add(paper=paper, tag=vision, user=moderator)
    assert len(receiver.received) == 3
    assert WebhookDelivery.objects.count() == 1


def test_a_receiver_that_keeps_failing_is_given_up_after_the_retries(
    receiver, committed, moderator
):
    from notifications.tasks import deliver_webhook  # its retries: WEBHOOK_MAX_RETRIES

    vision = TagFactory(name="Vision", slug="vision")
    webhook_create(owner=moderator, url=receiver.url, tag="vision")
    receiver.statuses = [503] * 50
    paper = PaperFactory(status=PaperStatus.PENDING)
    PaperTagFactory(paper=paper, tag=vision)
    with committed():
        paper_publish(paper=paper, moderator=moderator)
    delivery = WebhookDelivery.objects.get()
    attempts = deliver_webhook.max_retries + 1
    assert len(receiver.received) == attempts
    assert (delivery.status, delivery.attempts) == (WebhookDeliveryStatus.FAILED, attempts)
    assert delivery.last_error == "HTTP 503"


def test_a_comment_on_a_paper_of_a_team_list_reaches_the_lists_webhook(
    receiver, committed, ada, bob, paper
):
    team = list_create(owner=ada, name="Team picks", visibility="team")
    list_item_add(paper_list=team, user=ada, paper=paper)
    created = webhook_create(owner=ada, url=receiver.url, paper_list=team.pk)
    with committed():
        comment = comment_create(user=bob, paper=paper, body="Worth a session.")
    [received] = receiver.received
    assert signed_by(created.secret, received)
    body = received.json()
    assert body["event"] == "comment_posted"
    assert body["list"] == {"id": team.pk, "name": "Team picks"}
    assert body["comment"]["author"] == "bob"
    assert body["text"].endswith(f"/papers/{paper.pk}/#c{comment.pk}")


def test_a_paper_put_on_a_team_list_reaches_the_lists_webhook_once(
    receiver, committed, ada, bob, paper
):
    team = list_create(owner=ada, name="Team picks", visibility="team")
    mine = list_create(owner=ada, name="Mine", visibility="personal")
    created = webhook_create(owner=ada, url=receiver.url, paper_list=team.pk)
    with committed():
        item = list_item_add(paper_list=team, user=ada, paper=paper, note="For *Friday*")
        list_item_add(paper_list=mine, user=ada, paper=PaperFactory(title="Private pick"))
    [received] = receiver.received
    assert signed_by(created.secret, received)
    body = received.json()
    assert body["event"] == "paper_added"
    assert body["list"] == {"id": team.pk, "name": "Team picks"}
    assert (body["paper"]["id"], body["added_by"], body["note"]) == (
        paper.pk,
        "ada",
        "For *Friday*",
    )
    assert body["text"].startswith(f"ada added {paper.title} to Team picks: ")
    # Told once, whatever the task's deliveries: run again, it records nothing new.
    webhooks_list_paper_added(item_id=item.pk)
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.filter(event_key=f"list-item:{item.pk}").count() == 1


def test_who_may_add_a_webhook_and_where_it_may_point(ada, bob, moderator, settings):
    TagFactory(slug="vision")
    team = list_create(owner=ada, name="Team picks", visibility="team")
    mine = list_create(owner=ada, name="Mine")
    url = "https://93.184.215.14/hook"
    with pytest.raises(DomainError, match=MSG_TAG_MODERATORS):
        webhook_create(owner=ada, url=url, tag="vision")
    with pytest.raises(DomainError, match=MSG_LIST_OWNER):
        webhook_create(owner=bob, url=url, paper_list=team.pk)
    with pytest.raises(DomainError, match=MSG_LIST_OWNER):
        webhook_create(owner=ada, url=url, paper_list=mine.pk)  # a personal list
    for bad in ("ftp://93.184.215.14/x", "javascript:alert(1)", "http://", "https://a b/"):
        with pytest.raises(DomainError, match=MSG_BAD_URL):
            webhook_create(owner=moderator, url=bad, tag="vision")
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    for private in ("http://127.0.0.1:8000/x", "http://10.0.0.7/x", "http://[::1]/x"):
        with pytest.raises(DomainError, match=MSG_PRIVATE_URL):
            webhook_create(owner=moderator, url=private, tag="vision")
    assert webhook_create(owner=moderator, url=url, tag="vision").webhook.pk
