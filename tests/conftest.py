"""Fixtures shared by the whole suite."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded dumps go to a temporary folder for each test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_in_process(request, monkeypatch, settings):
    """Tasks run in the test's own process, even when a broker is configured (the
    PostgreSQL pass of .ci/run); only `integration` tests send them to a real worker.

    Celery reads its configuration once, so the app's conf is switched, not the setting,
    through the test's `monkeypatch`: fixtures that switch it again (broker_down) are then
    undone in the reverse order, and the value from before the test comes back.

    They run in the sending thread, so a test finds their work done when the call returns;
    only `tasks_in_threads` tests have the embedded default's threads (TASKS_IN_THREADS)."""
    from config.celery import app

    if not request.node.get_closest_marker("integration"):
        monkeypatch.setitem(app.conf, "task_always_eager", True)
    settings.TASKS_IN_THREADS = bool(request.node.get_closest_marker("tasks_in_threads"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache, and with empty copies of it in the process (the
    threads, query strings and members a process keeps: a test's rows may reuse an earlier
    test's ids)."""
    from django.core.cache import cache

    from accounts import signed_in
    from config.api import inputs
    from curation import selectors

    cache.clear()
    signed_in.memo_clear()
    selectors._THREADS.clear()
    with inputs._query_memo_lock:
        inputs._query_memo.clear()
    yield


@pytest.fixture
def fixture_path():
    def _path(name: str) -> Path:
        return FIXTURES / name

    return _path


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin", email="admin@example.com", password="admin-pass-123"
    )


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user(username="member", password="member-pass-123")


@pytest.fixture
def ingest(db):
    """Upload bytes as a dump and ingest it in this process; returns the finished Dump."""
    from django.core.files.base import ContentFile

    from papers.services import dump_create, dump_ingest

    def _ingest(content: bytes, name: str = "dump.txt", **options):
        batch_size = options.pop("batch_size", None)
        dump = dump_create(file=ContentFile(content, name=name), original_name=name, **options)
        kwargs = {"batch_size": batch_size} if batch_size else {}
        return dump_ingest(dump=dump, **kwargs)

    return _ingest


CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(monkeypatch):
    """The Celery app pointed at a closed local port: a real unreachable broker, no mock."""
    from config.celery import app

    # Celery reads the CELERY_BROKER_URL environment variable before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_PORT_BROKER)
    monkeypatch.setitem(app.conf, "broker_url", CLOSED_PORT_BROKER)
    monkeypatch.setitem(app.conf, "broker_write_url", None)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_publish_retry", False)
    # Fresh connection and producer pools for the closed port (an earlier test may have made
    # them for another broker); the previous ones come back afterwards.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    return app
