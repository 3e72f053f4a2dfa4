"""The ingest_digest and demo_admin management commands."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from config.generations import generation_bump
from papers.listing_version import LISTINGS_GENERATION
from papers.management.commands import demo_admin, ingest_digest
from papers.models import Digest, Dump, DumpStatus, Paper, PaperStatus
from papers.parsing.errors import MSG_EMPTY, MSG_HTML
from papers.services.changes import PAPERS_GENERATION, _send_changed_tasks
from papers.services.search_index import enqueue_refresh

AUG22 = "digest-aug22-plain.txt: 1 digest day(s), 51 entries, 51 new papers, 0 existing papers, 0 warnings"  # noqa: E501
# 11 of the Nov 13 papers were already on the Aug 22 page.
NOV13_AFTER_AUG22 = "digest-nov13-with-meta.txt: 1 digest day(s), 62 entries, 51 new papers, 11 existing papers, 0 warnings"  # noqa: E501
CUT_OFF = (
    "Daily Papers\n\nAug 22\n\nTitle One\n\n"
    "Abstract one is here, and it is long enough to be an abstract.\n\nTitle Two\n"
)
CUT_OFF_WARNING = (
    'line 9: The paper "Title Two" at line 9 has no abstract, so it was kept with an empty one.'  # noqa: E501
)


def run(*args) -> tuple[int, list[str]]:
    """Run the command; (exit status, stdout lines)."""
    out = io.StringIO()
    try:
        call_command("ingest_digest", *map(str, args), stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


@pytest.mark.django_db
def test_sync_ingests_in_this_process(fixture_path):
    status, lines = run(
        fixture_path("digest-aug22-plain.txt"),
        fixture_path("digest-nov13-with-meta.txt"),
        "--sync",
    )

    assert status == 0
    assert lines == [AUG22, NOV13_AFTER_AUG22]
    assert list(Dump.objects.values_list("status", flat=True)) == [DumpStatus.DONE] * 2
    assert Dump.objects.filter(uploaded_by=None, attempts=1).count() == 2  # ingested once
    assert Paper.objects.filter(status=PaperStatus.PENDING).count() == 102


@pytest.mark.django_db
def test_sync_does_not_enqueue(fixture_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        status, _ = run(fixture_path("digest-aug22-plain.txt"), "--sync")

    assert status == 0
    # Only the search index is refreshed, and the apps above papers told of the new papers
    # and the lists' shared version moved on, after the commit (papers.services.changes);
    # the dump is not queued again.
    told = (enqueue_refresh, _send_changed_tasks)
    bumps = [c for c in callbacks if getattr(c, "func", None) is generation_bump]
    assert {c.args for c in bumps} == {(LISTINGS_GENERATION,), (PAPERS_GENERATION,)}
    assert [c for c in callbacks if c not in told and c not in bumps] == []


@pytest.mark.django_db(transaction=True)
def test_enqueue_mode_waits_for_the_task(fixture_path):
    """Embedded mode runs the task in-process once the dump is committed."""
    status, lines = run(fixture_path("digest-aug22-plain.txt"), "--publish")

    assert status == 0
    assert lines == [AUG22]
    dump = Dump.objects.get()
    assert (dump.status, dump.attempts) == (DumpStatus.DONE, 1)
    assert Paper.objects.filter(status=PaperStatus.PUBLISHED).count() == 51


@pytest.mark.django_db
def test_enqueued_dump_not_finished_in_time_is_a_failure(fixture_path):
    # Inside the test's transaction the task never runs: the dump stays queued.
    status, lines = run(
        fixture_path("digest-aug22-plain.txt"), "--timeout", "0", "--poll-interval", "0"
    )

    dump = Dump.objects.get()
    assert status == 1
    assert lines == [
        "digest-aug22-plain.txt: failed: "
        + ingest_digest.MSG_TIMED_OUT.format(status="queued", timeout="0", id=dump.pk)
    ]


@pytest.mark.django_db
def test_publish_makes_papers_published(fixture_path):
    status, _ = run(fixture_path("digest-aug22-plain.txt"), "--sync", "--publish")

    assert status == 0
    assert Paper.objects.count() == 51
    assert not Paper.objects.exclude(status=PaperStatus.PUBLISHED).exists()


@pytest.mark.django_db
def test_date_is_passed_on(fixture_path):
    status, _ = run(fixture_path("digest-aug22-plain.txt"), "--sync", "--date", "2023-08-22")

    assert status == 0
    dump = Dump.objects.get()
    assert dump.digest_date == datetime.date(2023, 8, 22)
    assert list(Digest.objects.values_list("date", flat=True)) == [datetime.date(2023, 8, 22)]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["22/08/2024", "2024-13-01", "20240822", "tomorrow"])
def test_bad_date_is_a_clear_error(fixture_path, value):
    with pytest.raises(CommandError) as error:
        call_command("ingest_digest", str(fixture_path("digest-aug22-plain.txt")), date=value)

    assert str(error.value) == ingest_digest.MSG_BAD_DATE.format(value=value)
    assert not Dump.objects.exists()


@pytest.mark.django_db
def test_missing_path_fails_and_the_others_go_on(fixture_path, tmp_path):
    missing = tmp_path / "nope.txt"

    status, lines = run(missing, tmp_path, fixture_path("digest-aug22-plain.txt"), "--sync")

    assert status == 1
    assert lines == [
        f"nope.txt: failed: there is no file at {missing}.",
        f"{tmp_path.name}: failed: {tmp_path} is a directory, not a file.",
        AUG22,
    ]
    assert Dump.objects.count() == 1


@pytest.mark.django_db
def test_files_that_are_not_digests_fail_with_the_parsers_sentence(fixture_path, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html><body><p>Daily Papers</p></body></html>")

    status, lines = run(empty, page, "--sync")

    assert status == 1
    assert lines == [f"empty.txt: failed: {MSG_EMPTY}", f"page.html: failed: {MSG_HTML}"]
    assert not Paper.objects.exists()
    assert list(Dump.objects.values_list("status", flat=True)) == [DumpStatus.FAILED] * 2


@pytest.mark.django_db
def test_duplicate_is_skipped_and_not_a_failure(fixture_path):
    run(fixture_path("digest-aug22-plain.txt"), "--sync")
    first = Dump.objects.get()

    status, lines = run(fixture_path("digest-aug22-plain.txt"), "--sync")

    assert status == 0
    assert lines == [f"digest-aug22-plain.txt: duplicate of dump #{first.pk}, skipped"]
    assert Dump.objects.count() == 1


@pytest.mark.django_db
def test_too_large_file_fails(fixture_path, settings):
    settings.DUMP_MAX_UPLOAD_BYTES = 1000

    status, lines = run(fixture_path("digest-aug22-plain.txt"), "--sync")

    assert status == 1
    assert lines == [
        "digest-aug22-plain.txt: failed: The file is 84.8 KB but uploads are limited to 1000 bytes."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("verbosity", "warning_lines"), [("1", []), ("2", [f"  {CUT_OFF_WARNING}"])]
)
def test_warnings_are_listed_at_verbosity_2(tmp_path, verbosity, warning_lines):
    cut = tmp_path / "cut.txt"
    cut.write_text(CUT_OFF)

    status, lines = run(cut, "--sync", "--verbosity", verbosity)

    assert status == 0
    assert lines == [
        "cut.txt: 1 digest day(s), 2 entries, 2 new papers, 0 existing papers, 1 warnings",
        *warning_lines,
    ]


@pytest.mark.django_db
def test_demo_admin_is_idempotent(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    out = io.StringIO()

    call_command("demo_admin", stdout=out)
    call_command("demo_admin", stdout=out)

    user = get_user_model().objects.get()
    assert (user.username, user.is_staff, user.is_superuser) == ("admin", True, True)
    assert user.check_password(demo_admin.DEFAULT_PASSWORD)
    assert (
        out.getvalue().splitlines()
        == ["Demo admin: http://127.0.0.1:8000/admin/ user admin, password paperboard-demo"] * 2
    )


@pytest.mark.django_db
def test_demo_admin_resets_the_password(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "from-the-env")
    call_command("demo_admin", stdout=io.StringIO())
    user = get_user_model().objects.get()
    assert user.check_password("from-the-env")

    call_command("demo_admin", password="from-the-option", stdout=io.StringIO())

    user.refresh_from_db()
    assert user.check_password("from-the-option")
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_demo_admin_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("demo_admin", stdout=io.StringIO())

    assert not get_user_model().objects.exists()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_progress_bar_only_on_a_terminal(fixture_path):
    terminal = FakeTerminal()

    call_command(
        "ingest_digest", str(fixture_path("digest-aug22-plain.txt")), "--sync", stdout=terminal
    )

    output = terminal.getvalue()
    assert "file/s]" in output  # the bar was drawn...
    assert f"\r{AUG22}\n" in output  # ...and the summary line printed above it
