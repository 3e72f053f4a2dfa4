"""Hostile dumps through every door: files that are not digests, and uploads beyond the limits.

Each file of the corpus (empty, blank, binary, an image, HTML, broken or wrongly shaped JSON, a
20 MB line, 100,000 nested brackets, archives, UTF-16, ...) is sent through the API
(`POST /api/dumps/`), the admin's upload view and `manage.py ingest_digest`. By design such a
file is taken in and its dump ends `failed`: the dump records the parser's one sentence, and
nothing else is written (no paper, digest or digest entry; the stored file is the dump's own).
Uploads beyond the limits (too large, too many files) are refused before any dump exists: one
sentence, no row, no file left in MEDIA_ROOT. Nothing answers a 500. And a good dump with
hostile text inside (NUL, lone surrogates, endless titles, counts beyond an integer column) is
ingested with that text cleaned, not failed as a whole.
"""

import gzip
import html
import io
import json
import random
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from django.utils.html import strip_tags
from rest_framework.test import APIClient

from config.api.errors import MSG_REQUEST_LIMITS
from config.units import human_size
from papers.admin import MSG_TOO_MANY_FILES, MSG_UPLOAD_FAILED, MSG_UPLOAD_REFUSED
from papers.api.views import MSG_ONE_FILE, MSG_REQUEST_TOO_LARGE
from papers.management.commands.ingest_digest import LINE_FAILED
from papers.models import Digest, DigestEntry, Dump, DumpStatus, Paper
from papers.parsing.errors import (
    MSG_ARCHIVE,
    MSG_BINARY,
    MSG_BLANK,
    MSG_EMPTY,
    MSG_HTML,
    MSG_JSON_BROKEN,
    MSG_JSON_EMPTY,
    MSG_JSON_ENCODING,
    MSG_JSON_ITEM_NOT_OBJECT,
    MSG_JSON_ITEM_TOO_LARGE,
    MSG_JSON_NO_PAPERS,
    MSG_JSON_NOT_ARRAY,
    MSG_JSON_TOO_DEEP,
    MSG_JSON_TRAILING,
    MSG_LEADING_BLANK,
    MSG_LINE_TOO_LONG,
    MSG_NO_DIGEST_DAY,
    MSG_NO_PAPERS,
    W_JSON_TITLE_TOO_LONG,
)
from papers.parsing.limits import MAX_SOURCE_COUNT
from papers.services.dumps import MSG_TOO_LARGE

LIST_URL = "/api/dumps/"
UPLOAD = reverse("admin:papers_dump_upload")
CHANGELIST = reverse("admin:papers_dump_changelist")
JSON_ITEM = b'{"paper": {"title": "A", "summary": "B."}, "publishedAt": "2024-08-22T08:00:00Z"}'
SMALL_DIGEST = b"Aug 22\n\nA Perfectly Good Title\n\n" + b"An abstract that goes on. " * 200


def _archive(kind: str) -> bytes:
    if kind == "gzip":
        return gzip.compress(SMALL_DIGEST)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("digest.txt", SMALL_DIGEST)
    return out.getvalue()


