"""CSRF on every session write: each write of the API (curation, accounts, /api/dumps/) and
each form of the web pages and the admin, sent from a browser-like client that must prove
the request came from our own pages, is refused without the token (403, in the API's error
shape under /api/) and goes through with it; writes that carry a personal API token need no
CSRF token, since no browser sends one on its own.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.services import api_token_create
from curation.models import Comment
from lists.services import list_create, list_editor_add, list_item_add
from papers.models import Dump, PaperStatus
from tests.curation.test_permission_matrix import fill
from tests.factories import (
    DEFAULT_PASSWORD,
    DigestEntryFactory,
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    StaffUserFactory,
    TagFactory,
    UserFactory,
    tag_suggestion_make,
)
from tests.notifications import matrix as inbox
from tests.readinggroup import matrix as reading_group

pytestmark = pytest.mark.django_db

MEMBER, MOD, ADMIN, ANON = "member", "moderator", "admin", "anonymous"
NEW_PASSWORD = "a-Much-better-passphrase-42"
DIGEST = b"Aug 22\n\nA Paper Sent Through A Form\n\nIts abstract is long enough to be one.\n"

# (role, method, path, body, status with the token). Paths name objects of `world`; the
# comment is the member's own, written a moment ago, so it can still be edited.
API_WRITES = [
    (MEMBER, "post", "/api/papers/", {"title": "A fresh paper"}, 201),
    (MEMBER, "post", "/api/papers/{paper}/vote/", None, 200),
    (MEMBER, "delete", "/api/papers/{paper}/vote/", None, 200),
    (MEMBER, "post", "/api/papers/{paper}/comments/", {"body": "Nice work."}, 201),
    (MEMBER, "post", "/api/papers/{paper}/tags/", {"tag": "language"}, 201),
    (MEMBER, "delete", "/api/papers/{paper}/tags/", {"tag": "vision"}, 204),
    (MEMBER, "patch", "/api/comments/{comment}/", {"body": "Edited."}, 200),
    (MEMBER, "delete", "/api/comments/{comment}/", None, 204),
    (MOD, "post", "/api/comments/{comment}/flag/", {"reason": "spam"}, 201),
    (
        MOD,
        "post",
        "/api/comments/{comment}/moderate/",
        {"action": "hide", "reason": "Rude."},
        200,
    ),
    (
        MOD,
        "post",
        "/api/papers/{paper}/transition/",
        {"to_state": "hidden", "reason": "Off topic."},
        200,
    ),
    (
        MOD,
        "post",
        "/api/papers/transition/",
        {"paper_ids": ["{paper}"], "to_state": "hidden", "reason": "Off topic."},
        200,
    ),
    (MOD, "post", "/api/tags/", {"name": "Robotics"}, 201),
    (MOD, "patch", "/api/tags/vision/", {"name": "Computer vision"}, 200),
    (MOD, "post", "/api/tags/vision/merge/", {"into": "language"}, 200),
    (MOD, "delete", "/api/tags/vision/", None, 204),
    (MOD, "post", "/api/tags/language/suggestions/{fresh}/accept/", None, 200),
    (MOD, "post", "/api/tags/language/suggestions/{fresh}/dismiss/", None, 200),
    (MEMBER, "post", "/api/me/token/", None, 201),
    (MEMBER, "delete", "/api/me/token/", None, 204),
    (
        MEMBER,
        "post",
        "/api/auth/password/change/",
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        204,
    ),
    (MEMBER, "post", "/api/auth/logout/", None, 204),
    # Writes an anonymous browser makes: the views check CSRF themselves.
    (
        ANON,
        "post",
        "/api/auth/signup/",
        {"username": "newcomer", "email": "new@example.com", "password": NEW_PASSWORD},
        201,
    ),
    (ANON, "post", "/api/auth/login/", {"username": "member", "password": DEFAULT_PASSWORD}, 200),
    (ANON, "post", "/api/auth/password/reset/", {"email": "member@example.com"}, 202),
    (ANON, "post", "/api/auth/password/reset/confirm/", "{reset}", 204),
    # The reading group (tests/readinggroup/matrix.py makes its sessions and papers).
    (MEMBER, "post", "/api/sessions/", reading_group.NEW_SESSION, 201),
    (MOD, "patch", "/api/sessions/{session}/", {"place": "Room 9"}, 200),
    (MOD, "delete", "/api/sessions/{session}/", None, 200),
    (MEMBER, "post", "/api/sessions/{session}/papers/", {"paper": "{paper}"}, 201),
    (MOD, "delete", "/api/sessions/{session}/papers/{open_paper}/", None, 204),
    (MOD, "post", "/api/sessions/{session}/papers/{open_paper}/confirm/", None, 200),
    (MOD, "post", "/api/sessions/{past_session}/papers/{past_paper}/presented/", None, 200),
    (
        MOD,
        "put",
        "/api/sessions/{session}/papers/{open_paper}/presenter/",
        {"presenter": "member"},
        200,
    ),
    (MEMBER, "post", "/api/sessions/{session}/papers/{open_paper}/volunteer/", None, 200),
    (
        reading_group.PRESENTER,
        "delete",
        "/api/sessions/{session}/papers/{confirmed_paper}/volunteer/",
        None,
        200,
    ),
    (MEMBER, "post", "/api/sessions/calendar/", None, 201),
    (MEMBER, "delete", "/api/sessions/calendar/", None, 204),
    # Marks, the reading settings and lists (the member owns a team list the moderator edits).
    (MEMBER, "post", "/api/papers/{paper}/mark/", {"mark": "read"}, 200),
    (MEMBER, "delete", "/api/papers/{paper}/mark/", {"mark": "read"}, 200),
    (MEMBER, "patch", "/api/me/settings/", {"hide_marked": True}, 200),
    (MEMBER, "post", "/api/lists/", {"name": "New list"}, 201),
    (MEMBER, "patch", "/api/lists/{team_list}/", {"name": "Renamed"}, 200),
    (MEMBER, "delete", "/api/lists/{team_list}/", None, 204),
    (MOD, "post", "/api/lists/{team_list}/items/", {"paper": "{fresh}", "note": "See."}, 201),
    (MOD, "patch", "/api/lists/{team_list}/items/{team_item}/", {"move": "last"}, 200),
    (MOD, "delete", "/api/lists/{team_list}/items/{team_item}/", None, 204),
    (MEMBER, "post", "/api/lists/{team_list}/editors/", {"username": "admin"}, 201),
    (MEMBER, "delete", "/api/lists/{team_list}/editors/moderator/", None, 204),
    # The inbox and follows (the member's own item, followed tag and saved search).
    (MEMBER, "post", "/api/inbox/{owner_item}/read/", None, 200),
    (MEMBER, "post", "/api/inbox/read-all/", None, 200),
    (MEMBER, "post", "/api/follows/", {"kind": "tag", "tag": "language"}, 201),
    (MEMBER, "patch", "/api/follows/{owner_search}/", {"name": "Mixtures"}, 200),
    (MEMBER, "delete", "/api/follows/{owner_follow}/", None, 204),
    # Delivery settings, the feed's address, webhooks (the member's own team list's).
    (MEMBER, "patch", "/api/notification-settings/", {"digest_hour": 9}, 200),
    (MEMBER, "post", "/api/notification-settings/feed/", None, 201),
    (MEMBER, "delete", "/api/notification-settings/feed/", None, 204),
    (MEMBER, "post", "/api/webhooks/", {"url": inbox.HOOK, "list": "{team_list}"}, 201),
    (MEMBER, "delete", "/api/webhooks/{owner_webhook}/", None, 204),
]
API_IDS = [f"{method}-{path}-{role}" for role, method, path, _, _ in API_WRITES]


def test_every_write_of_the_curation_api_is_checked():
    """Each (route, method) that the permission matrix lets someone write through."""
    from django.urls import resolve

    from tests.curation.test_permission_matrix import MATRIX

    def route(path: str) -> str:
        ours = ["paper", "pending", "hidden", "comment", "fresh", "team_list", "personal_list"]
        ids = {
            **dict.fromkeys([*ours, "team_item", "personal_item"], 1),
            **reading_group.SAMPLE_IDS,
            **inbox.SAMPLE_IDS,
        }
        return resolve(path.format(**ids).split("?")[0]).url_name

    writes = {
        (route(path), method)
        for _, method, path, _, expected in MATRIX
        if method != "get" and any(200 <= code < 300 for code in expected.values())
    }
    checked = {(route(path), method) for _, method, path, _, _ in API_WRITES}
    assert writes <= checked


@pytest.fixture
def world(db):
    member = UserFactory(username="member", email="member@example.com")
    users = {
        ANON: None,
        MEMBER: member,
        MOD: ModeratorFactory(username="moderator"),
        ADMIN: StaffUserFactory(username="admin"),
    }
    paper = PaperFactory(first_digest_on=datetime.date(2024, 8, 22))
    DigestEntryFactory(paper=paper, digest__date=datetime.date(2024, 8, 22))
    vision = TagFactory(name="Vision", slug="vision")
    language = TagFactory(name="Language", slug="language")
    PaperTagFactory(paper=paper, tag=vision, added_by=member)
    comment = Comment.objects.create(
        paper=paper,
        author=member,
        body="First!",
        body_html="<p>First!</p>",
        created_at=datetime.datetime.now(datetime.UTC),
    )
    paper.comment_count = 1
    paper.save(update_fields=["comment_count"])
    api_token_create(user=member)
    reset = {
        "uid": urlsafe_base64_encode(force_bytes(member.pk)),
        "token": default_token_generator.make_token(member),
        "new_password": NEW_PASSWORD,
    }
    ids = {"paper": paper.pk, "comment": comment.pk}
    ids.update(reading_group.reading_group_world(users))
    team = list_create(owner=member, name="Team picks", visibility="team")
    list_editor_add(paper_list=team, user=member, username="moderator")
    item = list_item_add(paper_list=team, user=member, paper=paper)
    fresh = PaperFactory(first_digest_on=datetime.date(2024, 8, 22))
    tag_suggestion_make(tag=language, paper=fresh)
    ids.update(team_list=team.pk, team_item=item.pk, fresh=fresh.pk)
    # The inbox's objects are the member's own here ("owner" in the matrix).
    ids.update(inbox.notifications_world({**users, inbox.OWNER: member}, ids))
    return users, ids, reset


def browser(user=None) -> Client:
    """A client that, like a browser, must send the CSRF token back on writes."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def csrf_token(client: Client) -> str:
    """The token our pages hand out, read like the pages' scripts read it."""
    return client.get("/api/auth/csrf/").json()["csrf_token"]


