"""Gunicorn settings of the web container.

    gunicorn -c config/gunicorn.py config.wsgi:application

Every value can be changed from the environment without rebuilding the image.
"""

import gc
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new
# connections between them. With one shared socket, the worker that woke first took them:
# make bench-api saw 12 or 15 of its 16 kept-alive connections on one worker, bound to one
# core by Python's lock while the others idled (42% of the CPU idle, half the req/s), in one
# run out of three. But a worker that stops (max_requests) resets the connections still
# queued on its own socket unless the kernel hands them to the others
# (net.ipv4.tcp_migrate_req, Linux 5.14+; docker-compose.yml's web sets it): so by default
# only where it is set. GUNICORN_REUSE_PORT=1 or 0 decides instead.
MIGRATE_REQ = "/proc/sys/net/ipv4/tcp_migrate_req"


def _reuse_port_default(path: str = MIGRATE_REQ) -> bool:
    try:
        with open(path) as setting:
            return setting.read().strip() == "1"
    except OSError:
        return False


reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "1" if _reuse_port_default() else "0") != "0"


def _default_workers(*, spread: bool) -> int:
    # The CPUs this container may use, not the host's; capped because each worker holds a copy
    # of Django in memory. Requests are CPU-bound in Python (a feed page's SQL takes well under
    # a millisecond, building its answer several; bench/README.md), and Python threads share
    # one core per process. With the connections spread (reuse_port): a worker per core (at
    # least two), its threads covering the waits on the database; more processes than cores
    # only took turns on them: on 2 cores, 4 workers x 2 threads had a p99 of 65-120 ms at
    # 16 clients where 2 x 4 had 25-40 ms. With one shared socket, two workers per core, so
    # that one taking most connections leaves others to serve (make bench-api tried 3x2,
    # 4x1, 5x2, 5x4 there).
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpus = cpus or 1
    return max(2, min(cpus, 8)) if spread else min(2 * cpus, 8)


bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = _int("WEB_CONCURRENCY", _default_workers(spread=reuse_port))
# Threads let a worker go on serving while one waits on the database or reads a large dump
# upload: four a worker with the connections spread, two with twice the workers (see above).
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4 if reuse_port else 2)
# Uploads of up to DUMP_MAX_UPLOAD_BYTES are hashed and written to disk in the request; the
# ingestion itself runs in the Celery worker, so no request needs more than this.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# A kept-alive connection serves at most this many requests; the last is answered with
# "Connection: close" and the client opens another, which the kernel may give another
# worker (nginx's keepalive_requests; 100 was its default until 1.19.10). Without it, when
# a worker restarted (max_requests) every client it had connected again to the workers
# still up and stayed there: make bench-api's 16 connections ended on one of 2 workers, at
# half the req/s, for as long as they lasted. At 1000 a busy client's connection lasted
# about 8 s (one bench line): still half the req/s on the line a restart fell in. A new
# connection costs well under a millisecond here.
keepalive_requests = _int("GUNICORN_KEEPALIVE_REQUESTS", 100)


def pre_request(worker, req):
    if keepalive_requests and req.req_number >= keepalive_requests:
        req.must_close = True


# Load Django once in the master and fork the workers from it: a worker starts (or restarts,
# below) in milliseconds instead of importing everything again on the cores that serve. No
# connection is opened at import time (connections are per worker, on first use).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
# Recycling workers now and then bounds the damage of a slow leak. Not too often: while a
# worker is replaced (about a second) its share of the load waits, and at the few thousand
# requests a second of cached pages 1000 restarted a worker several times a second and
# 20000 still one every ten seconds (the p99 spikes of bench/README.md). The jitter
# spreads the restarts apart.
max_requests = _int("GUNICORN_MAX_REQUESTS", 50000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 5000)


# The garbage collector. Everything the master loaded before forking (Django, the app, the
# URLconf) lives as long as the worker: frozen before each fork, it is never scanned again
# (nor written to by a scan, which would copy the shared pages). A worker's young objects are
# collected after GC_GEN0 allocations rather than Python's 700: a request makes thousands of
# short-lived objects, and at 700 the collector ran several times a request: a fifth of a
# signed-in API page's CPU measured in one process (bench/README.md; under make bench-api the
# difference was within this VM's noise).
GC_GEN0 = _int("GUNICORN_GC_GEN0", 20000)


def pre_fork(server, worker):
    gc.freeze()


def post_fork(server, worker):
    gc.set_threshold(GC_GEN0, 20, 20)


def when_ready(server):
    """With preload_app, import the URLconf (every view, serializer and the schema code) in
    the master, so a new worker does not do it on its first request."""
    if server.cfg.preload_app:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 (the import is the point)


# The heartbeat file on tmpfs: on an overlay filesystem a slow disk can stall workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The proxy in front sets X-Forwarded-Proto; Django reads it (BEHIND_TLS_PROXY). Which peers
# gunicorn itself trusts comes from FORWARDED_ALLOW_IPS, gunicorn's own variable.