# (id, file name, content made on demand: a few are 20 MB, message of the failed dump)
CORPUS = [
    ("empty", "empty.txt", lambda: b"", MSG_EMPTY),
    ("blank", "blank.txt", lambda: b" \t\r\n\n\xc2\xa0  \n\xef\xbb\xbf\n", MSG_BLANK),
    ("blank-1mb", "blank.txt", lambda: b" " * (1 << 20) + b"\nAug 22\n", MSG_LEADING_BLANK),
    ("random-bytes", "noise.bin", lambda: random.Random(7).randbytes(64 << 10), MSG_BINARY),
    ("nul-bytes", "nul.txt", lambda: b"Aug 22\n\nA title\x00\x00\x00\n\nAbstract.\n", MSG_BINARY),
    (
        "png",
        "digest.png",
        lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        MSG_ARCHIVE.format(kind="PNG image"),
    ),
    (
        "html",
        "page.html",
        lambda: (
            b"<!DOCTYPE html>\n<html><head><title>Daily Papers</title></head>\n"
            b"<body><p>Aug 22</p><h3>A title</h3><p>An abstract.</p></body></html>\n"
        ),
        MSG_HTML,
    ),
    (
        "broken-json",
        "broken.json",
        lambda: b"[" + JSON_ITEM + b',\n{"paper": }\n]',
        MSG_JSON_BROKEN.format(line=2, detail="Expecting value"),
    ),
    (
        "cut-json",
        "cut.json",
        lambda: b"[\n" + JSON_ITEM + b",\n" + JSON_ITEM[:30],
        MSG_JSON_BROKEN.format(line=3, detail="Unterminated string"),
    ),
    ("json-object", "object.json", lambda: b'{"papers": []}', MSG_JSON_NOT_ARRAY),
    ("json-numbers", "numbers.json", lambda: b"[1, 2, 3]", MSG_JSON_ITEM_NOT_OBJECT.format(line=1)),
    ("json-empty", "empty.json", lambda: b"[]", MSG_JSON_EMPTY),
    (
        "json-wrong-types",
        "types.json",
        lambda: b'[{"title": 5, "paper": [], "publishedAt": null}, {"paper": {"title": ""}}]',
        MSG_JSON_NO_PAPERS,
    ),
    (
        "json-trailing",
        "trailing.json",
        lambda: b"[" + JSON_ITEM + b"]\n<html>",
        MSG_JSON_TRAILING.format(line=2),
    ),
    (
        "json-latin1",
        "latin1.json",
        lambda: b'[\n{"title": "Caf\xe9"}]',
        MSG_JSON_ENCODING.format(line=2),
    ),
    ("huge-line", "line.txt", lambda: b"x" * (20 << 20), MSG_LINE_TOO_LONG.format(line=1)),
    (
        "huge-json-item",
        "item.json",
        lambda: b'[{"paper": {"title": "' + b"x" * (20 << 20),
        MSG_JSON_ITEM_TOO_LARGE.format(line=1),
    ),
    ("deep-nesting", "deep.json", lambda: b"[" * 100_000, MSG_JSON_TOO_DEEP.format(line=1)),
    ("deep-objects", "deep.json", lambda: b'[{"a":' * 50_000, MSG_JSON_TOO_DEEP.format(line=1)),
    ("zip", "digest.zip", lambda: _archive("zip"), MSG_ARCHIVE.format(kind="ZIP archive")),
    ("gzip", "digest.txt.gz", lambda: _archive("gzip"), MSG_ARCHIVE.format(kind="gzip archive")),
    ("utf-16", "utf16.txt", lambda: SMALL_DIGEST.decode().encode("utf-16"), MSG_BINARY),
    ("no-digest-day", "notes.txt", lambda: b"Some notes.\n\nMore notes here.\n", MSG_NO_DIGEST_DAY),
    ("header-only", "header.txt", lambda: b"Daily Papers\n\nAug 22\n\n", MSG_NO_PAPERS),
]
CORPUS_PARAMS = [pytest.param(name, make, message, id=id_) for id_, name, make, message in CORPUS]


def is_one_sentence(text: str) -> bool:
    """Starts with a capital, ends with its only full stop (numbers such as "84.8" aside)."""
    return (
        text[:1].isupper()
        and text.endswith(".")
        and "\n" not in text
        and re.search(r"[.!?;]\s+[A-Z]", text[:-1]) is None
    )


def stored_files(settings) -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def assert_failed_and_nothing_written(settings, message: str) -> Dump:
    dump = Dump.objects.get()
    assert dump.status == DumpStatus.FAILED
    assert dump.error == message
    assert dump.stats == {}
    assert list(dump.digests.all()) == []
    assert not Paper.objects.exists()
    assert not Digest.objects.exists()
    assert not DigestEntry.objects.exists()
    # The only file kept is the failed dump's own, for the administrators to look at.
    assert stored_files(settings) == {Path(dump.file.path)}
    return dump


def assert_refused_and_nothing_written(settings) -> None:
    assert not Dump.objects.exists()
    assert not Paper.objects.exists()
    assert not Digest.objects.exists()
    assert stored_files(settings) == set()


@pytest.fixture
def staff_api(admin_user):
    client = APIClient()
    client.force_login(admin_user)
    return client


def admin_messages(response) -> list[str]:
    return [html.unescape(strip_tags(str(m))) for m in get_messages(response.wsgi_request)]


def ingest_command(*paths) -> tuple[int, list[str]]:
    out = io.StringIO()
    try:
        call_command("ingest_digest", *map(str, paths), "--sync", stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


def test_every_expected_message_is_one_sentence():
    messages = [message for *_, message in CORPUS]
    messages += [
        MSG_TOO_LARGE.format(size="5.1 KB", limit="1000 bytes"),
        MSG_REQUEST_TOO_LARGE.format(size="84.9 KB", limit="1000 bytes"),
        MSG_TOO_MANY_FILES.format(limit=2),
        MSG_ONE_FILE.format(count=3),
        *MSG_REQUEST_LIMITS.values(),
    ]
    assert [m for m in messages if not is_one_sentence(m)] == []


# --- files that are not digests ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "make", "message"), CORPUS_PARAMS)
def test_api_takes_the_file_in_and_its_dump_fails_with_one_sentence(
    staff_api, settings, django_capture_on_commit_callbacks, name, make, message
):
    file = SimpleUploadedFile(name, make(), content_type="application/octet-stream")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(LIST_URL, {"file": file}, format="multipart")

    assert response.status_code == 202
    body = staff_api.get(response["Location"]).json()
    assert body["status"] == DumpStatus.FAILED
    assert body["error"] == message
    assert body["stats"] is None
    assert body["digests"] == []
    assert_failed_and_nothing_written(settings, message)


# Transactional: the dump is queued when the upload commits, so (tasks running in-process) the
# admin's answer already tells how it ended, as it does outside the tests.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("name", "make", "message"), CORPUS_PARAMS)
def test_admin_upload_says_the_dump_failed_with_one_sentence(
    admin_client, settings, name, make, message
):
    file = SimpleUploadedFile(name, make(), content_type="application/octet-stream")

    response = admin_client.post(UPLOAD, {"files": [file]})

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    dump = assert_failed_and_nothing_written(settings, message)
    assert admin_messages(response) == [
        MSG_UPLOAD_FAILED.format(name=name, id=dump.pk, error=message)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "make", "message"), CORPUS_PARAMS)
