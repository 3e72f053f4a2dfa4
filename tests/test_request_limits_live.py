"""Request body limits over a real gunicorn server (tests/live.py), with production settings.

A client declares a huge body and sends only its first bytes: the server answers at once,
without waiting for (or storing) the rest, and writes nothing to its temporary folder (TMPDIR,
where Django spools uploads). A server that read the body would wait for bytes that never
come. PostgreSQL only, like every live server (tests/test_request_limits.py runs the same
rules in-process everywhere).
"""

from __future__ import annotations

import json
import socket

import pytest

from tests import live

pytestmark = pytest.mark.skipif(live.skip_reason() is not None, reason=live.skip_reason() or "")

HUGE = 600 * 1024 * 1024
CSRF_COOKIE = "csrftoken=" + "a" * 32
# The start of a multipart body: a file part, and the first 64 KB of the file.
FILE_PART = (
    b"--xyz\r\n"
    b'Content-Disposition: form-data; name="file"; filename="big.txt"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n" + b"x" * 65536
)


def origin(server) -> str:
    """The Origin a browser sends from the site's own pages (so the CSRF check reads on)."""
    return f"https://127.0.0.1:{server.port}"


def session_cookie(user) -> str:
    """A signed-in session of `user` as the server reads it (signed with its SECRET_KEY)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings

    with override_settings(SECRET_KEY=live.SECRET_KEY):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "accounts.backends.RolesModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
    return f"sessionid={store.session_key}; {CSRF_COOKIE}"


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    folder = tmp_path_factory.mktemp("limits")
    temporary = folder / "tmp"
    temporary.mkdir()
    with live.gunicorn_server(folder=folder, workers=1, threads=2, TMPDIR=str(temporary)) as s:
        s.temporary = temporary
        yield s


def send_head_and_start(server, path: str, *, headers: dict[str, str], first: bytes):
    """Send a request's head and the first bytes of its body, never the rest; return the
    status, the headers and body of the answer, and what the server's TMPDIR holds while the
    connection is still open."""
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}", "X-Forwarded-Proto: https"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + first)
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
            head_part, _, body = answer.partition(b"\r\n\r\n")
            length = int(
                next(
                    line.split(b":", 1)[1]
                    for line in head_part.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
            )
            while len(body) < length:
                body += sock.recv(65536)
        except TimeoutError:
            waiting = sorted(p.name for p in server.temporary.iterdir())
            pytest.fail(f"no answer within 15 s: the server waits for the body; TMPDIR: {waiting}")
        spooled = sorted(p.name for p in server.temporary.iterdir())
    status = int(head_part.split(b" ", 2)[1])
    return status, head_part.decode("latin-1"), body, spooled


def test_a_huge_body_to_the_log_in_page_is_refused_before_it_is_read(server, transactional_db):
    status, head, body, spooled = send_head_and_start(
        server,
        "/accounts/login/",
        headers={
            "Cookie": CSRF_COOKIE,
            "Origin": origin(server),
            "Content-Type": "multipart/form-data; boundary=xyz",
            "Content-Length": str(HUGE),
        },
        first=FILE_PART,
    )

    assert status == 413
    assert "text/plain" in head
    assert body.decode() == "The request body is 600.0 MB but requests are limited to 4.0 MB."
    assert spooled == []


def test_a_members_huge_upload_is_refused_before_it_is_read(server, transactional_db):
    """Signed in by session, whose CSRF check would read the whole body before the 403."""
    from tests.factories import UserFactory

    status, _, body, spooled = send_head_and_start(
        server,
        "/api/dumps/",
        headers={
            "Cookie": session_cookie(UserFactory()),
            "Origin": origin(server),
            "X-CSRFToken": "a" * 32,
            "Content-Type": "multipart/form-data; boundary=xyz",
            "Content-Length": str(200 * 1024 * 1024),
        },
        first=FILE_PART,
    )

    assert status == 413
    assert json.loads(body)["error"] == {
        "code": "too_large",
        "message": "The request body is 200.0 MB but requests are limited to 4.0 MB.",
    }
    assert spooled == []


def test_an_admins_upload_over_the_dump_limit_is_refused_before_it_is_read(
    server, transactional_db
):
    from accounts.services import api_token_create
    from tests.factories import StaffUserFactory

    token = api_token_create(user=StaffUserFactory()).secret
    status, _, body, spooled = send_head_and_start(
        server,
        "/api/dumps/",
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "multipart/form-data; boundary=xyz",
            "Content-Length": str(HUGE),
        },
        first=FILE_PART,
    )

    assert status == 413
    assert json.loads(body)["error"] == {
        "code": "too_large",
        "message": "The upload is 600.0 MB but uploads are limited to 256.0 MB.",
    }
    assert spooled == []


def test_a_chunked_body_is_refused_before_it_is_read(server, transactional_db):
    status, _, body, spooled = send_head_and_start(
        server,
        "/api/papers/",
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        first=b"10000\r\n" + b"x" * 1000,
    )

    assert status == 411
    assert json.loads(body)["error"]["code"] == "length_required"
    assert spooled == []
