"""An upload while the broker is down is kept, answered "queued", and sent by the sweep later."""

import datetime

import pytest
from django.utils import timezone

from papers.models import Dump, DumpStatus, Paper
from papers.services import dumps_enqueue_stale
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db


def upload(client, admin_user, name="digest-aug22-plain.txt"):
    client.force_login(admin_user)
    with (FIXTURES / name).open("rb") as fh:
        return client.post("/api/dumps/", {"file": fh})


def test_an_upload_while_the_broker_is_down_is_kept_queued(
    client, admin_user, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, admin_user)

    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    dump = Dump.objects.get()
    assert dump.status == DumpStatus.QUEUED
    assert dump.file.size == dump.size
    # Still down: the sweep sends nothing and loses nothing.
    Dump.objects.update(uploaded_at=timezone.now() - datetime.timedelta(minutes=5))
    assert dumps_enqueue_stale() == 0
    assert Dump.objects.get().status == DumpStatus.QUEUED


def test_the_sweep_sends_dumps_left_queued_once_the_broker_is_back(
    client, admin_user, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, admin_user)
    broker_down.conf.task_always_eager = True  # the broker is back (tasks run here)
    Dump.objects.update(uploaded_at=timezone.now() - datetime.timedelta(minutes=5))

    assert dumps_enqueue_stale() == 1

    dump = Dump.objects.get()
    assert dump.status == DumpStatus.DONE
    assert dump.stats["entries"] == 51
    assert Paper.objects.count() == 51


def test_the_sweep_leaves_recent_and_finished_dumps_alone(client, admin_user):
    from django.core.files.base import ContentFile

    from papers.services import dump_create

    dump_create(file=ContentFile(b"fresh"), original_name="fresh.txt", enqueue=False)

    assert dumps_enqueue_stale() == 0
    assert Dump.objects.get().status == DumpStatus.QUEUED