def test_ingest_command_prints_one_failed_line(tmp_path, settings, name, make, message):
    path = tmp_path / name
    path.write_bytes(make())

    status, lines = ingest_command(path)

    assert status == 1
    assert lines == [LINE_FAILED.format(name=name, error=message)]
    assert_failed_and_nothing_written(settings, message)


# --- uploads beyond the size limit -----------------------------------------------------------


@pytest.fixture
def small_limit(settings):
    settings.DUMP_MAX_UPLOAD_BYTES = 1000
    return "1000 bytes"


@pytest.mark.django_db
def test_api_refuses_a_file_over_the_limit(staff_api, settings, small_limit):
    response = staff_api.post(LIST_URL, {"file": SimpleUploadedFile("big.txt", SMALL_DIGEST)})

    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "too_large",
            "message": MSG_TOO_LARGE.format(size=human_size(len(SMALL_DIGEST)), limit=small_limit),
        }
    }
    assert_refused_and_nothing_written(settings)


@pytest.mark.django_db
def test_api_refuses_a_body_over_the_limit_before_reading_it(
    staff_api, settings, small_limit, fixture_path
):
    content = fixture_path("digest-aug22-plain.txt").read_bytes()
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("aug22.txt", content)})

    response = staff_api.post(LIST_URL, body, content_type=MULTIPART_CONTENT)

    assert response.status_code == 413
    message = MSG_REQUEST_TOO_LARGE.format(size=human_size(len(body)), limit=small_limit)
    assert response.json()["error"] == {"code": "too_large", "message": message}
    assert_refused_and_nothing_written(settings)


@pytest.mark.django_db
def test_admin_refuses_a_file_over_the_limit(admin_client, settings, small_limit):
    response = admin_client.post(UPLOAD, {"files": [SimpleUploadedFile("big.txt", SMALL_DIGEST)]})

    assert response.status_code == 302
    message = MSG_TOO_LARGE.format(size=human_size(len(SMALL_DIGEST)), limit=small_limit)
    assert admin_messages(response) == [MSG_UPLOAD_REFUSED.format(name="big.txt", message=message)]
    assert_refused_and_nothing_written(settings)


@pytest.mark.django_db
def test_ingest_command_refuses_a_file_over_the_limit(tmp_path, settings, small_limit):
    path = tmp_path / "big.txt"
    path.write_bytes(SMALL_DIGEST)

    status, lines = ingest_command(path)

    assert status == 1
    message = MSG_TOO_LARGE.format(size=human_size(len(SMALL_DIGEST)), limit=small_limit)
    assert lines == [LINE_FAILED.format(name="big.txt", error=message)]
    assert_refused_and_nothing_written(settings)


# --- too many files in one upload ------------------------------------------------------------


def digests(count: int) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f"d{n}.txt", SMALL_DIGEST.replace(b"Perfectly", f"N{n}".encode()))
        for n in range(count)
    ]


@pytest.fixture
def few_files(settings):
    """At most 2 dumps per admin upload; Django itself reads at most 3 files per request."""
    settings.DUMP_MAX_FILES_PER_UPLOAD = 2
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 6])
def test_admin_refuses_too_many_files(admin_client, settings, few_files, count):
    """One file over the limit or beyond what Django reads of a request: the form says the
    limit (the upload is read up to the file after the limit, config.middleware)."""
    response = admin_client.post(UPLOAD, {"files": digests(count)})

    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [MSG_TOO_MANY_FILES.format(limit=2)]
    assert_refused_and_nothing_written(settings)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("count", "message"),
    [(2, MSG_ONE_FILE.format(count=2)), (6, MSG_REQUEST_LIMITS[TooManyFilesSent])],
)
def test_api_takes_one_file_per_request(staff_api, settings, few_files, count, message):
    response = staff_api.post(LIST_URL, {"file": digests(count)}, format="multipart")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == message
    assert_refused_and_nothing_written(settings)


