"""The e-mail digests sent by beat in real Celery workers on Redis (tests/workers.py), to a
real SMTP server (aiosmtpd): two workers each with its own beat send a member's digest once,
and a digest whose workers were killed (SIGKILL) in the middle of the SMTP exchange is sent
once by the worker started after them, when its claim has gone stale.

The kill happens before the server has taken the message (it holds its answer to RCPT): a
message the server took before its sender died is sent again with the same Message-ID, which
tests/notifications/test_digests.py shows. Runs in `make test-services` only (PostgreSQL and
a Redis broker); skipped on the embedded default.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from accounts.models import MemberTimeZone
from curation.services import paper_publish
from notifications.models import Delivery, Digest, DigestStatus
from notifications.services import delivery_settings_update, follow_create
from papers.models import PaperStatus
from tests.factories import (
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    TagFactory,
    UserFactory,
)
from tests.notifications.servers import MailHandler, free_port
from tests.workers import WorkerQueue, requires_workers, wait_for, worker_queue

pytestmark = [pytest.mark.integration, requires_workers]

STALE_SECONDS = 4  # the workers' DIGEST_CLAIM_STALE_SECONDS
SENT_TIMEOUT = 90


class HoldingMailHandler(MailHandler):
    """MailHandler that can also hold its answer to RCPT (while `rcpt_gate` is cleared):
    a sender caught there has not handed its message over yet."""

    def __init__(self) -> None:
        super().__init__()
        self.rcpt_gate = threading.Event()
        self.rcpt_gate.set()
        self.held = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if not self.rcpt_gate.is_set():
            self.held.set()
            await asyncio.to_thread(self.rcpt_gate.wait, 60)
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    handler = HoldingMailHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    handler.rcpt_gate.set()
    handler.gate.set()
    controller.stop()


@pytest.fixture
def queue(transactional_db, tmp_path, monkeypatch, settings):
    # The inbox's sweep after papers are published is what these tests need of the tasks
    # the writes send (the recommendations' refresh would only slow the workers down).
    settings.PAPERS_CHANGED_TASKS = ["notifications.tasks.announce_papers"]
    with worker_queue(tmp_path, monkeypatch) as queue:
        yield queue


def _member_with_a_daily_digest(username: str):
    """A member who follows the tag "vision" and gets those papers in a daily digest from
    midnight UTC on (so it is due whenever the test runs)."""
    member = UserFactory(username=username, email=f"{username}@example.com")
    MemberTimeZone.objects.update_or_create(user=member, defaults={"time_zone": "UTC"})
    follow_create(user=member, kind="tag", tag="vision")
    delivery_settings_update(
        member=member, digest_hour=0, topics={"followed_paper": {"email": "daily"}}
    )
    return member


def _publish(title: str, tag, moderator):
    paper = PaperFactory(title=title, status=PaperStatus.PENDING)
    PaperTagFactory(paper=paper, tag=tag)
    # No transaction wraps a transactional_db test: the inbox's sweep is sent at once, to
    # this test's queue, for the workers.
    paper_publish(paper=paper, moderator=moderator)
    return paper


def _start(queue: WorkerQueue, tmp_path, port: int, name: str):
    """A worker with its own beat, sending the digests every second to this test's queue."""
    return queue.start(
        "-B",
        "-s",
        str(tmp_path / f"beat-{name}"),
        CELERY_TASK_DEFAULT_QUEUE=queue.name,
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        SITE_URL="https://paperboard.example",
        DIGEST_SWEEP_SECONDS="1",
        DIGEST_CLAIM_STALE_SECONDS=str(STALE_SECONDS),
        NOTIFICATIONS_SWEEP_SECONDS="1",
    )


def _to(handler: MailHandler, address: str) -> list:
    return [m for m in handler.messages if address in str(m["To"])]


def test_beat_in_two_workers_sends_a_digest_once_and_a_killed_senders_digest_once_after(
    queue, smtp_server, tmp_path
):
    handler, port = smtp_server
    vision = TagFactory(name="Vision", slug="vision")
    moderator = ModeratorFactory()
    ada = _member_with_a_daily_digest("ada")
    _publish("Seeing Things", vision, moderator)

    # Two workers, two beats: their runs of send_digests overlap every second.
    first, second = (_start(queue, tmp_path, port, name) for name in ("a", "b"))
    wait_for(
        lambda: _to(handler, "ada@example.com"),
        timeout=SENT_TIMEOUT,
        what="sent ada's digest",
        queue=queue,
    )
    time.sleep(STALE_SECONDS + 2)  # more runs of both beats, past the claim's staleness
    [message] = _to(handler, "ada@example.com")
    assert "Seeing Things" in message.get_body(preferencelist=("plain",)).get_content()
    assert Digest.objects.get(member=ada).status == DigestStatus.SENT
    assert Delivery.objects.filter(notification__recipient=ada).count() == 1

    # A second member's digest: whichever worker sends it is caught in the SMTP exchange
    # (the server holds its answer to RCPT), and both workers are killed there.
    handler.rcpt_gate.clear()
    bob = _member_with_a_daily_digest("bob")
    _publish("Seeing More", vision, moderator)
    assert handler.held.wait(SENT_TIMEOUT), "no worker started sending bob's digest"
    assert Digest.objects.get(member=bob).status == DigestStatus.SENDING
    for worker in (first, second):
        worker.kill()
    handler.rcpt_gate.set()
    assert _to(handler, "bob@example.com") == []

    # A worker started after them sends it once its claim is stale: once.
    _start(queue, tmp_path, port, "c")
    wait_for(
        lambda: _to(handler, "bob@example.com"),
        timeout=SENT_TIMEOUT,
        what="sent bob's digest again",
        queue=queue,
    )
    time.sleep(STALE_SECONDS + 2)
    [again] = _to(handler, "bob@example.com")
    assert "Seeing More" in again.get_body(preferencelist=("plain",)).get_content()
    digest = Digest.objects.get(member=bob)
    assert digest.status == DigestStatus.SENT
    assert again["Message-ID"] == digest.message_id
    # Ada's digest of today was sent: the second paper waits for tomorrow's.
    assert len(_to(handler, "ada@example.com")) == 1
