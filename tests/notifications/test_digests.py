"""E-mail digests through a real SMTP server (aiosmtpd): due at the member's hour in their own
time zone, each item sent once whatever the runs (two at once, one that died mid-send), and
stopped at once by the one-click unsubscribe link."""

from __future__ import annotations

import datetime
import threading
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import MemberTimeZone
from curation.services import comment_create, paper_publish
from notifications.models import Delivery, Digest, DigestStatus, NotificationKind
from notifications.services import delivery_settings_update, digests_send, follow_create
from notifications.services.delivery import MSG_BAD_UNSUBSCRIBE
from papers.models import PaperStatus
from tests.factories import PaperFactory, PaperTagFactory, TagFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(hour: int, minute: int = 5, days: int = 0) -> datetime.datetime:
    """Today (in Paris) plus `days`, at hour:minute Paris time."""
    day = timezone.now().astimezone(PARIS).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def daily(member, *topics: str) -> None:
    MemberTimeZone.objects.update_or_create(user=member, defaults={"time_zone": "Europe/Paris"})
    delivery_settings_update(
        member=member, digest_hour=8, topics={t: {"email": "daily"} for t in topics}
    )


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.mark.django_db
def test_a_reply_to_a_comment_reaches_its_authors_daily_digest_at_eight_in_their_zone(
    smtp, committed, ada, bob, paper
):
    daily(ada, "reply")
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    with committed():
        comment_create(user=bob, paper=paper, body="The first two, @ada.", parent=question)

    # 07:55 in Paris: not yet, whatever the hour in UTC.
    assert digests_send(now=paris(7, 55)).sent == 0
    assert smtp.messages == []

    assert digests_send(now=paris(8, 5)).sent == 1
    [message] = smtp.messages
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Paperboard: 1 new item in your inbox today"
    assert "bob replied to your comment on “Attention Is Enough”." in text_of(message)
    assert "The first two, @ada." in text_of(message)
    assert f"https://paperboard.example/papers/{paper.pk}/#c" in text_of(message)
    assert "bob replied to your comment" in html_of(message)
    digest = Digest.objects.get(member=ada)
    assert message["Message-ID"] == digest.message_id
    assert digest.status == DigestStatus.SENT
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<https://paperboard.example/inbox/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in text_of(message)

    # Later the same day, and the next day: that item is never sent again.
    assert digests_send(now=paris(12)).sent == 0
    assert digests_send(now=paris(8, 5, days=1)).sent == 0
    assert len(smtp.messages) == 1
    # Bob, who set nothing, gets no mail; a topic not chosen (mentions) stays in the inbox.
    assert all(m["To"] == "ada@example.com" for m in smtp.messages)


@pytest.mark.django_db
def test_weekly_digests_leave_on_monday_and_only_with_the_weekly_topics(smtp, committed, ada, bob):
    MemberTimeZone.objects.create(user=ada, time_zone="Asia/Tokyo")
    delivery_settings_update(member=ada, topics={"mention": {"email": "weekly"}})
    paper = PaperFactory(title="Weekly Paper")
    with committed():
        comment_create(user=bob, paper=paper, body="Look, @ada.")
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    today = timezone.now().astimezone(tokyo).date()
    monday = today - datetime.timedelta(days=today.weekday())
    at = datetime.datetime.combine(monday, datetime.time(7, 30), tzinfo=tokyo)
    assert digests_send(now=at).sent == 0  # Monday 07:30 in Tokyo: not yet
    assert digests_send(now=at + datetime.timedelta(hours=1)).sent == 1
    [message] = smtp.messages
    assert message["Subject"] == "Paperboard: 1 new item in your inbox this week"
    assert "bob mentioned you" in text_of(message)


def publish_tagged(moderator, committed, title: str, tag):
    paper = PaperFactory(title=title, status=PaperStatus.PENDING)
    PaperTagFactory(paper=paper, tag=tag)
    with committed():
        paper_publish(paper=paper, moderator=moderator)
    return paper


