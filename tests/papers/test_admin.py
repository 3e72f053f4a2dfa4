"""The admin of the papers app: read-only dumps, and the upload view."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from papers.admin import MSG_TOO_MANY_FILES, MSG_UPLOAD_REFUSED, MSG_UPLOADED
from papers.models import Dump, DumpStatus, PaperStatus
from papers.services.dumps import MSG_DUPLICATE, MSG_TOO_LARGE
from tests.factories import DigestEntryFactory, DigestFactory, DumpFactory, PaperFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:papers_dump_changelist")
UPLOAD = reverse("admin:papers_dump_upload")


def sample(fixture_path, name):
    return SimpleUploadedFile(name, fixture_path(name).read_bytes(), content_type="text/plain")


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_dump_changelist_shows_progress_stats_and_upload_button(admin_client):
    dump = DumpFactory(original_name="digest-aug22.txt")
    failed = DumpFactory(status=DumpStatus.FAILED, error="The file is empty.", stats={})

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{UPLOAD}"' in html
    assert "Upload dumps" in html
    assert "digest-aug22.txt" in html
    assert '<td class="field-progress">3/3</td>' in html
    assert '<td class="field-stat_new">2</td>' in html
    assert "The file is empty." in html
    assert reverse("admin:papers_dump_change", args=[failed.pk]) in html
    assert reverse("admin:papers_dump_change", args=[dump.pk]) in html


def test_dump_change_page_is_read_only_and_shows_warnings(admin_client):
    dump = DumpFactory(
        warnings=[
            {"line": 12, "message": 'The paper "A <b>bold</b> title" has no abstract.'},
            {"line": 40, "message": "Another warning."},
        ],
        warning_count=3,
    )

    response = admin_client.get(reverse("admin:papers_dump_change", args=[dump.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "line 12: The paper &quot;A &lt;b&gt;bold&lt;/b&gt; title&quot; has no abstract." in html
    assert "line 40: Another warning." in html
    assert "… and 1 more" in html
    assert "new_papers: 2" in html
    assert 'name="_save"' not in html  # nothing to save: every field is read-only


def test_dump_add_page_is_not_offered(admin_client):
    assert admin_client.get(reverse("admin:papers_dump_add")).status_code == 403


def test_upload_page_renders(admin_client):
    response = admin_client.get(UPLOAD)

    assert response.status_code == 200
    assert b'type="file" name="files" multiple' in response.content
    assert b'enctype="multipart/form-data"' in response.content


def test_upload_two_files_at_once(
    admin_client, admin_user, fixture_path, django_capture_on_commit_callbacks
):
    files = [
        sample(fixture_path, "digest-aug22-plain.txt"),
        sample(fixture_path, "digest-nov13-with-meta.txt"),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(UPLOAD, {"files": files, "publish": "on"})

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    dumps = list(Dump.objects.order_by("pk"))
    assert [d.original_name for d in dumps] == [
        "digest-aug22-plain.txt",
        "digest-nov13-with-meta.txt",
    ]
    assert all(d.uploaded_by == admin_user and d.publish for d in dumps)
    assert [d.status for d in dumps] == [DumpStatus.DONE, DumpStatus.DONE]
    assert message_texts(response) == [
        f'<a href="{reverse("admin:papers_dump_change", args=[d.pk])}">'
        + MSG_UPLOADED.format(name=d.original_name, id=d.pk, status="Queued")
        + "</a>"
        for d in dumps
    ]


def test_upload_with_a_date(admin_client, tmp_path):
    file = SimpleUploadedFile(
        "cut.txt", b"Aug 22\n\nTitle One\n\nAbstract one is long enough to be an abstract.\n"
    )

    admin_client.post(UPLOAD, {"files": [file], "digest_date": "2023-08-22"})

    assert Dump.objects.get().digest_date == datetime.date(2023, 8, 22)


def test_too_large_file_is_an_error_message(admin_client, fixture_path, settings):
    settings.DUMP_MAX_UPLOAD_BYTES = 1000
    file = sample(fixture_path, "digest-aug22-plain.txt")

    response = admin_client.post(UPLOAD, {"files": [file]})

    assert response.status_code == 302
    assert message_texts(response) == [
        MSG_UPLOAD_REFUSED.format(
            name="digest-aug22-plain.txt",
            message=MSG_TOO_LARGE.format(size="84.8 KB", limit="1000 bytes"),
        )
    ]
    assert not Dump.objects.exists()


def test_duplicate_is_an_error_message_and_the_other_file_goes_on(admin_client, fixture_path):
    earlier = DumpFactory(content=fixture_path("digest-aug22-plain.txt").read_bytes())
    files = [
        sample(fixture_path, "digest-aug22-plain.txt"),
        sample(fixture_path, "digest-nov13-with-meta.txt"),
    ]

    response = admin_client.post(UPLOAD, {"files": files})

    texts = message_texts(response)
    assert texts[0] == MSG_UPLOAD_REFUSED.format(
        name="digest-aug22-plain.txt",
        message=MSG_DUPLICATE.format(
            id=earlier.pk,
            name=earlier.original_name,
            date=earlier.uploaded_at.date().isoformat(),
        ),
    )
    assert "digest-nov13-with-meta.txt: uploaded as dump" in texts[1]
    assert Dump.objects.count() == 2


def test_too_many_files_are_refused(admin_client, settings):
    settings.DUMP_MAX_FILES_PER_UPLOAD = 1
    files = [SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b.txt", b"b")]

    response = admin_client.post(UPLOAD, {"files": files})

    assert response.status_code == 200
    assert MSG_TOO_MANY_FILES.format(limit=1) in response.content.decode()
    assert not Dump.objects.exists()


def test_no_file_is_a_form_error(admin_client):
    response = admin_client.post(UPLOAD, {"publish": "on"})

    assert response.status_code == 200
    assert response.context["form"].errors["files"] == ["Choose at least one file to upload."]


def test_upload_needs_staff(client, member):
    client.force_login(member)

    response = client.get(UPLOAD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_paper_and_digest_admin_pages_render(admin_client):
    paper = PaperFactory(title="Attention Is All You Need", status=PaperStatus.PENDING)
    digest = DigestFactory(date=datetime.date(2024, 8, 22))
    DigestEntryFactory(digest=digest, paper=paper)
    DigestEntryFactory(digest=digest)
    dump = DumpFactory(original_name="aug.txt")
    digest.dumps.add(dump)

    papers = admin_client.get(
        reverse("admin:papers_paper_changelist"), {"q": "attention", "status__exact": "pending"}
    )
    digests = admin_client.get(reverse("admin:papers_digest_changelist"))
    entries = admin_client.get(reverse("admin:papers_digestentry_changelist"))

    assert papers.status_code == digests.status_code == entries.status_code == 200
    assert list(papers.context["cl"].result_list) == [paper]
    assert '<td class="field-entry_count">2</td>' in digests.content.decode()
    assert f"#{dump.pk} aug.txt" in digests.content.decode()
    for name in ("paper", "digest", "digestentry"):
        obj = {"paper": paper, "digest": digest, "digestentry": paper.digest_entries.get()}[name]
        page = admin_client.get(reverse(f"admin:papers_{name}_change", args=[obj.pk]))
        assert page.status_code == 200


def test_more_files_than_django_reads_get_the_limits_sentence(admin_user, settings):
    """25 files from a browser whose CSRF token is checked: beyond DATA_UPLOAD_MAX_NUMBER_FILES,
    Django gave up on the body in the CSRF check (a bare 400); the form now says the limit."""
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES < 25
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    client.get(UPLOAD)
    files = [SimpleUploadedFile(f"d{i}.txt", b"x") for i in range(25)]

    response = client.post(
        UPLOAD, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, "files": files}
    )

    assert response.status_code == 200
    limit = settings.DUMP_MAX_FILES_PER_UPLOAD
    assert response.context["form"].errors["files"] == [MSG_TOO_MANY_FILES.format(limit=limit)]
    assert MSG_TOO_MANY_FILES.format(limit=limit) in response.content.decode()
    assert not Dump.objects.exists()
