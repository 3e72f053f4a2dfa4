"""Gunicorn settings of the web container.

    gunicorn -c config/gunicorn.py config.wsgi:application

Every value can be changed from the environment without rebuilding the image.
"""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _default_workers() -> int:
    # The CPUs this container may use, not the host's; capped because each worker holds a copy
    # of Django in memory and requests mostly wait on the database, not the CPU.
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cpus or 1) + 1, 8)


bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = _int("WEB_CONCURRENCY", _default_workers())
# Threads let a worker go on serving while one thread reads a large dump upload.
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
# Uploads of up to DUMP_MAX_UPLOAD_BYTES are hashed and written to disk in the request; the
# ingestion itself runs in the Celery worker, so no request needs more than this.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycling workers now and then bounds the damage of a slow leak.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# The heartbeat file on tmpfs: on an overlay filesystem a slow disk can stall workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The proxy in front sets X-Forwarded-Proto; Django reads it (BEHIND_TLS_PROXY). Which peers
# gunicorn itself trusts comes from FORWARDED_ALLOW_IPS, gunicorn's own variable.
