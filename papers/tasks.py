"""Celery tasks of the papers app: thin doors into papers.services."""

from celery import shared_task
from django.conf import settings

from papers.models import Dump
from papers.services import (
    TRANSIENT_ERRORS,
    dump_ingest,
    dumps_enqueue_stale,
    search_index_refresh,
)

MAX_RETRIES = 5


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=settings.TASK_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def ingest_dump(self, dump_id: int) -> None:
    dump = Dump.objects.filter(pk=dump_id).first()
    if dump is None:
        return
    # dump_ingest raises a transient error while retries are left (autoretry_for takes it
    # from there) and ends the dump failed on any other error, or on the last try.
    dump_ingest(dump=dump, try_number=self.request.retries + 1, tries=MAX_RETRIES + 1)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=settings.TASK_RETRY_BACKOFF_MAX,
    max_retries=MAX_RETRIES,
)
def refresh_search_index() -> int:
    """Index the papers written since the last refresh (also run periodically by beat)."""
    return search_index_refresh()


@shared_task
def sweep_queued_dumps() -> int:
    """Send again the dumps left queued (run periodically by beat)."""
    return dumps_enqueue_stale()