def send(client, method, path, body, **extra):
    return getattr(client, method)(path, body, content_type="application/json", **extra)


def api_case(world, role, path, body):
    users, ids, reset = world
    body = reset if body == "{reset}" else fill(body, ids)
    return users[role], path.format(**ids), body


def assert_csrf_refused(response):
    assert response.status_code == 403, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "permission_denied"
    assert error["message"].startswith("CSRF Failed")


@pytest.mark.parametrize(("role", "method", "path", "body", "expected"), API_WRITES, ids=API_IDS)
def test_api_session_write_without_the_token_is_refused(world, role, method, path, body, expected):
    user, url, body = api_case(world, role, path, body)
    client = browser(user)
    client.get("/api/auth/csrf/")  # the cookie alone, as a forged cross-site request has it

    assert_csrf_refused(send(client, method, url, body))
    assert_csrf_refused(send(client, method, url, body, HTTP_X_CSRFTOKEN="forged-" + "x" * 57))


@pytest.mark.parametrize(("role", "method", "path", "body", "expected"), API_WRITES, ids=API_IDS)
def test_api_session_write_with_the_token_goes_through(world, role, method, path, body, expected):
    user, url, body = api_case(world, role, path, body)
    client = browser(user)

    response = send(client, method, url, body, HTTP_X_CSRFTOKEN=csrf_token(client))

    assert response.status_code == expected, response.content[:300]


