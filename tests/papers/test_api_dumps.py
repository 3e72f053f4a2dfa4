"""POST/GET /api/dumps/: status codes per role, the error shape, the answer's shape."""

import base64
import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from papers.api.views import MSG_REQUEST_TOO_LARGE
from papers.models import Digest, Dump, DumpStatus, Paper, PaperStatus
from papers.parsing.errors import MSG_EMPTY, MSG_HTML
from papers.services.dumps import MSG_DUPLICATE, MSG_TOO_LARGE, progress_key
from tests.factories import DigestFactory, DumpFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/dumps/"
AUG22_STATS = {
    "digests": 1,
    "entries": 51,
    "new_entries": 51,
    "new_papers": 51,
    "existing_papers": 0,
    "warnings": 0,
}
DUMP_KEYS = {
    "id",
    "url",
    "original_name",
    "sha256",
    "size",
    "uploaded_by",
    "uploaded_at",
    "digest_date",
    "publish",
    "status",
    "progress",
    "stats",
    "warnings",
    "warning_count",
    "error",
    "started_at",
    "finished_at",
    "digests",
}


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def staff_client(api_client, admin_user):
    api_client.force_login(admin_user)
    return api_client


def upload(fixture_path, name="digest-aug22-plain.txt"):
    return SimpleUploadedFile(name, fixture_path(name).read_bytes(), content_type="text/plain")


def detail_url(pk):
    return f"http://testserver/api/dumps/{pk}/"


def test_admin_upload_is_accepted_and_ingested(
    staff_client, fixture_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            LIST_URL, {"file": upload(fixture_path), "publish": "true"}, format="multipart"
        )

    assert response.status_code == 202
    dump = Dump.objects.get()
    assert response["Location"] == detail_url(dump.pk)
    assert response.data["url"] == detail_url(dump.pk)
    assert response.data["status"] == DumpStatus.QUEUED  # the task ran after the answer
    assert response.data["uploaded_by"] == "admin"
    assert response.data["publish"] is True

    body = staff_client.get(response["Location"]).json()
    assert body["status"] == DumpStatus.DONE
    assert body["stats"] == AUG22_STATS
    size = fixture_path("digest-aug22-plain.txt").stat().st_size
    assert body["size"] == size
    assert body["progress"] == {"done": size, "total": size, "percent": 100}  # in bytes
    assert body["warnings"] == []
    assert len(body["digests"]) == 1
    assert Paper.objects.filter(status=PaperStatus.PUBLISHED).count() == 51


def test_upload_with_a_date(staff_client, fixture_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            LIST_URL, {"file": upload(fixture_path), "date": "2024-08-22"}, format="multipart"
        )

    assert response.status_code == 202
    assert response.data["digest_date"] == "2024-08-22"
    dump = Dump.objects.get()
    assert dump.status == DumpStatus.DONE
    assert [d.date for d in dump.digests.all()] == [datetime.date(2024, 8, 22)]


def test_bad_date_is_400(staff_client, fixture_path):
    response = staff_client.post(
        LIST_URL, {"file": upload(fixture_path), "date": "22/08/2024"}, format="multipart"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"date"}
    assert not Dump.objects.exists()


def test_member_is_forbidden(api_client, member, fixture_path):
    api_client.force_login(member)

    assert api_client.post(LIST_URL, {"file": upload(fixture_path)}).status_code == 403
    assert api_client.get(LIST_URL).status_code == 403
    assert not Dump.objects.exists()


def test_anonymous_is_asked_to_authenticate(api_client, fixture_path):
    response = api_client.post(LIST_URL, {"file": upload(fixture_path)})

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert response.json()["error"]["code"] == "not_authenticated"
    assert api_client.get(LIST_URL).status_code == 401


def test_basic_authentication_works(api_client, admin_user):
    token = base64.b64encode(b"admin:admin-pass-123").decode()
    api_client.credentials(HTTP_AUTHORIZATION=f"Basic {token}")

    assert api_client.get(LIST_URL).status_code == 200


def test_too_large_file_is_413(staff_client, settings):
    settings.DUMP_MAX_UPLOAD_BYTES = 500
    file = SimpleUploadedFile("big.txt", b"x" * 1000)

    response = staff_client.post(LIST_URL, {"file": file})

    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "too_large",
            "message": MSG_TOO_LARGE.format(size="1000 bytes", limit="500 bytes"),
        }
    }
    assert not Dump.objects.exists()


def test_huge_body_is_refused_before_it_is_read(api_client, admin_user, settings):
    """The declared length alone decides: the body (here much shorter) is never parsed."""
    settings.DUMP_MAX_UPLOAD_BYTES = 500
    api_client.force_login(admin_user)

    response = api_client.post(
        LIST_URL, {"file": SimpleUploadedFile("a.txt", b"x")}, CONTENT_LENGTH=str(300 * 2**30)
    )

    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": MSG_REQUEST_TOO_LARGE.format(size="300.0 GB", limit="500 bytes"),
    }
    assert not Dump.objects.exists()


