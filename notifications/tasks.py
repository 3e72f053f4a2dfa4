"""Celery tasks of the inbox: thin doors into notifications.services. Each is sent once the
write that caused it has committed (notifications.handlers; papers_changed for new papers)
and is re-runnable: the services record an event once per recipient whatever the deliveries."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from notifications.services import (
    comment_notify,
    digests_send,
    paper_tagged_notify,
    papers_announce,
    presenter_notify,
    webhook_deliver,
)
from notifications.services.webhooks import (
    WebhookFailed,
    webhook_deliveries_pending,
    webhooks_list_paper_added,
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
def notify_comment(comment_id: int, edited: bool = False) -> int:
    """Replies, mentions and followers of a comment's paper and lists."""
    return comment_notify(comment_id=comment_id, edited=edited)


@shared_task(**RETRIES)
def notify_paper_tagged(paper_id: int, tag_id: int, actor_id: int | None) -> int:
    """The followers of a tag put on a published paper."""
    return paper_tagged_notify(paper_id=paper_id, tag_id=tag_id, actor_id=actor_id)


@shared_task(**RETRIES)
def notify_list_paper_added(item_id: int) -> int:
    """The webhooks of a team list a paper was put on."""
    return webhooks_list_paper_added(item_id=item_id)


@shared_task(**RETRIES)
def notify_presenter(session_id: int, paper_id: int, member_id: int, actor_id: int | None) -> int:
    """A member made presenter of a paper of a session."""
    return presenter_notify(
        session_id=session_id, paper_id=paper_id, member_id=member_id, actor_id=actor_id
    )


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
