"""Request bodies are refused by their declared length before anything reads them.

Every request may send REQUEST_MAX_BODY_BYTES; the dump uploads (POST /api/dumps/ and the
admin's upload page) take DUMP_MAX_UPLOAD_BYTES, but only from those who may upload, known by
their session or API token before the body is read. A refusal is a 413 in the API's error
shape under /api/, one plain sentence elsewhere; nothing of the body is read, nothing spooled
to disk. (The same over a real gunicorn server: tests/test_request_limits_live.py.)
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework.test import APIClient

from accounts.services import api_token_create
from config.middleware import MSG_BODY_TOO_LARGE, MSG_LENGTH_REQUIRED
from config.units import human_size
from papers.api.views import MSG_REQUEST_TOO_LARGE
from papers.models import Dump
from tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

UPLOAD_PAGE = "/admin/papers/dump/upload/"
DIGEST = b"Aug 22\n\nA Paper Sent Through A Form\n\nIts abstract is long enough to be one.\n"
HUGE = 600 * 1024 * 1024
# The content type of a body already encoded (the test client encodes dicts for MULTIPART_CONTENT).
ENCODED_MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
# What the spying upload handler wrote to temporary files, in bytes, per test.
SPOOLED: list[int] = []


class SpyingTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler that spools uploads to FILE_UPLOAD_TEMP_DIR, noting what it writes."""

    def receive_data_chunk(self, raw_data, start):
        SPOOLED.append(len(raw_data))
        return super().receive_data_chunk(raw_data, start)


class CountingInput(io.BytesIO):
    """A request body that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


@pytest.fixture(autouse=True)
def spooling(settings, tmp_path):
    """Uploads spool to a folder of the test (from the first byte), through the spy."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.SpyingTemporaryFileUploadHandler"]
    SPOOLED.clear()
    yield tmp_path / "uploads"
    SPOOLED.clear()


def multipart(size: int) -> bytes:
    """A multipart body carrying one file, `size` bytes of it."""
    file = SimpleUploadedFile("big.txt", b"x" * size)
    return encode_multipart(BOUNDARY, {"csrfmiddlewaretoken": "x" * 64, "file": file})


def post_declaring(client, path: str, *, length: int, body: bytes = b"", **extra):
    """POST a short body under a (larger) declared Content-Length; the counted input."""
    stream = CountingInput(body)
    response = client.generic(
        "POST",
        path,
        content_type=MULTIPART_CONTENT,
        **{"wsgi.input": stream, "CONTENT_LENGTH": str(length)},
        **extra,
    )
    return response, stream


def assert_refused(response, path: str, message: str, status: int = 413) -> None:
    assert response.status_code == status, response.content[:300]
    if path.startswith("/api/"):
        code = "too_large" if status == 413 else "length_required"
        assert response.json() == {"error": {"code": code, "message": message}}
    else:
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode() == message


def general_refusal(size: int, settings) -> str:
    limit = human_size(settings.REQUEST_MAX_BODY_BYTES)
    return MSG_BODY_TOO_LARGE.format(size=human_size(size), limit=limit)


def browser_with_csrf_cookie() -> Client:
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    assert "csrftoken" in client.cookies
    return client


# --- the general limit, before anything reads the body -------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/api/auth/login/", "/api/papers/", "/api/dumps/", UPLOAD_PAGE, "/"],
)
def test_a_declared_length_over_the_limit_is_refused_unread(settings, path):
    client = browser_with_csrf_cookie()

    response, stream = post_declaring(client, path, length=HUGE, body=multipart(1000))

    assert_refused(response, path, general_refusal(HUGE, settings))
    assert stream.bytes_read == 0


def test_a_large_body_to_the_log_in_page_is_not_spooled(settings, spooling):
    """The finding: 600 MB to /accounts/login/ with only a CSRF cookie was written to the
    temporary folder before the CSRF check refused it. Here 5 MB, over the default limit."""
    client = browser_with_csrf_cookie()
    body = multipart(5 * 1024 * 1024)

    response = client.post("/accounts/login/", body, content_type=ENCODED_MULTIPART)

    assert_refused(response, "/accounts/login/", general_refusal(len(body), settings))
    assert SPOOLED == []
    assert list(spooling.iterdir()) == []


