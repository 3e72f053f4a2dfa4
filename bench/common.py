"""What the benchmarks share: a PostgreSQL database of their own, production settings for the
processes they start on it, and the words their generated papers are made of."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
# Only for the benchmarks' own processes, on loopback.
SECRET_KEY = "bench-only-secret-key-0123456789abcdef-0123456789-abcdef"


def vocabulary(*samples: str) -> list[str]:
    """The words of these sample digests (tests/fixtures), in order, repeats kept."""
    words: list[str] = []
    for name in samples:
        path = ROOT / "tests" / "fixtures" / name
        words += re.findall(r"[A-Za-z][A-Za-z\-]{1,}", path.read_text(encoding="utf-8"))
    return words


def admin_url(url: str) -> str:
    """The same server's `postgres` database, to create or drop the one in `url`."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def recreate_database(url: str) -> None:
    import psycopg

    name = database_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def production_env(url: str, **extra: str) -> dict:
    """The environment of a production process of the app on the database at `url`: no
    broker (tasks run in-process unless `extra` says otherwise) and no shared cache."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        # Production refuses to start without a mail server; the benchmarks send no mail.
        EMAIL_URL="smtp://127.0.0.1:1025",
        SECURE_SSL_REDIRECT="0",
        MEDIA_ROOT=str(OUT / "media"),
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def migrate(env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


# What docker-compose.yml's web container sets (its sysctls), and what config/gunicorn.py
# reads (its MIGRATE_REQ) to decide whether each worker listens on a socket of its own. Not
# imported from it: that module decides when first imported, which must be after the run
# sets it (bench/api.py's gunicorn_shape imports it then).
MIGRATE_REQ = Path("/proc/sys/net/ipv4/tcp_migrate_req")


@contextlib.contextmanager
def served_as_in_production() -> Iterator[None]:
    """For the gunicorn a benchmark starts: net.ipv4.tcp_migrate_req on, as production's web
    container has it, so that config/gunicorn.py gives each worker a socket of its own
    (reuse_port) and the kernel spreads the load's connections between them. Set for the run
    where this process may (root) and put back after; elsewhere left as it is (gunicorn then
    shares one socket between its workers, and bench/api.py's gunicorn_shape says so)."""
    try:
        before = MIGRATE_REQ.read_text().strip()
    except OSError:
        yield
        return
    changed = False
    if before != "1":
        try:
            MIGRATE_REQ.write_text("1\n")
            changed = True
        except OSError:
            pass
    try:
        yield
    finally:
        if changed:
            MIGRATE_REQ.write_text(f"{before}\n")