@pytest.mark.django_db(transaction=True)
def test_a_new_paper_in_a_followed_tag_is_in_the_next_digest_once_across_overlapping_runs(
    smtp, committed, ada, moderator
):
    vision = TagFactory(name="Vision", slug="vision")
    follow_create(user=ada, kind="tag", tag="vision")
    daily(ada, "followed_paper")
    publish_tagged(moderator, committed, "Seeing Things", vision)

    # The first run is caught inside the SMTP exchange (the server holds its answer); a
    # second run starts meanwhile, as beat would when a run is slow.
    smtp.handler.gate.clear()
    results = {}
    first = threading.Thread(target=lambda: results.update(first=digests_send(now=paris(8, 5))))
    first.start()
    assert smtp.handler.arrived.wait(10)
    second = digests_send(now=paris(8, 6))
    assert (second.sent, second.skipped) == (0, 1)
    smtp.handler.gate.set()
    first.join(10)
    assert results["first"].sent == 1
    [message] = smtp.messages
    assert "New paper tagged Vision: “Seeing Things”." in text_of(message)

    # Next day: that paper is not sent again; a paper published since is, once.
    publish_tagged(moderator, committed, "Seeing More", vision)
    assert digests_send(now=paris(8, 5, days=1)).sent == 1
    assert digests_send(now=paris(8, 9, days=1)).sent == 0
    assert len(smtp.messages) == 2
    text = text_of(smtp.messages[1])
    assert "Seeing More" in text and "Seeing Things" not in text
    assert Delivery.objects.filter(notification__recipient=ada).count() == 2


@pytest.mark.django_db
def test_a_digest_whose_sender_died_mid_send_is_sent_again_once_with_the_same_message_id(
    smtp, committed, ada, bob, paper, settings
):
    daily(ada, "reply")
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    with committed():
        comment_create(user=bob, paper=paper, body="The first two.", parent=question)
    # The mail server unreachable: the digest stays claimed (sending), its item with it.
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1
    assert digests_send(now=paris(8, 5)).failed == 1
    digest = Digest.objects.get(member=ada)
    assert digest.status == DigestStatus.SENDING
    settings.EMAIL_PORT = port

    # A run while the claim is fresh leaves it (its sender may be alive and sending).
    assert digests_send(now=paris(8, 10)).skipped == 1
    assert smtp.messages == []
    # Once stale, the next run sends it: the same item, the same Message-ID.
    later = paris(8, 5) + datetime.timedelta(seconds=settings.DIGEST_CLAIM_STALE_SECONDS + 1)
    assert digests_send(now=later).sent == 1
    [message] = smtp.messages
    assert message["Message-ID"] == digest.message_id
    assert "bob replied" in text_of(message)
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == (DigestStatus.SENT, 2)
    assert digests_send(now=later + datetime.timedelta(hours=1)).sent == 0


@pytest.mark.django_db
def test_the_one_click_unsubscribe_link_stops_further_digests_at_once(
    smtp, committed, ada, bob, paper
):
    daily(ada, "reply", "mention")
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    with committed():
        comment_create(user=bob, paper=paper, body="The first two.", parent=question)
    digests_send(now=paris(8, 5))
    link = (
        str(smtp.messages[0]["List-Unsubscribe"])
        .strip()[1:-1]
        .removeprefix("https://paperboard.example")
    )

    client = Client(enforce_csrf_checks=True)  # no login, no CSRF token: as a mail provider
    page = client.get(link)
    assert page.status_code == 200
    assert b"Stop every digest e-mail to ada?" in page.content
    with committed():  # a GET changes nothing (mail scanners open links)
        comment_create(user=bob, paper=paper, body="And a third.", parent=question)
    assert digests_send(now=paris(8, 5, days=1)).sent == 1

    answer = client.post(link, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert b"gets no more digest e-mails" in answer.content
    with committed():
        comment_create(user=bob, paper=paper, body="A fourth, @ada.", parent=question)
    assert digests_send(now=paris(8, 5, days=2)).sent == 0
    assert len(smtp.messages) == 2
    kinds = set(ada_items(ada))
    assert kinds == {NotificationKind.REPLY}  # the inbox still has everything

    forged = client.post(link[:-3] + "xx/")
    assert forged.status_code == 400
    assert MSG_BAD_UNSUBSCRIBE.encode() in forged.content


def ada_items(ada):
    from notifications.models import Notification

    return Notification.objects.filter(recipient=ada).values_list("kind", flat=True)
