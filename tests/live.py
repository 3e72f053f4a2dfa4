"""A real gunicorn server on the pytest test database, for tests that go through HTTP.

The server is the production one: `gunicorn -c config/gunicorn.py config.wsgi:application`
with DEBUG off, a 50+ character SECRET_KEY, collected static files and the TLS proxy's
`X-Forwarded-Proto: https` header on every request (BEHIND_TLS_PROXY, as in
docker-compose.yml), on a free loopback port. Only the database (the pytest test database,
so the rows a `transactional_db` test commits are what it serves), the cache of the run, the
worker count and, where a test asks, the throttles differ. No broker is given: the few tasks a
web request may send run in that request's process.

Tests that use it must keep their rows committed (`transactional_db`) and must stop the server
before the test database is dropped: `gunicorn_server` is a context manager for a fixture of
package or module scope that depends on `django_db_setup`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
# Django's PostgreSQL backend, and the app's (config/postgresql: its health check).
POSTGRESQL_ENGINES = ("django.db.backends.postgresql", "config.postgresql")
# Only for these test servers: long enough and not "django-insecure" (config/settings.py).
SECRET_KEY = "live-test-server-only-7Qm2Xr9Lp4Vd8Kt1Wz6Nc3Hb5Jf0Gs"
READY_TIMEOUT = 60
STOP_TIMEOUT = 20
# What the TLS proxy in front of production adds to each request it forwards.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def skip_reason() -> str | None:
    """Why a live-server test cannot run here, or None. The server shares the test database
    with the test process, which SQLite's in-memory test database cannot do."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if engine not in POSTGRESQL_ENGINES:
        return f"needs PostgreSQL as the default database (DATABASE_URL), not {engine}"
    if not GUNICORN.exists():
        return f"needs gunicorn at {GUNICORN}"
    return None


def live_database_url() -> str:
    """The URL of the pytest test database (test_<name>) this process is using."""
    from django.db import connection

    conf = connection.settings_dict
    credentials = quote(conf["USER"] or "", safe="")
    if conf["PASSWORD"]:
        credentials += ":" + quote(conf["PASSWORD"], safe="")
    host = conf["HOST"] or "127.0.0.1"
    port = conf["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(conf['NAME'], safe='')}"


def _cache_url() -> str | None:
    """The cache this test process uses, so the server shares it (and the suite's cache.clear()
    between tests reaches the server too); None for a per-process memory cache."""
    url = os.environ.get("CACHE_URL") or os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith(("redis://", "rediss://")) else None


def production_env(*, media_root: Path, static_root: Path, **overrides: str) -> dict[str, str]:
    """The environment of a production process of the app, on the test database.

    Built from nothing rather than from this process's environment, which has DEBUG on and
    a short SECRET_KEY in the PostgreSQL pass of .ci/run."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": live_database_url(),
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        # Production refuses to start without a mail server; nothing listens there, and no
        # test of a live server sends mail.
        "EMAIL_URL": "smtp://127.0.0.1:1025",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BEHIND_TLS_PROXY": "1",
        "MEDIA_ROOT": str(media_root),
        "STATIC_ROOT": str(static_root),
    }
    cache_url = _cache_url()
    if cache_url:
        env["CACHE_URL"] = cache_url
    env.update(overrides)
    return env


def run_manage(env: dict[str, str], *args: str, timeout: float = 300):
    """`manage.py <args>` in a child process with `env`; its CompletedProcess (text)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(
        self, *, process: subprocess.Popen, port: int, log_path: Path, env: dict[str, str]
    ) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.env = env  # the server's environment: run other processes of the app with it

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def fail(self, message: str):
        pytest.fail(f"{message}\n--- gunicorn log ---\n{self.log()[-20000:]}", pytrace=False)

    def session(self, *, token: str | None = None) -> requests.Session:
        """A client as the proxy forwards it: over "https", with an API token if given."""
        session = requests.Session()
        session.headers.update(PROXY_HEADERS)
        if token:
            session.headers["Authorization"] = f"Token {token}"
        return session

    def absolute(self, url_or_path: str) -> str:
        """A URL the server wrote (https://127.0.0.1:port/..., as seen behind the proxy) or a
        path, as a URL of this server."""
        parts = urlsplit(url_or_path)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.url + path

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.fail(f"gunicorn exited with status {self.process.returncode}.")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.fail(f"gunicorn did not answer /healthz within {READY_TIMEOUT} s.")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        # gunicorn runs in its own session: the group is the master and its workers.
        pgid = os.getpgid(self.process.pid)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)
        # Workers that outlived their master (they should not) go with the group too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


@contextlib.contextmanager
def gunicorn_server(
    *, folder: Path, workers: int = 2, threads: int = 4, **env_overrides: str
) -> Iterator[LiveServer]:
    """Collect static files, start gunicorn in `folder` and yield it once /healthz answers;
    stopped (its whole process group) on the way out."""
    media_root, static_root = folder / "media", folder / "static"
    media_root.mkdir(parents=True, exist_ok=True)
    env = production_env(media_root=media_root, static_root=static_root, **env_overrides)
    # DEBUG off serves the hashed names of the manifest (whitenoise): pages need it.
    collected = run_manage(env, "collectstatic", "--noinput", "-v", "0")
    assert collected.returncode == 0, collected.stdout + collected.stderr

    port = free_port()
    env.update(
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(workers),
        GUNICORN_THREADS=str(threads),
    )
    log_path = folder / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "-c",
                "config/gunicorn.py",
                # gunicorn's control socket defaults to one path in $HOME: each server its own.
                "--control-socket",
                str(folder / "gunicorn.ctl"),
                "config.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = LiveServer(process=process, port=port, log_path=log_path, env=env)
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()


def all_at_once(calls: list[Callable[[], object]], *, timeout: float = 180) -> list[object]:
    """Run each call in its own thread, all released together by a barrier; the result of
    each call in order, or the exception it raised (a dropped connection shows as one)."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = calls[index]()
        except BaseException as exc:  # reported to the test, which asserts on it
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    assert stuck == 0, f"{stuck} of {len(calls)} calls were still waiting after {timeout} s"
    return results