TOKEN_WRITES = [case for case in API_WRITES if case[0] in (MEMBER, MOD) and "/auth/" not in case[2]]


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "expected"),
    TOKEN_WRITES,
    ids=[f"{m}-{p}-{r}" for r, m, p, _, _ in TOKEN_WRITES],
)
def test_api_token_write_needs_no_csrf_token(world, role, method, path, body, expected):
    user, url, body = api_case(world, role, path, body)
    secret = api_token_create(user=user).secret
    client = Client(enforce_csrf_checks=True)

    response = send(client, method, url, body, HTTP_AUTHORIZATION=f"Token {secret}")

    assert response.status_code == expected, response.content[:300]


# --- /api/dumps/ (multipart, staff) ----------------------------------------------------------


def test_dump_upload_by_session_needs_the_token(world):
    users, _, _ = world
    client = browser(users[ADMIN])

    refused = client.post("/api/dumps/", {"file": SimpleUploadedFile("d.txt", DIGEST)})
    accepted = client.post(
        "/api/dumps/",
        {"file": SimpleUploadedFile("d.txt", DIGEST)},
        HTTP_X_CSRFTOKEN=csrf_token(client),
    )

    assert_csrf_refused(refused)
    assert accepted.status_code == 202, accepted.content[:300]
    assert Dump.objects.count() == 1


