"""SQL-looking input is just text: every search box, filter, date, ordering and cursor of the
API, the web pages and the admin, fed classic injection strings, NUL bytes and very long
values, answers 200 or 400 (in the API's error shape under /api/), never a 500; what comes
back are text matches of published papers only; and every table is still there afterwards.
(A NUL in the address of a web page or the admin is refused by config.middleware: PostgreSQL
takes no NUL in a string.)

Runs on the embedded SQLite and, in .ci/run's second pass, on PostgreSQL, whose full-text
search and string literals (no NUL allowed) are where such input would bite.
"""

import base64
import datetime
import json

import pytest
from django.db import connection
from django.test import Client

from config.middleware import MSG_NUL_IN_QUERY
from curation.models import Comment, ModerationEvent, Tag
from curation.services import comment_create, comment_hide
from papers.models import Paper, PaperStatus
from papers.services.search_index import search_index_refresh
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    DumpFactory,
    ModeratorFactory,
    PaperFactory,
    StaffUserFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 8, 22)
DROP_TITLE = "Robert'); DROP TABLE papers_paper; -- a study of input"


def _cursor(kind, key, pk) -> str:
    raw = json.dumps([kind, key, pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


PAYLOADS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    '"; DROP TABLE papers_paper; --',
    "'; DELETE FROM curation_comment WHERE ''='",
    "%' UNION SELECT id, username, password FROM auth_user --",
    "1; SELECT pg_sleep(10) --",
    "') OR ('a'='a",
    "\\",
    "\\'; --",
    "%",
    "_",
    "a\x00b",
    "\x00",
    "[[:alpha:]]*",
    "!@#$%^&*()<>?:{}|~",
    "x" * 10_000,
]
IDS = [
    "or-1-1",
    "or-quoted",
    "drop-table",
    "delete",
    "union",
    "sleep",
    "paren",
    "backslash",
    "backslash-quote",
    "percent",
    "underscore",
    "nul-inside",
    "nul",
    "regex",
    "punctuation",
    "long",
]
# Forged cursors: the JSON inside is the client's to make up.
CURSORS = [
    _cursor("top", "' OR 1=1 --", 1),
    _cursor("top", 10**30, 10**30),
    _cursor("hot", 1e308, -(10**20)),
    _cursor("new", "2024-08-22' OR '1'='1", 1),
    _cursor("log", "2024-08-22T00:00:00+00:00; DROP TABLE x", 1),
    _cursor("digests", "2024-08-22", "1 OR 1=1"),
    "' OR 1=1 --",
]

# (path, parameter) pairs read by anonymous readers; the payload goes in the parameter.
PUBLIC = [
    ("/api/papers/", "q"),
    ("/api/papers/", "tag"),
    ("/api/papers/", "date"),
    ("/api/papers/", "digest"),
    ("/api/papers/", "order"),
    ("/api/papers/", "period"),
    ("/api/papers/", "match"),
    ("/api/papers/", "status"),
    ("/api/papers/", "page"),
    ("/api/papers/", "page_size"),
    ("/api/papers/export/", "q"),
    ("/api/papers/export/", "tag"),
    ("/api/papers/export/", "digest"),
    ("/api/papers/export/", "order"),
    ("/api/papers/export/", "format"),
    ("/api/moderation/log/", "moderator"),
    ("/api/moderation/log/", "action"),
    ("/api/moderation/log/", "target_kind"),
    ("/api/tags/", "page"),
    ("/", "q"),
    ("/", "tag"),
    ("/", "order"),
    ("/", "period"),
    ("/", "date"),
    ("/", "status"),
    ("/search/", "q"),
    ("/search/", "tag"),
    ("/tags/vision/", "order"),
    ("/tags/vision/", "date"),
    ("/moderation/log/", "moderator"),
    ("/moderation/log/", "action"),
    ("/moderation/log/", "target_kind"),
]
# Extra parameters some pages need for the payload's parameter to be read at all.
ALONGSIDE = {
    ("/api/papers/", "page"): {"q": "study"},
    ("/api/papers/", "period"): {"order": "top"},
    ("/", "period"): {"order": "top"},
    ("/", "date"): {"view": "day"},
    ("/search/", "tag"): {"q": "study"},
}
# Answers other than 200 and 400 that some parameters may get, in the API's error shape:
# a status view asked by a reader (403), a page number past the end (404).
ALSO = {
    ("/api/papers/", "status"): 403,
    ("/api/papers/export/", "status"): 403,
    ("/api/papers/", "page"): 404,
    ("/api/tags/", "page"): 404,
    ("/api/dumps/", "page"): 404,
}
# Read by moderators (status views) and staff (dumps, the admin's search and filters).
MODERATOR = [
    ("/api/papers/", "status"),
    ("/api/papers/export/", "status"),
    ("/", "status"),
    ("/api/moderation/queue/", "page_size"),
]
STAFF = [
    ("/api/dumps/", "status"),
    ("/api/dumps/", "page"),
    ("/admin/papers/paper/", "q"),
    ("/admin/papers/paper/", "status__exact"),
    ("/admin/papers/paper/", "o"),
    ("/admin/papers/dump/", "q"),
    ("/admin/curation/moderationevent/", "q"),
    ("/admin/curation/comment/", "q"),
]
CURSOR_PAGES = [
    "/api/papers/",
    "/api/papers/?order=top",
    "/api/papers/?order=new",
    f"/api/papers/?date={DAY.isoformat()}",
    "/api/moderation/log/",
    "/api/digests/",
    "/api/papers/{paper}/comments/",
]


@pytest.fixture
def world(db):
    """Published papers (one whose title is itself an injection), a pending and a rejected
    paper that no reader may ever see, a tag, a comment, a hidden one, a log entry, a dump."""
    moderator = ModeratorFactory(username="moderator")
    digest = DigestFactory(date=DAY)
    published = [
        PaperFactory(title="Attention Is Enough", abstract="A study of attention."),
        PaperFactory(title="Quiet Graph Study", abstract="Graphs, quietly."),
        PaperFactory(title=DROP_TITLE, abstract="Little Bobby Tables, grown up."),
    ]
    for position, paper in enumerate(published, start=1):
        DigestEntryFactory(digest=digest, paper=paper, position=position)
    secret = [
        PaperFactory(
            title="Secret pending study ' OR 1=1 --",
            status=PaperStatus.PENDING,
            first_digest_on=None,
        ),
        PaperFactory(title="Rejected study UNION SELECT", status=PaperStatus.REJECTED),
    ]
    TagFactory(name="Vision", slug="vision")
    author = UserFactory(username="author")
    comment_create(user=author, paper=published[0], body="First comment.")
    rude = comment_create(user=author, paper=published[0], body="Rude comment.")
    comment_hide(comment=rude, moderator=moderator, reason="Rude.")
    DumpFactory(uploaded_by=StaffUserFactory(username="admin"))
    search_index_refresh()
    return {
        "published": {p.pk for p in published},
        "secret": {p.pk for p in secret},
        "drop": published[2].pk,
        "paper": published[0].pk,
    }


@pytest.fixture
def schema_snapshot(db):
    """The tables and row counts before the test; the test compares them afterwards."""

    def _snapshot():
        return {
            "tables": set(connection.introspection.table_names()),
            "papers": Paper.objects.count(),
            "comments": Comment.objects.count(),
            "tags": Tag.objects.count(),
            "events": ModerationEvent.objects.count(),
        }

    return _snapshot


def client_as(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def check_answer(response, path: str, param: str, world) -> None:
    """200 or 400 (or the one refusal ALSO allows), never a 5xx; 4xx under /api/ in the
    error shape; paper lists hold published papers only."""
    allowed = {200, 400, ALSO.get((path, param))}
    assert response.status_code in allowed, (path, param, response.status_code)
    content_type = response.get("Content-Type", "")
    if path.startswith("/api/") and response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["message"], str) and error["message"]
    if response.status_code != 200:
        return
    if content_type.startswith("application/json") and "results" in response.json():
        ids = {row["id"] for row in response.json()["results"] if "title" in row}
        assert not ids & world["secret"], path
    if "html" in content_type:
        body = response.content.decode()
        assert "Secret pending study" not in body and "Rejected study" not in body, path
    if path.startswith("/api/papers/export/"):
        body = b"".join(response.streaming_content).decode()
        assert "Secret pending study" not in body and "Rejected study" not in body


def get(client, path: str, param: str, value: str, **extra_params):
    # The feed sends a search on to the search page: followed.
    params = {**extra_params, param: value}
    return client.get(path, params, follow=not path.startswith("/admin/"))


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_public_search_and_filters_take_sql_as_text(world, schema_snapshot, payload):
    before = schema_snapshot()
    client = client_as()

    for path, param in PUBLIC:
        response = get(client, path, param, payload, **ALONGSIDE.get((path, param), {}))
        check_answer(response, path, param, world)

    assert schema_snapshot() == before


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_moderator_and_staff_filters_take_sql_as_text(world, schema_snapshot, payload):
    before = schema_snapshot()
    moderator = client_as(ModeratorFactory(username="moderator2"))
    staff = client_as(StaffUserFactory(username="staff"))

    for path, param in MODERATOR:
        check_answer(get(moderator, path, param, payload), path, param, world)
    for path, param in STAFF:
        response = get(staff, path, param, payload)
        if path.startswith("/admin/"):
            # The admin answers an unknown filter by sending the reader to ?e=1.
            assert response.status_code in (200, 302, 400), (path, response.status_code)
            continue
        check_answer(response, path, param, world)

    assert schema_snapshot() == before


@pytest.mark.parametrize("cursor", CURSORS)
def test_forged_cursors_are_refused_or_harmless(world, schema_snapshot, cursor):
    before = schema_snapshot()
    client = client_as(UserFactory(username="reader"))

    for template in CURSOR_PAGES:
        path = template.format(paper=world["paper"])
        response = client.get(path, {"cursor": cursor})
        assert response.status_code in (200, 400), (path, response.status_code)
        if response.status_code == 400:
            assert response.json()["error"]["code"] == "invalid"
        else:
            ids = {row["id"] for row in response.json()["results"]}
            assert not ids & world["secret"]

    assert schema_snapshot() == before


def test_a_title_that_looks_like_sql_is_found_as_text(world):
    client = client_as()

    api = client.get("/api/papers/", {"q": "DROP TABLE papers_paper"}).json()
    page = client.get("/search/", {"q": "DROP TABLE papers_paper"}).content.decode()

    assert [row["id"] for row in api["results"]] == [world["drop"]]
    assert "Robert&#x27;); DROP TABLE papers_paper; -- a study of input" in page
    assert Paper.objects.filter(pk=world["drop"]).exists()


@pytest.mark.parametrize("payload", ["' OR 1=1 --", "' OR '1'='1", "%' UNION SELECT"])
def test_an_always_true_condition_does_not_widen_a_search(world, payload):
    """`' OR 1=1 --` searched as words: nothing published has them all, or the one paper
    with such words, but never every paper and never an unpublished one."""
    client = client_as()

    found = {row["id"] for row in client.get("/api/papers/", {"q": payload}).json()["results"]}
    export = client.get("/api/papers/export/", {"q": payload, "format": "jsonl"})
    exported = [json.loads(line) for line in b"".join(export.streaming_content).splitlines()]

    assert found != world["published"]
    assert not found & world["secret"]
    assert {row["id"] for row in exported} == found


def test_an_injected_tag_filter_matches_no_tag(world):
    client = client_as()

    response = client.get("/", {"tag": "vision' OR '1'='1"})

    assert response.status_code == 200
    assert "No papers here yet." in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/search/?q=a%00b", "/?tag=%00", "/moderation/log/?moderator=x%00"]
)
def test_a_nul_byte_in_a_page_address_is_refused_with_one_sentence(world, path):
    response = client_as().get(path)

    assert response.status_code == 400
    assert response.content.decode() == MSG_NUL_IN_QUERY


def test_a_nul_byte_in_an_api_parameter_is_a_field_error(world):
    response = client_as().get("/api/papers/", {"q": "a\x00b"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"q": ["Null characters are not allowed."]}


def test_a_nul_byte_in_an_admin_filter_is_refused(world):
    staff = client_as(StaffUserFactory(username="staff"))

    response = staff.get("/admin/papers/paper/", {"status__exact": "published\x00"})

    assert response.status_code == 400
    assert response.content.decode() == MSG_NUL_IN_QUERY
