"""Every cursor endpoint answers a malformed cursor with a 400 in the API's error shape, never
a 500: bad base64, not JSON, another ordering's kind, a null key where the ordering has none,
keys and ids of the wrong type or out of range, too many or too few items. (A cursor is opaque:
the `next` link of the previous page carries it; curation/api/pagination.py.) The web pages
read the cursors of their "load more" links: a malformed one is a 400 page with one sentence.
"""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from rest_framework.test import APIClient

from config.cursors import MSG_BAD_CURSOR, BadCursor, cursor_decode, parse_int
from tests.factories import (
    CommentFactory,
    DigestEntryFactory,
    ModeratorFactory,
    PaperFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 8, 22)
NOW = "2024-08-22T08:00:00+00:00"


def encoded(value) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture
def world():
    paper = PaperFactory(first_digest_on=DAY)
    DigestEntryFactory(paper=paper, digest__date=DAY, position=1)
    CommentFactory(paper=paper)
    return {"paper": paper.pk}


# (name, path, kind, a key of the right type, key of a wrong type, whether the key may be null)
ENDPOINTS = [
    ("hot", "/api/papers/?order=hot", "hot", 1.5, "x", False),
    ("new", "/api/papers/?order=new", "new", "2024-08-22", 5, False),
    ("top", "/api/papers/?order=top", "top", 3, 1.5, False),
    ("pending-hot", "/api/papers/?order=hot&status=pending", "hot", 1.5, "x", True),
    ("pending-new", "/api/papers/?order=new&status=pending", "new", "2024-08-22", 5, True),
    ("day", "/api/papers/?date=2024-08-22", "day-2024-08-22", 1, "1", False),
    ("thread", "/api/papers/{paper}/comments/", "thread-{paper}", NOW, 5, False),
    ("digests", "/api/digests/", "digests", "2024-08-22", 5, False),
    ("log", "/api/moderation/log/", "log", NOW, "2024-08-22", False),
]


def malformed(kind: str, key, wrong_key, nullable: bool) -> dict[str, str]:
    cursors = {
        "bad base64": "!!!not*base64",
        "not JSON": encoded(b"hello"),
        "broken UTF-8": encoded(b'["\xff\xfe", 1, 1]'),
        "a number": encoded(5),
        "an object": encoded({"kind": kind, "key": key, "id": 1}),
        "a string of three": encoded("abc"),
        "another kind": encoded(["elsewhere", key, 1]),
        "wrong key type": encoded([kind, wrong_key, 1]),
        "list key": encoded([kind, [key], 1]),
        "id a string": encoded([kind, key, "1"]),
        "id null": encoded([kind, key, None]),
        "id a boolean": encoded([kind, key, True]),
        "id a float": encoded([kind, key, 1.5]),
        "extra items": encoded([kind, key, 1, 2]),
        "too few items": encoded([kind, key]),
        "empty list": encoded([]),
        "huge number key": encoded(b'["%s", 1e999999, 1]' % kind.encode()),
        "huge integer key": encoded(b'["%s", %s, 1]' % (kind.encode(), b"9" * 320)),
        "huge id": encoded([kind, key, 10**30]),
        "negative id": encoded([kind, key, -(10**30)]),
        "not a number key": encoded(b'["%s", NaN, 1]' % kind.encode()),
        "out of range date": encoded([kind, "0001-01-01T00:30:00+01:00", 1]),
    }
    if not nullable:
        cursors["null key"] = encoded([kind, None, 1])
    return cursors


CASES = [
    pytest.param(path, name, cursor, id=f"{endpoint}-{name}")
    for endpoint, path, kind, key, wrong_key, nullable in ENDPOINTS
    for name, cursor in malformed(kind, key, wrong_key, nullable).items()
]


@pytest.mark.parametrize(("path", "name", "cursor"), CASES)
def test_a_malformed_cursor_is_a_400_in_the_error_shape(world, path, name, cursor):
    client = APIClient()
    client.force_authenticate(ModeratorFactory())  # the status views are the moderators'
    url = path.format(**world).replace("{paper}", str(world["paper"]))
    url = url.replace("thread-{paper}", f"thread-{world['paper']}")
    separator = "&" if "?" in url else "?"

    response = client.get(f"{url}{separator}cursor={cursor}")

    assert response.status_code == 400, (name, response.content[:300])
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": MSG_BAD_CURSOR,
            "fields": {"cursor": [MSG_BAD_CURSOR]},
        }
    }


def test_the_finding_a_null_key_on_the_hot_feed(world):
    response = APIClient().get("/api/papers/?cursor=WyJob3QiLG51bGwsMV0")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"cursor": [MSG_BAD_CURSOR]}


@pytest.mark.parametrize(("order", "key"), [("hot", 1.5), ("new", "2024-08-22")])
def test_a_null_key_stays_valid_where_keys_may_be_null(world, order, key):
    """The moderators' status views list papers without a digest day (no key) last: their
    cursors carry a null key, and so do the `next` links the API writes for them."""
    PaperFactory.create_batch(3, status="pending", first_digest_on=None)
    client = APIClient()
    client.force_authenticate(ModeratorFactory())

    first = client.get(f"/api/papers/?order={order}&status=pending&page_size=1").json()
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    kind, written_key, _ = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))

    assert (kind, written_key) == (order, None)
    assert client.get(first["next"]).status_code == 200


# JSON nested deeper than Python's parser recurses (a RecursionError, not a ValueError).
NESTED = encoded(b"[" * 1200 + b"]" * 1200)


@pytest.mark.parametrize(
    "cursor",
    ["WyJob3QiLG51bGwsMV0", "not-base64!", "W10", NESTED, encoded(["hot", 1.5, 1]) + "A" * 600],
)
def test_a_cursor_no_page_wrote_is_refused(cursor):
    with pytest.raises(BadCursor):
        cursor_decode(cursor, "top", parse_int)


WEB_PAGES = [
    "/",
    "/?order=new",
    "/?order=top",
    "/?date=2024-08-22",
    "/?status=pending",
    "/moderation/",
    "/moderation/log/",
    "/inbox/",
    "/lists/",
]


@pytest.mark.parametrize("path", WEB_PAGES)
def test_the_web_pages_answer_a_malformed_cursor_with_a_400_page(client, world, path):
    client.force_login(ModeratorFactory())
    separator = "&" if "?" in path else "?"
    # A null key is valid in a status view (see above).
    null_key = () if "status=" in path else ("WyJob3QiLG51bGwsMV0",)
    for cursor in (*null_key, "not-base64!", "W10", NESTED):
        response = client.get(f"{path}{separator}cursor={cursor}")
        assert response.status_code == 400, (cursor[:20], response.status_code)
        assert MSG_BAD_CURSOR in response.content.decode()


def test_a_members_pages_answer_a_nested_cursor_with_a_400_page(client, world):
    client.force_login(UserFactory())
    for path in ("/", "/inbox/", "/lists/"):
        response = client.get(f"{path}?cursor={NESTED}")
        assert response.status_code == 400, (path, response.status_code)