def test_dump_upload_with_a_token_needs_no_csrf_token(world):
    users, _, _ = world
    secret = api_token_create(user=users[ADMIN]).secret

    response = Client(enforce_csrf_checks=True).post(
        "/api/dumps/",
        {"file": SimpleUploadedFile("d.txt", DIGEST)},
        HTTP_AUTHORIZATION=f"Token {secret}",
    )

    assert response.status_code == 202, response.content[:300]


# --- The web pages' and the admin's forms -------------------------------------------------


def _reset_form(world, client) -> str:
    """Django's reset link first trades the token for a session, then shows the form."""
    _, _, reset = world
    link = client.get(f"/accounts/reset/{reset['uid']}/{reset['token']}/")
    assert link.status_code == 302
    return link["Location"]


def _paper_change(world, client) -> str:
    return f"/admin/papers/paper/{world[1]['paper']}/change/"


# (role, form page, data, status with the token). A form page is a path, or a function
# that prepares the session and returns it. Files are made fresh for each post.
FORMS = [
    (ANON, "/accounts/login/", {"username": "member", "password": DEFAULT_PASSWORD}, 302),
    (MEMBER, "/accounts/logout/", {}, 302),
    (
        MEMBER,
        "/accounts/password_change/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        302,
    ),
    (ANON, "/accounts/password_reset/", {"email": "member@example.com"}, 302),
    (ANON, _reset_form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, 302),
    (ANON, "/admin/login/", {"username": "admin", "password": DEFAULT_PASSWORD}, 302),
    (ADMIN, "/admin/papers/dump/upload/", {"files": "{file}"}, 302),
    (
        ADMIN,
        _paper_change,
        {"title": "A corrected title", "abstract": "", "arxiv_id": "", "authors": "[]"},
        302,
    ),
    (
        ADMIN,
        "/admin/papers/paper/",
        {"action": "publish_papers", "_selected_action": "{pending}", "reason": ""},
        302,
    ),
]
FORM_IDS = [
    f"{getattr(page, '__name__', page).strip('_/').replace('/', '-')}-{role}"
    for role, page, _, _ in FORMS
]


def form_case(world, role, page, data):
    users, _, _ = world
    client = browser(users[role])
    path = page(world, client) if callable(page) else page
    pending = PaperFactory(status=PaperStatus.PENDING, first_digest_on=None)
    data = {
        key: (
            SimpleUploadedFile("d.txt", DIGEST)
            if value == "{file}"
            else str(pending.pk)
            if value == "{pending}"
            else value
        )
        for key, value in data.items()
    }
    return client, path, data, pending


@pytest.mark.parametrize(("role", "page", "data", "expected"), FORMS, ids=FORM_IDS)
def test_form_post_without_the_token_is_refused(world, role, page, data, expected):
    client, path, data, pending = form_case(world, role, page, data)
    client.get("/api/auth/csrf/")  # the cookie alone, as a forged cross-site request has it

    response = client.post(path, data)

    assert response.status_code == 403
    assert b"CSRF" in response.content
    pending.refresh_from_db()
    assert pending.status == PaperStatus.PENDING


@pytest.mark.parametrize(("role", "page", "data", "expected"), FORMS, ids=FORM_IDS)
def test_form_post_with_the_token_goes_through(world, role, page, data, expected):
    client, path, data, pending = form_case(world, role, page, data)
    form = client.get(path)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.content)
    token = token.group(1).decode() if token else csrf_token(client)

    response = client.post(path, {**data, "csrfmiddlewaretoken": token})

    assert response.status_code == expected, response.content[:500]
    # Done, not sent back to a log-in page or to the form with errors.
    assert "/login/" not in response["Location"]
    if data.get("action"):
        pending.refresh_from_db()
        assert pending.status == PaperStatus.PUBLISHED
    else:
        assert response["Location"] != path