@pytest.mark.django_db
def test_api_answers_a_request_with_too_many_fields_in_its_error_shape(staff_api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"field{n}": "x" for n in range(10)}

    response = staff_api.post(LIST_URL, {"file": digests(1)[0], **fields}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == MSG_REQUEST_LIMITS[TooManyFieldsSent]
    assert_refused_and_nothing_written(settings)


# --- hostile text inside a good dump ----------------------------------------------------------


def json_item(title="A Plain Title", *, published="2024-08-22T08:00:00Z", item=None, **paper):
    return {
        "paper": {"title": title, "summary": "An abstract.", **paper},
        "publishedAt": published,
        **(item or {}),
    }


def stored(paper: Paper) -> dict:
    entry = paper.digest_entries.get()
    return {
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": paper.authors,
        "arxiv_id": paper.arxiv_id,
        "upvotes": paper.upvotes,
        "published_on": paper.published_on,
        "metadata": entry.metadata,
        "ai_keywords": paper.ai_keywords,
        "github_repo": paper.github_repo,
        "source_submitted_by": paper.source_submitted_by,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (json_item("A \x00NUL\x07 title"), {"title": "A NUL title"}),
        (json_item("A lone \ud800 surrogate"), {"title": "A lone \ufffd surrogate"}),
        (json_item(summary="An \x00abstract\x1b[0m."), {"abstract": "An abstract[0m."}),
        (json_item(authors=[{"name": "Ada\x00 Lovelace"}]), {"authors": ["Ada Lovelace"]}),
        (
            json_item(ai_keywords=["graphs\x00", "\udfff"], githubRepo="https://x.io/\x00r"),
            {
                "metadata": {"ai_keywords": ["graphs", "\ufffd"], "githubRepo": "https://x.io/r"},
                "ai_keywords": ["graphs", "\ufffd"],
                "github_repo": "https://x.io/r",
            },
        ),
        (
            json_item(item={"submittedBy": {"user": "a\x00k\ud800"}}),
            {"source_submitted_by": "ak\ufffd"},
        ),
        (json_item(upvotes=-5), {"upvotes": None}),
        (json_item(upvotes=10**12), {"upvotes": None}),
        (json_item(upvotes=2**31 - 1), {"upvotes": None}),  # beyond limits.MAX_SOURCE_COUNT
        (json_item(upvotes=MAX_SOURCE_COUNT), {"upvotes": MAX_SOURCE_COUNT}),
        (json_item(publishedAt="0001-01-01T00:00:00+01:00"), {"published_on": None}),
        (json_item(id="a" * 80 + "/9901001"), {"arxiv_id": None}),
        (json_item(item={"numComments": 10**30}), {"metadata": {}}),
    ],
)
def test_text_a_database_cannot_store_is_cleaned_not_a_failure(ingest, item, expected):
    """PostgreSQL refuses NUL in text, no database takes a lone surrogate, and integer columns
    end at 2**31 - 1: one such value must not cost the whole dump."""
    content = json.dumps([item, json_item("Another Paper")]).encode()

    dump = ingest(content, name="odd.json")

    assert (dump.status, dump.error) == (DumpStatus.DONE, "")
    assert dump.stats["new_papers"] == 2
    paper = Paper.objects.exclude(title="Another Paper").get()
    assert {key: stored(paper)[key] for key in expected} == expected


@pytest.mark.django_db
def test_json_titles_beyond_the_column_are_skipped_with_a_warning(ingest):
    too_long = "Word " * 250
    longest_key = "\ufdfa" * 900  # 900 characters whose normalized key is 16,200 letters long
    items = [json_item(too_long), json_item(longest_key), json_item("Another Paper")]

    dump = ingest(json.dumps(items, indent=1).encode(), name="long.json")

    assert dump.status == DumpStatus.DONE
    assert dump.warnings == [
        {"line": 2, "message": W_JSON_TITLE_TOO_LONG.format(line=2, limit=1000)}
    ]
    assert sorted(len(t) for t in Paper.objects.values_list("title_key", flat=True)) == [
        len("anotherpaper"),
        1000,
    ]


@pytest.mark.django_db
def test_a_nul_past_the_sniffed_start_of_a_text_dump_is_dropped(ingest):
    """The first 64 KB decide "binary"; a NUL further on is only a stray character."""
    padding = b"".join(
        b"A Title Number %d\n\nIts abstract, long enough to be one.\n\n" % n for n in range(2000)
    )
    content = b"Aug 22\n\n" + padding + b"The \x00Last\x01 Title\n\nIts \x00abstract.\n"

    dump = ingest(content, name="nul.txt")

    assert dump.status == DumpStatus.DONE
    last = Paper.objects.get(title="The Last Title")
    assert last.abstract == "Its abstract."
