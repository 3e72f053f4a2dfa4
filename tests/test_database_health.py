"""The health check of kept PostgreSQL connections (config/postgresql): a quiet connection
is found usable without a round trip, and one the server cut is found unusable and opened
again, so the next request is answered as usual instead of failing. PostgreSQL only."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from tests import live
from tests.factories import PaperFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the health check of PostgreSQL connections"
    ),
]


def _terminate(where: str, *params) -> int:
    """Terminate the backends `where` says, waiting for each to be gone; how many."""
    settings = connection.get_connection_params()
    settings.pop("cursor_factory", None)
    settings.pop("context", None)
    with psycopg.connect(**settings, autocommit=True) as other:
        row = other.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) "
            f"FROM pg_stat_activity WHERE {where}",
            params,
        ).fetchone()
    return row[0]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_quiet_connection_is_usable_without_asking_the_server(monkeypatch):
    connection.ensure_connection()
    asked = []
    monkeypatch.setattr(connection.connection, "cursor", lambda *a, **k: asked.append(1) or 1 / 0)
    assert connection.is_usable() is True
    assert asked == []


def test_a_connection_the_server_cut_is_unusable():
    pid = _backend_pid()
    assert _terminate("pid = %s", pid) == 1
    assert connection.is_usable() is False
    connection.close()
    assert _backend_pid() != pid


@pytest.mark.skipif(live.skip_reason() is not None, reason=str(live.skip_reason()))
def test_a_request_after_the_server_cut_its_connection_is_answered(tmp_path):
    """gunicorn (one worker, one thread: one kept connection) answers, the server cuts that
    connection, and the next requests are answered as usual."""
    paper = PaperFactory()
    url = f"/api/papers/{paper.pk}/related/"
    mine = _backend_pid()
    with live.gunicorn_server(folder=tmp_path, workers=1, threads=1) as server:
        client = server.session()
        assert client.get(server.url + url, timeout=30).status_code == 200
        cut = _terminate(
            "datname = current_database() AND backend_type = 'client backend' "
            "AND pid <> %s AND pid <> pg_backend_pid()",
            mine,
        )
        assert cut >= 1
        for _ in range(3):
            response = client.get(server.url + url, timeout=30)
            assert response.status_code == 200, server.log()[-3000:]