def test_duplicate_is_409_with_the_earlier_dump(
    staff_client, fixture_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = staff_client.post(LIST_URL, {"file": upload(fixture_path)})
    earlier = Dump.objects.get()

    response = staff_client.post(LIST_URL, {"file": upload(fixture_path)})

    assert first.status_code == 202
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate"
    assert error["message"] == MSG_DUPLICATE.format(
        id=earlier.pk,
        name="digest-aug22-plain.txt",
        date=earlier.uploaded_at.date().isoformat(),
    )
    assert error["dump"] == earlier.pk
    assert error["url"] == detail_url(earlier.pk)
    assert Dump.objects.count() == 1


def test_missing_file_is_400(staff_client):
    response = staff_client.post(LIST_URL, {"publish": "true"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"file"}
    assert error["message"] == error["fields"]["file"][0]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", MSG_EMPTY), (b"<!DOCTYPE html><html><body>Daily Papers</body></html>", MSG_HTML)],
)
def test_bad_file_is_accepted_then_fails(
    staff_client, django_capture_on_commit_callbacks, content, message
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            LIST_URL, {"file": SimpleUploadedFile("page.html", content)}, format="multipart"
        )

    assert response.status_code == 202
    body = staff_client.get(response["Location"]).json()
    assert body["status"] == DumpStatus.FAILED
    assert body["error"] == message
    assert body["stats"] is None
    assert not Paper.objects.exists()
    assert not Digest.objects.exists()


def test_detail_shape(staff_client):
    dump = DumpFactory(digest_date=datetime.date(2024, 8, 22))
    later, earlier = (
        DigestFactory(date=datetime.date(2024, 8, 23)),
        DigestFactory(date=datetime.date(2024, 8, 22)),
    )
    dump.digests.add(later, earlier)

    body = staff_client.get(f"{LIST_URL}{dump.pk}/").json()

    assert set(body) == DUMP_KEYS
    assert body["id"] == dump.pk
    assert body["url"] == detail_url(dump.pk)
    assert body["original_name"] == dump.original_name
    assert body["sha256"] == dump.sha256
    assert body["size"] == dump.size
    assert body["uploaded_by"] == dump.uploaded_by.username
    assert body["digest_date"] == "2024-08-22"
    assert body["status"] == "done"
    assert body["progress"] == {"done": 3, "total": 3, "percent": 100}
    assert body["stats"] == dump.stats
    assert body["warnings"] == dump.warnings
    assert body["warning_count"] == 1
    assert body["error"] == ""
    assert body["digests"] == ["2024-08-22", "2024-08-23"]


def test_detail_of_a_processing_dump_shows_live_progress(staff_client):
    dump = DumpFactory(status=DumpStatus.PROCESSING, progress_done=0, progress_total=0, stats={})
    cache.set(progress_key(dump.pk), (2000, 8000))

    body = staff_client.get(f"{LIST_URL}{dump.pk}/").json()

    assert body["progress"] == {"done": 2000, "total": 8000, "percent": 25}
    assert body["stats"] is None


def test_unknown_dump_is_404(staff_client):
    response = staff_client.get(f"{LIST_URL}999/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_is_paginated_and_filtered_by_status(staff_client):
    done = DumpFactory.create_batch(2)
    failed = DumpFactory(status=DumpStatus.FAILED, error="The file is empty.")

    everything = staff_client.get(LIST_URL).json()
    only_failed = staff_client.get(LIST_URL, {"status": "failed"}).json()
    only_done = staff_client.get(LIST_URL, {"status": "done"}).json()

    assert everything["count"] == 3
    assert set(everything["results"][0]) == DUMP_KEYS
    assert [d["id"] for d in everything["results"]] == [failed.pk, done[1].pk, done[0].pk]
    assert [d["id"] for d in only_failed["results"]] == [failed.pk]
    assert only_done["count"] == 2
    assert staff_client.get(LIST_URL, {"status": "nonsense"}).status_code == 400


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_costs_the_same_queries_whatever_the_page_size(
    api_client, admin_user, django_assert_num_queries, page_size
):
    for n in range(4):
        dump = DumpFactory()
        dump.digests.add(DigestFactory(), DigestFactory(date=datetime.date(2023, 1, n + 1)))
    api_client.force_authenticate(admin_user)

    # count, the page of dumps with their uploaders, the digests of the page
    with django_assert_num_queries(3):
        response = api_client.get(LIST_URL, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 4)
    assert all(len(d["digests"]) == 2 for d in response.json()["results"])


def test_schema_documents_the_upload(staff_client):
    response = staff_client.get(reverse("api-schema"), {"format": "json"})

    operation = response.json()["paths"]["/api/dumps/"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"202", "400", "409", "413"} <= set(operation["responses"])


def test_a_program_uploads_with_a_personal_token(admin_user, fixture_path):
    from accounts.services import api_token_create

    secret = api_token_create(user=admin_user).secret
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    with fixture_path("digest-aug22-plain.txt").open("rb") as fh:
        response = client.post("/api/dumps/", {"file": fh})

    assert response.status_code == 202
    assert client.get(response["Location"]).status_code == 200
