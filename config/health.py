"""Probes for the orchestrator: /healthz says the process is up, /readyz that it can work."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

logger = logging.getLogger(__name__)

# Seconds a probe may spend on the broker: well under the healthcheck timeouts of the
# orchestrator, so a hung broker shows as "unreachable" rather than as a probe timing out.
BROKER_TIMEOUT = 2


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:  # any failure means "not ready"; the reason goes to the log
        logger.exception("readyz: database unreachable")
        return False


def _broker_ok() -> bool:
    if celery_app.conf.task_always_eager:
        return True  # embedded mode: tasks run in this process, there is no broker to reach
    try:
        with celery_app.connection_for_write(
            connect_timeout=BROKER_TIMEOUT,
            # The Redis transport takes its socket timeouts from here, not from connect_timeout.
            transport_options={
                "socket_connect_timeout": BROKER_TIMEOUT,
                "socket_timeout": BROKER_TIMEOUT,
            },
        ) as conn:
            # One attempt: the orchestrator probes again anyway, and kombu's retry would first
            # sleep for two seconds, answering late exactly when the broker is down.
            conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)
        return True
    except Exception:
        logger.exception("readyz: broker unreachable")
        return False


@never_cache
@require_GET
def readyz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(checks.values())
    body = {
        "status": "ready" if ready else "unavailable",
        "checks": {name: "ok" if ok else "unreachable" for name, ok in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)
