"""Fixtures of the web front end's tests: a small published world and its people, and the
browser of the browser tests (one for the session: Playwright's sync API runs one at a time
in a thread)."""

import datetime
import os
from pathlib import Path

import pytest

from tests.factories import (
    CommentFactory,
    DigestEntryFactory,
    DigestFactory,
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    StaffUserFactory,
    TagFactory,
    UserFactory,
)

HOSTILE = "<script>alert(1)</script>"
CHROMIUM = Path("/usr/bin/chromium")
# The marks of a test that drives the browser.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium; "
        ".ci/browser installs it)",
    ),
]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DAY = datetime.date(2024, 8, 22)


@pytest.fixture
def world(db):
    """Two published papers on one digest day (one with a hostile title), a pending paper,
    a tag, a comment."""
    from papers.models import PaperStatus

    digest = DigestFactory(date=DAY)
    tag = TagFactory(name="Vision", slug="vision")
    good = PaperFactory(title="Attention Is Enough", abstract="We study attention. " * 30)
    hostile = PaperFactory(title=f"Hostile {HOSTILE}", abstract=f"Abstract {HOSTILE}")
    pending = PaperFactory(title="Waiting Paper", status=PaperStatus.PENDING, first_digest_on=None)
    for position, paper in enumerate([good, hostile], start=1):
        DigestEntryFactory(digest=digest, paper=paper, position=position)
    PaperTagFactory(paper=good, tag=tag)
    comment = CommentFactory(paper=good, body="Nice", body_html="<p>Nice</p>")
    return {
        "good": good,
        "hostile": hostile,
        "pending": pending,
        "tag": tag,
        "comment": comment,
        "digest": digest,
    }


@pytest.fixture
def people(db):
    return {
        "member": UserFactory(username="reader"),
        "moderator": ModeratorFactory(username="mod"),
        "admin": StaffUserFactory(username="boss"),
    }


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls are
    # still plain synchronous code, which Django would otherwise refuse while it exists.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
