"""Celery tasks of the inbox: thin doors into notifications.services. Each is sent once the
write that caused it has committed (the pending events of notifications.services.outbox;
papers_changed for new papers), beat sweeps what a lost task left, and each is re-runnable:
the services record an event once per recipient whatever the deliveries."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from notifications.services import (
    digests_send,
    papers_announce,
    webhook_deliver,
)
from notifications.services.outbox import pending_events_handle, pending_events_sweep
from notifications.services.webhooks import (
    WebhookFailed,
    webhook_deliveries_pending,
)
from papers.services import TRANSIENT_ERRORS

MAX_RETRIES = 5
RETRIES = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": settings.TASK_RETRY_BACKOFF_MAX,
    "max_retries": MAX_RETRIES,
}


@shared_task(**RETRIES)
def handle_pending_events(ids: list[int]) -> int:
    """The pending events `ids`, sent once the write that recorded them committed."""
    return pending_events_handle(ids)


@shared_task(acks_late=True)
def sweep_pending_events() -> int:
    """The pending events whose task was lost (beat)."""
    return pending_events_sweep()


@shared_task(**RETRIES)
def announce_papers() -> int:
    """The papers published since the last run, to the followers of their tags and the
    saved searches that find them (sent after writes of papers and from beat)."""
    return papers_announce()


@shared_task(acks_late=True)
def send_digests() -> int:
    """The e-mail digests due now in their members' time zones (beat, every few minutes)."""
    return digests_send().sent


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(WebhookFailed,),
    retry_backoff=2,
    retry_backoff_max=settings.TASK_RETRY_BACKOFF_MAX,
    retry_jitter=False,
    max_retries=settings.WEBHOOK_MAX_RETRIES,
)
def deliver_webhook(self, delivery_id: int) -> bool:
    """One webhook delivery, retried with exponential backoff while the receiver fails."""
    last = self.request.retries >= (self.max_retries or 0)
    return webhook_deliver(delivery_id=delivery_id, last_attempt=last)


@shared_task(acks_late=True)
def send_pending_webhooks() -> int:
    """Deliveries whose task was lost (beat): each sent to deliver_webhook again."""
    ids = webhook_deliveries_pending(older_than=timedelta(hours=1))
    for pk in ids:
        deliver_webhook.delay(pk)
    return len(ids)
