"""/healthz and /readyz, against the real database and broker of the run.

Unreachable services are real too: a closed local port, never a mock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLOSED_PORT_DATABASE = "postgres://postgres@127.0.0.1:1/paperboard"


def test_healthz_answers_without_touching_anything(client):
    # No django_db mark: a query here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_when_database_and_broker_answer(client):
    # Embedded: no broker, tasks run in-process. CI: the real Redis of CELERY_BROKER_URL.
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "broker": "ok"},
    }


@pytest.mark.django_db
def test_readyz_names_the_broker_when_it_is_unreachable(client, broker_down):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unreachable"},
    }


def test_readyz_names_the_database_when_it_is_unreachable():
    """A real unreachable database: a fresh process whose DATABASE_URL is a closed port.

    It runs with production settings (DEBUG off), which also shows /readyz is exempt from the
    HTTPS redirect a probe could not follow.
    """
    code = (
        "import environ; environ.Env.read_env = classmethod(lambda *a, **k: None)\n"
        "import json, django\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "response = Client(HTTP_HOST='localhost').get('/readyz')\n"
        "print(json.dumps({'status': response.status_code, 'body': response.json()}))\n"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": CLOSED_PORT_DATABASE,
        "DEBUG": "0",
        "SECRET_KEY": "readyz-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "EMAIL_URL": "smtp://127.0.0.1:1025",
        "ALLOWED_HOSTS": "localhost",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {
        "status": 503,
        "body": {
            "status": "unavailable",
            # No CELERY_BROKER_URL: tasks run in-process, there is no broker to reach.
            "checks": {"database": "unreachable", "broker": "ok"},
        },
    }
    assert "readyz: database unreachable" in result.stderr
