"""Limits that the rest of the suite does not reach yet.

- The log-in lockout through the web page's form (/accounts/login/): after repeated failures
  the username is locked out from that address with one clear sentence, even with the right
  password; the lockout is one for every door, so failures on the web form lock the API's
  log-in too, and the other way round. (The API's log-in, the admin's and HTTP Basic on the
  dumps API: tests/curation/test_accounts_api.py.)
- The write throttle on every write endpoint of the API, the curation API's and /api/dumps/
  alike, for programs (token) and browsers (session): 429 in the API's error shape with
  Retry-After. (Reads, anonymous writes, counting by account and address:
  tests/curation/test_throttling.py.)

Upload size and count limits are covered elsewhere: tests/papers/test_api_dumps.py and
tests/papers/test_admin.py (413, a declared size refused before the body is read, too many
files in the admin form), tests/papers/test_hostile_dumps.py (every door, every bad file),
tests/test_request_limits.py and its live twin (request bodies of every page and endpoint).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from accounts.authentication import MSG_LOCKED_OUT
from accounts.services import api_token_create
from tests.curation.test_permission_matrix import MATRIX, build_world
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_PAGE = "/accounts/login/"
API_LOGIN = "/api/auth/login/"
LOCKED = MSG_LOCKED_OUT.format(minutes=15)
COOL_OFF_SECONDS = str(15 * 60)
WRONG_LOGIN = "Please enter a correct username and password."


def web_login(client, username, password):
    return client.post(LOGIN_PAGE, {"username": username, "password": password, "next": "/me/"})


def api_login(client, username, password):
    return client.post(API_LOGIN, {"username": username, "password": password})


def assert_web_locked_out(response):
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == LOCKED
    assert response["Retry-After"] == COOL_OFF_SECONDS


# --- Log-in lockout on the web form -------------------------------------------------------


def test_the_web_form_says_why_a_log_in_failed_then_locks_the_username_out():
    UserFactory(username="reader")
    client = Client()

    failures = [web_login(client, "reader", "wrong") for _ in range(5)]

    assert [r.status_code for r in failures] == [200, 200, 200, 200, 429]
    for response in failures[:4]:
        assert WRONG_LOGIN in response.content.decode()
    assert_web_locked_out(failures[4])


def test_a_locked_out_username_cannot_log_in_on_the_web_form_even_with_its_password():
    UserFactory(username="reader")
    client = Client()
    for _ in range(5):
        web_login(client, "reader", "wrong")

    response = web_login(client, "reader", DEFAULT_PASSWORD)

    assert_web_locked_out(response)
    assert "_auth_user_id" not in client.session
    assert client.get("/me/").status_code == 302  # still sent to the log-in page


def test_the_lockout_of_the_web_form_is_per_username_and_address():
    UserFactory(username="reader")
    UserFactory(username="other")
    client = Client()
    for _ in range(5):
        web_login(client, "reader", "wrong")

    assert web_login(client, "other", DEFAULT_PASSWORD).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert web_login(elsewhere, "reader", DEFAULT_PASSWORD).status_code == 302


def test_a_success_on_the_web_form_clears_earlier_failures():
    UserFactory(username="reader")
    client = Client()
    for _ in range(4):
        web_login(client, "reader", "wrong")

    assert web_login(client, "reader", DEFAULT_PASSWORD).status_code == 302

    client = Client()
    assert [web_login(client, "reader", "wrong").status_code for _ in range(4)] == [200] * 4


def test_failures_on_the_web_form_lock_the_api_log_in_too():
    UserFactory(username="reader")
    for _ in range(5):
        web_login(Client(), "reader", "wrong")

    response = api_login(APIClient(), "reader", DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert response.json()["error"] == {
        "code": "locked_out",
        "message": LOCKED,
        "retry_after": 15 * 60,
    }


def test_failures_on_the_api_lock_the_web_form_too():
    UserFactory(username="reader")
    for _ in range(5):
        api_login(APIClient(), "reader", "wrong")

    assert_web_locked_out(web_login(Client(), "reader", DEFAULT_PASSWORD))


def test_the_lockout_limit_follows_the_setting(settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="reader")
    client = Client()

    assert [web_login(client, "reader", "wrong").status_code for _ in range(2)] == [200, 429]


# --- The write throttle on every write endpoint -------------------------------------------

# Every write of the curation API (the matrix's rows that are not reads), and the dumps API.
WRITES = sorted(
    {(method, path) for _, method, path, _, _ in MATRIX if method != "get"}
    | {("post", "/api/dumps/")}
)


@pytest.fixture
def write_world(settings, db):
    """Two writes a minute per account, and the permission matrix's world for the paths to
    name."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user_write": "2/min",
        },
    }
    users, ids = build_world()
    return {"admin": users["admin"], "ids": ids}


def write(client, method, path, **extra):
    if path == "/api/dumps/":
        upload = {"file": SimpleUploadedFile("d.txt", b"not a digest")}
        return client.post(path, upload, **extra)
    return getattr(client, method)(path, {}, format="json", **extra)


def assert_throttled(response):
    assert response.status_code == 429, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"].startswith("Request was throttled.")
    assert 0 < error["retry_after"] <= 60
    assert response["Retry-After"] == str(error["retry_after"])


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m}-{p}" for m, p in WRITES])
def test_every_write_endpoint_is_throttled_for_programs(write_world, method, path):
    """With a personal token, as a program writes; an admin, whom no permission stops before
    the throttle. The first two writes may succeed or be refused by a rule (a refusal counts
    too); the third is throttled, whatever it asks."""
    user = write_world["admin"]
    secret = api_token_create(user=user).secret
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    url = path.format(**write_world["ids"])

    first = [write(client, method, url).status_code for _ in range(2)]

    assert 429 not in first
    assert_throttled(write(client, method, url))


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/papers/{paper}/vote/"), ("post", "/api/dumps/")],
    ids=["vote", "dumps"],
)
def test_session_writes_share_the_accounts_budget(write_world, method, path):
    """A browser's session and the same account's token draw on one budget per account."""
    user = write_world["admin"]
    url = path.format(**write_world["ids"])
    browser = APIClient()
    browser.force_login(user)
    program = APIClient()
    program.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user).secret}")

    assert write(browser, method, url).status_code != 429
    assert write(program, method, url).status_code != 429
    assert_throttled(write(browser, method, url))
    assert_throttled(write(program, method, url))
