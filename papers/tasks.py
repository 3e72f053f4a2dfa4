"""Celery tasks of the papers app: thin doors into papers.services."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections
from redis.exceptions import TimeoutError as RedisTimeoutError

from papers.models import Dump
from papers.services import dump_ingest, dump_mark_failed, dumps_enqueue_stale
from papers.services.dumps import BROKER_ERRORS, MSG_INTERNAL
from papers.services.search_index import search_index_refresh

logger = logging.getLogger(__name__)

# Errors that can pass: the database or the broker went away for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, RedisTimeoutError, *BROKER_ERRORS)
MAX_RETRIES = 5
MSG_GAVE_UP = (
    "The database or the broker stayed unreachable after {n} tries; upload the file again."
)
MSG_TOO_SLOW = "Ingestion took longer than the time limit of the worker and was stopped."


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
    try:
        dump_ingest(dump=dump)
    except TRANSIENT_ERRORS:
        if self.request.retries >= MAX_RETRIES:
            logger.exception("dump %s: giving up after %s retries", dump_id, MAX_RETRIES)
            # The connection that failed is dropped, so the failure is written on a new one.
            close_old_connections()
            dump_mark_failed(dump=dump, error=MSG_GAVE_UP.format(n=MAX_RETRIES + 1))
            return
        raise
    except SoftTimeLimitExceeded:
        dump_mark_failed(dump=dump, error=MSG_TOO_SLOW)
    except Exception:
        logger.exception("dump %s: ingestion failed", dump_id)
        close_old_connections()
        dump_mark_failed(dump=dump, error=MSG_INTERNAL)


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