def test_a_members_large_upload_is_refused_by_the_general_limit(settings):
    """A member may not upload: its 200 MB POST to /api/dumps/ was spooled whole before
    its 403. Session or token alike, it is refused unread."""
    member = UserFactory()
    by_session = APIClient()
    by_session.force_login(member)
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=member).secret}")
    size = 200 * 1024 * 1024

    for client in (by_session, by_token):
        response, stream = post_declaring(client, "/api/dumps/", length=size, body=b"x")

        assert_refused(response, "/api/dumps/", general_refusal(size, settings))
        assert stream.bytes_read == 0


def test_a_bad_token_does_not_open_the_upload_limit(settings):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token pb_not-a-token")
    size = 200 * 1024 * 1024

    response, stream = post_declaring(client, "/api/dumps/", length=size, body=b"x")

    assert_refused(response, "/api/dumps/", general_refusal(size, settings))
    assert stream.bytes_read == 0


@pytest.mark.parametrize("path", ["/api/papers/", "/accounts/login/"])
def test_a_chunked_body_is_refused_unread(path):
    stream = CountingInput(b"5\r\nhello\r\n0\r\n\r\n")

    response = Client().generic(
        "POST",
        path,
        content_type="text/plain",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": stream, "CONTENT_LENGTH": ""},
    )

    assert_refused(response, path, MSG_LENGTH_REQUIRED, status=411)
    assert stream.bytes_read == 0


def test_bodies_within_the_limit_are_read_as_before(settings):
    settings.REQUEST_MAX_BODY_BYTES = 2000
    UserFactory(username="reader")
    client = Client()

    response = client.post("/accounts/login/", {"username": "reader", "password": "wrong"})

    assert response.status_code == 200  # the form, saying the log-in failed


# --- the dump limit, for those who may upload ----------------------------------------------


def test_an_admins_upload_over_the_general_limit_goes_through(settings):
    """By token (a program) and by session (a browser, with its CSRF token)."""
    settings.REQUEST_MAX_BODY_BYTES = 100
    admin = StaffUserFactory()
    program = APIClient()
    program.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=admin).secret}")
    browser = APIClient()
    browser.force_login(admin)

    first = program.post("/api/dumps/", {"file": SimpleUploadedFile("a.txt", DIGEST)})
    second = browser.post("/api/dumps/", {"file": SimpleUploadedFile("b.txt", DIGEST + b"\n")})

    assert (first.status_code, second.status_code) == (202, 202)
    assert Dump.objects.count() == 2


def test_an_admins_upload_over_the_dump_limit_is_refused_unread(settings):
    settings.DUMP_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    admin = StaffUserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=admin).secret}")

    response, stream = post_declaring(client, "/api/dumps/", length=HUGE, body=b"x")

    message = MSG_REQUEST_TOO_LARGE.format(size="600.0 MB", limit="10.0 MB")
    assert_refused(response, "/api/dumps/", message)
    assert stream.bytes_read == 0


def test_the_admin_upload_page_takes_large_uploads_from_admins_only(settings):
    settings.REQUEST_MAX_BODY_BYTES = 100
    admin = StaffUserFactory(is_superuser=True)
    client = Client()
    client.force_login(admin)

    response = client.post(UPLOAD_PAGE, {"files": [SimpleUploadedFile("a.txt", DIGEST)]})

    assert response.status_code == 302
    assert Dump.objects.get().original_name == "a.txt"

    member = Client()
    member.force_login(UserFactory())
    body = multipart(1000)
    refused = member.post(UPLOAD_PAGE, body, content_type=ENCODED_MULTIPART)
    assert_refused(refused, UPLOAD_PAGE, general_refusal(len(body), settings))
