"""End-to-end flows of the web pages in Debian's Chromium, driven by Playwright, against a live
server. Marked `browser`: `.ci/browser` (or `make test-browser`) runs them; without
/usr/bin/chromium they are skipped.

Screenshots of the main pages at desktop and phone width go to artifacts/screenshots/.
"""

import datetime
import re
from pathlib import Path

import pytest

from tests.factories import (
    DEFAULT_PASSWORD,
    CommentFactory,
    DigestEntryFactory,
    DigestFactory,
    ModeratorFactory,
    PaperFactory,
    StaffUserFactory,
    TagFactory,
    UserFactory,
)
from tests.frontend.conftest import BROWSER_MARKS, HOSTILE

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TIMEOUT_MS = 15_000

pytestmark = BROWSER_MARKS


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A page of a fresh browser context on the live server. After the test, it fails if the
    page threw, logged a console error, or had a request fail or answer 4xx/5xx, unless the
    test expected it: `page.expect_refusal(status, path_part)` for each refusal it provokes
    (the console's "Failed to load resource" line of that answer included)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.dialogs = []  # every dialog the page opened; none is expected unless a test says so

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", on_dialog)
    page.console_errors = []
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    # The console's error lines, such as a resource that failed to load (a 404).
    page.console_messages = []
    page.on("console", lambda msg: msg.type == "error" and page.console_messages.append(msg.text))
    page.bad_responses = []  # (status, url) of every 4xx/5xx answer
    page.failed_requests = []  # (url, why) of requests that got no answer
    page.expected_refusals = []  # (status, path part) the test provokes on purpose

    def on_response(response):
        if response.status >= 400:
            page.bad_responses.append((response.status, response.url))

    def on_failed(request):
        failure = request.failure or ""
        # A fetch cut short by the page moving on (a navigation) is not a failure.
        if "ERR_ABORTED" not in failure:
            page.failed_requests.append((request.url, failure))

    page.in_flight = set()
    page.on("request", lambda request: page.in_flight.add(request))
    page.on("requestfinished", lambda request: page.in_flight.discard(request))
    page.on("requestfailed", lambda request: page.in_flight.discard(request))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.expect_refusal = lambda status, part: page.expected_refusals.append((status, part))
    yield page
    # Requests the page still has in flight (a list refreshed after an upload, a count read
    # back) end before the test database is emptied under the live server.
    for _ in range(50):
        if not page.in_flight:
            break
        page.wait_for_timeout(100)
    context.close()
    unexpected = [
        (status, url)
        for status, url in page.bad_responses
        if not any(status == s and part in url for s, part in page.expected_refusals)
    ]
    load_lines = [m for m in page.console_messages if m.startswith("Failed to load resource")]
    other_lines = [m for m in page.console_messages if m not in load_lines]
    assert page.console_errors == [], page.console_errors
    assert other_lines == [], other_lines
    assert unexpected == [], unexpected
    assert len(load_lines) <= len(page.bad_responses) - len(unexpected), load_lines
    assert page.failed_requests == [], page.failed_requests


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


def log_in(page, username, password=DEFAULT_PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def papers(transactional_db):
    today = datetime.date.today()
    older = DigestFactory(date=today - datetime.timedelta(days=20))
    recent = DigestFactory(date=today - datetime.timedelta(days=2))
    old_hit = PaperFactory(
        title="Old Famous Paper", vote_count=50, first_digest_on=older.date, abstract="Old. " * 80
    )
    fresh = PaperFactory(
        title="Fresh Transformer Results",
        vote_count=3,
        first_digest_on=recent.date,
        abstract="Transformers again. " * 30,
    )
    other = PaperFactory(title="Quiet Graph Study", vote_count=1, first_digest_on=recent.date)
    DigestEntryFactory(digest=older, paper=old_hit, position=1)
    DigestEntryFactory(digest=recent, paper=fresh, position=1)
    DigestEntryFactory(digest=recent, paper=other, position=2)
    TagFactory(name="Vision", slug="vision")
    return {"old": old_hit, "fresh": fresh, "other": other}


def test_anonymous_reader_browses_opens_switches_to_top_week_and_searches(page, papers):
    page.goto("/")
    expect()(page.get_by_role("link", name="Fresh Transformer Results")).to_be_visible()
    screenshot(page, "feed")
    page.get_by_role("link", name="Fresh Transformer Results").click()
    expect()(page.get_by_role("heading", level=1)).to_have_text("Fresh Transformer Results")
    expect()(page.locator(".abstract-full")).to_contain_text("Transformers again.")
    screenshot(page, "paper")

    page.goto("/")
    page.get_by_role("link", name="Top", exact=True).click()
    page.get_by_role("link", name="Week", exact=True).click()
    expect()(page).to_have_url(re.compile(r"order=top&period=week"))
    titles = page.locator(".paper-title").all_inner_texts()
    # The old paper has more votes but its digest day is outside the week.
    assert titles == ["Fresh Transformer Results", "Quiet Graph Study"]

    page.get_by_role("link", name="Daily").click()
    expect()(page.locator(".day-nav h2")).to_contain_text("Digest of")
    page.locator(".day-nav a[rel=prev]").click()
    expect()(page.get_by_role("link", name="Old Famous Paper")).to_be_visible()

    page.get_by_label("Search papers").fill("graph")
    page.get_by_label("Search papers").press("Enter")
    expect()(page.get_by_role("heading", level=1)).to_contain_text("graph")
    assert page.locator(".paper-title").all_inner_texts() == ["Quiet Graph Study"]
    screenshot(page, "search")
    assert page.console_errors == []


def test_load_more_follows_the_cursor(page, transactional_db):
    day = DigestFactory(date=datetime.date.today())
    for i in range(23):
        paper = PaperFactory(title=f"Numbered Paper {i:02d}", first_digest_on=day.date)
        DigestEntryFactory(digest=day, paper=paper, position=i + 1)
    page.goto("/?order=new")
    expect()(page.locator(".paper")).to_have_count(20)
    page.get_by_role("link", name="Load more").click()
    expect()(page.locator(".paper")).to_have_count(23)
    expect()(page.get_by_text("That is all.")).to_be_visible()


def test_member_signs_up_votes_tags_comments_replies_edits_and_flags(page, papers):
    other = UserFactory(username="someone-else")
    CommentFactory(paper=papers["fresh"], author=other, body="First!", body_html="<p>First!</p>")
    later = CommentFactory(
        paper=papers["fresh"], author=other, body="Second!", body_html="<p>Second!</p>"
    )

    page.goto("/signup/")
    screenshot(page, "signup")
    page.get_by_label("Username").fill("newreader")
    page.get_by_label("E-mail").fill("newreader@example.com")
    page.get_by_label("Password").fill("a-long-unusual-passphrase-42")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(re.compile(r".*/$"))
    expect()(page.get_by_role("link", name="newreader")).to_be_visible()

    card = page.locator(".paper", has_text="Fresh Transformer Results")
    vote = card.locator("button.vote")
    expect()(vote.locator(".vote-count")).to_have_text("3")
    vote.click()
    expect()(vote.locator(".vote-count")).to_have_text("4")
    expect()(vote).to_have_attribute("aria-pressed", "true")
    page.reload()
    card = page.locator(".paper", has_text="Fresh Transformer Results")
    expect()(card.locator(".vote-count")).to_have_text("4")
    expect()(card.locator("button.vote")).to_have_attribute("aria-pressed", "true")

    card.get_by_role("link", name="Fresh Transformer Results").click()
    page.get_by_label("Add a tag").select_option("vision")
    page.get_by_role("button", name="Add", exact=True).click()
    expect()(page.locator("[data-tag-list]")).to_contain_text("Vision")

    page.get_by_label("Your comment (Markdown)").fill("A *fine* paper.")
    page.get_by_role("button", name="Post comment").click()
    mine = page.locator("article.comment", has_text="A fine paper.")
    expect()(mine.locator("em")).to_have_text("fine")

    mine.get_by_role("button", name="Reply").click()
    page.get_by_label("Your reply (Markdown)").fill("Replying to myself.")
    page.get_by_role("button", name="Post reply").click()
    expect()(page.locator(".replies article.comment")).to_have_text(
        re.compile("Replying to myself.")
    )
    reply = page.locator(".replies article.comment").first

    reply.get_by_role("button", name="Edit").click()
    page.get_by_label("Edit your comment (Markdown)").fill("Replying, edited.")
    page.get_by_role("button", name="Save").click()
    expect()(reply.locator("[data-body]")).to_have_text("Replying, edited.")
    expect()(reply.locator("[data-edited]")).to_be_visible()

    theirs = page.locator("article.comment", has_text="First!")
    theirs.get_by_role("button", name="Flag").click()
    theirs.get_by_label("Why?").select_option("spam")
    theirs.get_by_role("button", name="Send flag").click()
    expect()(theirs.get_by_text("the moderators will look at it")).to_be_visible()
    expect()(theirs.locator("[data-flagged]")).to_have_text("Flagged by you")

    # Loaded again, the comment shows as flagged, with no second Flag button.
    page.reload()
    theirs = page.locator("article.comment", has_text="First!")
    expect()(theirs.locator("[data-flagged]")).to_be_visible()
    expect()(theirs.get_by_role("button", name="Flag")).to_have_count(0)

    # A refusal from the API is shown next to what failed: flagging a comment twice (the
    # first time elsewhere, after this page was loaded).
    from django.contrib.auth import get_user_model

    from curation.services import comment_flag

    reader = get_user_model().objects.get(username="newreader")
    comment_flag(comment=later, user=reader, reason="spam")
    second = page.locator("article.comment", has_text="Second!")
    page.expect_refusal(409, "/flag/")
    second.get_by_role("button", name="Flag").click()
    second.get_by_role("button", name="Send flag").click()
    expect()(second.locator("[data-error-for=flag]")).to_have_text(
        "You flagged this comment already."
    )
    screenshot(page, "paper-member")

    page.goto("/me/")
    expect()(page.get_by_role("link", name="Fresh Transformer Results", exact=True)).to_be_visible()
    page.get_by_role("button", name="Create a token").click()
    expect()(page.get_by_label("Your new token (copy it now)")).to_have_value(re.compile(r"^pb_"))
    screenshot(page, "me")
    page.get_by_role("button", name="Revoke my token").click()
    expect()(page.locator("[data-token-summary]")).to_have_text("You have no token.")
    assert page.console_errors == []


def test_moderator_publishes_with_the_keyboard_and_hides_a_flagged_comment(page, papers):
    from curation.services import comment_create, comment_flag
    from papers.models import PaperStatus

    moderator = ModeratorFactory(username="mod")
    member = UserFactory(username="flagger")
    PaperFactory(title="Pending Paper One", status=PaperStatus.PENDING, first_digest_on=None)
    PaperFactory(title="Pending Paper Two", status=PaperStatus.PENDING, first_digest_on=None)
    rude = comment_create(
        user=UserFactory(username="rude"), paper=papers["fresh"], body="Rude words"
    )
    comment_flag(comment=rude, user=member, reason="abuse")

    log_in(page, moderator.username)
    page.goto("/moderation/")
    screenshot(page, "moderation-queue")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect()(page.locator(".queue-item.current")).to_contain_text("Pending Paper Two")
    page.keyboard.press("p")
    expect()(page.get_by_role("status")).to_have_text("Published “Pending Paper Two”.")
    expect()(page.locator("[data-queue-paper]")).to_have_count(1)

    flagged = page.locator("[data-queue-comment]")
    flagged.get_by_label("Reason").fill("Personal attack")
    flagged.get_by_role("button", name="Hide").click()
    expect()(flagged).to_contain_text("Hidden.")

    page.goto("/?order=new")
    expect()(page.get_by_role("link", name="Pending Paper Two")).to_be_visible()

    page.goto("/moderation/log/")
    expect()(page.locator("table.log")).to_contain_text("Personal attack")
    expect()(page.locator("table.log")).to_contain_text("Pending Paper Two")
    page.get_by_label("Action").select_option("hide")
    page.get_by_role("button", name="Filter").click()
    expect()(page.locator("table.log tbody tr")).to_have_count(1)
    screenshot(page, "moderation-log")
    assert page.console_errors == []


def test_moderator_rejects_with_r_and_a_reason(page, papers):
    from papers.models import Paper, PaperStatus

    moderator = ModeratorFactory(username="mod2")
    paper = PaperFactory(title="Spam Paper", status=PaperStatus.PENDING, first_digest_on=None)
    log_in(page, moderator.username)
    page.goto("/moderation/")
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect()(page.get_by_label("Reason to reject “Spam Paper”")).to_be_focused()
    page.keyboard.type("Not a paper")
    page.keyboard.press("Enter")
    expect()(page.get_by_role("status")).to_have_text("Rejected “Spam Paper”.")
    paper.refresh_from_db()
    assert paper.status == PaperStatus.REJECTED
    assert Paper.objects.get(pk=paper.pk).status == "rejected"


def test_admin_uploads_two_dumps_at_once_and_a_bad_file(page, transactional_db):
    admin = StaffUserFactory(username="boss")
    log_in(page, admin.username)
    page.goto("/uploads/")
    page.get_by_label("Drop digest files here, or choose them").set_input_files(
        [FIXTURES / "digest-aug22-plain.txt", FIXTURES / "digest-nov13-with-meta.txt"]
    )
    page.get_by_label("Publish the new papers they bring").check()
    page.get_by_role("button", name="Upload").click()
    uploads = page.locator("li.upload")
    expect()(uploads).to_have_count(2)
    for item in (uploads.nth(0), uploads.nth(1)):
        expect()(item.locator(".upload-status")).not_to_have_text(re.compile("Uploading"))
        assert item.locator(".upload-status").inner_text() == "Done", item.inner_text()
        expect()(item.locator("progress")).to_have_attribute("value", "100")
        expect()(item.locator("dl.stats")).to_contain_text("new papers")
    screenshot(page, "uploads")

    page.get_by_label("Drop digest files here, or choose them").set_input_files(
        [FIXTURES / "not-a-digest.html"]
    )
    page.get_by_role("button", name="Upload").click()
    bad = page.locator("li.upload")
    expect()(bad.locator(".upload-status")).to_have_text("Failed")
    expect()(bad.locator(".error")).to_contain_text("not a digest")

    # A file ingested already: the API refuses it as a duplicate, and says so.
    page.expect_refusal(409, "/api/dumps/")
    page.get_by_label("Drop digest files here, or choose them").set_input_files(
        [FIXTURES / "digest-aug22-plain.txt"]
    )
    page.get_by_role("button", name="Upload").click()
    expect()(page.locator("li.upload .error")).to_contain_text("already uploaded")

    page.reload()
    expect()(page.locator("table.dumps tbody tr")).to_have_count(3)
    page.goto("/")
    expect()(page.locator(".paper").first).to_be_visible()
    assert page.console_errors == []


def test_hostile_title_and_comment_render_as_text(page, transactional_db):
    from curation.services import comment_create

    author = UserFactory(username="attacker")
    day = DigestFactory(date=datetime.date.today())
    paper = PaperFactory(
        title=f"Evil {HOSTILE}",
        first_digest_on=day.date,
        abstract=f"<img src=x onerror=alert(2)> {HOSTILE}",
    )
    DigestEntryFactory(digest=day, paper=paper, position=1)
    comment_create(
        user=author,
        paper=paper,
        body=f"{HOSTILE} <img src=x onerror=alert(3)> [x](javascript:alert(4))",
    )
    page.goto("/")
    expect()(page.locator(".paper-title")).to_have_text(f"Evil {HOSTILE}")
    page.get_by_role("link", name=f"Evil {HOSTILE}").click()
    expect()(page.get_by_role("heading", level=1)).to_have_text(f"Evil {HOSTILE}")
    expect()(page.locator("article.comment")).to_be_visible()
    assert page.locator("article.comment a[href^='javascript']").count() == 0
    assert page.locator("article.comment script").count() == 0
    assert page.locator("[onerror]").count() == 0
    page.wait_for_timeout(300)
    assert page.dialogs == []


def test_screenshots_of_the_other_pages(page, papers):
    admin = StaffUserFactory(username="shooter")
    page.goto("/accounts/login/")
    screenshot(page, "login")
    page.goto("/tags/vision/")
    screenshot(page, "tag")
    log_in(page, admin.username)
    page.goto("/?view=day")
    screenshot(page, "feed-day-admin")
    page.emulate_media(color_scheme="dark")
    page.goto(f"/papers/{papers['fresh'].pk}/")
    screenshot(page, "paper-dark")
    page.emulate_media(color_scheme="light")
    page.goto("/accounts/password_change/")
    screenshot(page, "password-change")
    page.goto("/moderation/log/")
    screenshot(page, "moderation-log-admin")
    page.expect_refusal(404, "/papers/999999/")
    page.goto("/papers/999999/")
    screenshot(page, "not-found")
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    screenshot(page, "api-docs")
    page.context.clear_cookies()
    page.goto("/accounts/password_reset/")
    screenshot(page, "password-reset")


# The pages no flow above passes through, each at both widths: those of an account (password
# changed, the reset's steps), a digest's unsubscribe link, and the refusals (403, 400).
# `make test-browser` leaves a screenshot of every page.
ACCOUNT_AND_REFUSAL_PAGES = [
    "password-change-done",
    "password-reset-done",
    "password-reset-confirm",
    "password-reset-complete",
    "unsubscribe",
    "unsubscribe-done",
    "forbidden",
    "bad-request",
]


def test_screenshots_of_the_account_and_refusal_pages(page, transactional_db):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from notifications.services.delivery import unsubscribe_token

    member = UserFactory(username="pages")
    for name in ACCOUNT_AND_REFUSAL_PAGES:
        (SCREENSHOTS / f"{name}-1280.png").unlink(missing_ok=True)
    log_in(page, member.username)
    page.expect_refusal(403, "/moderation/")
    page.goto("/moderation/")
    expect()(page.locator("h1")).to_be_visible()
    screenshot(page, "forbidden")
    page.expect_refusal(400, "cursor=")
    page.goto("/?cursor=not-a-cursor")
    expect()(page.locator("main")).to_contain_text("start again from the first page")
    screenshot(page, "bad-request")
    page.goto("/accounts/password_change/done/")
    screenshot(page, "password-change-done")
    page.goto(f"/inbox/unsubscribe/{unsubscribe_token(member=member)}/")
    screenshot(page, "unsubscribe")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    screenshot(page, "unsubscribe-done")
    page.get_by_role("button", name="Log out").click()  # back to the feed (LOGOUT_REDIRECT_URL)
    page.wait_for_url(re.compile(r".*/$"))
    page.goto("/accounts/password_reset/done/")
    screenshot(page, "password-reset-done")
    member.refresh_from_db()  # the token holds the last log-in, the one above
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    page.goto(f"/accounts/reset/{uid}/{default_token_generator.make_token(member)}/")
    expect()(page.get_by_label("New password", exact=True)).to_be_visible()
    screenshot(page, "password-reset-confirm")
    page.goto("/accounts/reset/done/")
    screenshot(page, "password-reset-complete")
    for name in ACCOUNT_AND_REFUSAL_PAGES:
        for width in (1280, 375):
            assert (SCREENSHOTS / f"{name}-{width}.png").exists(), name
