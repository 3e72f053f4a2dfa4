"""The moderation queue: narrowed to where papers came from (page and API alike), with what a
moderator decides on (authors, abstract, arXiv and code links, submitter, digest days)."""

import datetime

import pytest
from django.urls import reverse

from curation.services.workflow import MSG_TRANSITION_REFUSED
from papers.models import PaperStatus
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    DumpFactory,
    ModeratorFactory,
    PaperFactory,
    UserFactory,
)
from tests.frontend.conftest import CHROMIUM
from tests.frontend.test_browser import expect, log_in, page, screenshot  # noqa: F401

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 5, 2)
OTHER_DAY = datetime.date(2024, 5, 3)


@pytest.fixture
def queue():
    member = UserFactory(username="submitter")
    dump = DumpFactory(original_name="may-2.txt")
    other_dump = DumpFactory(original_name="may-3.txt")
    pending = {"status": PaperStatus.PENDING, "first_digest_on": None}
    submitted = PaperFactory(
        title="Submitted paper", submitted_by=member, arxiv_id="2405.00001", **pending
    )
    dumped = PaperFactory(
        title="Dumped paper",
        authors=["Ada Lovelace", "Alan Turing"],
        abstract="Engines.",
        github_repo="https://github.com/ada/engines",
        **pending,
    )
    other = PaperFactory(title="Other day paper", **pending)
    DigestEntryFactory(digest=DigestFactory(date=DAY), paper=dumped, dump=dump)
    DigestEntryFactory(digest=DigestFactory(date=OTHER_DAY), paper=other, dump=other_dump)
    PaperFactory(title="Published paper")
    return {"submitted": submitted, "dumped": dumped, "other": other, "dump": dump}


def _titles(response) -> list[str]:
    return [p.title for p in response.context["pending"]]


@pytest.mark.parametrize(
    ("params", "expected", "count"),
    [
        ({}, ["Submitted paper", "Dumped paper", "Other day paper"], 3),
        ({"source": "submissions"}, ["Submitted paper"], 1),
        ({"source": "dumps"}, ["Dumped paper", "Other day paper"], 2),
        ({"date": DAY.isoformat()}, ["Dumped paper"], 1),
        ({"source": "submissions", "date": DAY.isoformat()}, [], 0),
        # Unknown values are ignored on the page (the API refuses them).
        ({"source": "elsewhere", "dump": "x", "date": "yesterday"}, None, 3),
    ],
)
def test_the_page_narrows_the_queue_and_its_count(client, queue, params, expected, count):
    client.force_login(ModeratorFactory())
    response = client.get(reverse("moderation-queue"), params)
    assert response.status_code == 200
    if expected is not None:
        assert _titles(response) == expected
    assert response.context["pending_count"] == count
    assert f"({count})" in response.content.decode()


def test_the_page_narrows_to_one_dump_and_says_when_none_is_left(client, queue):
    client.force_login(ModeratorFactory())
    response = client.get(reverse("moderation-queue"), {"dump": queue["dump"].pk})
    assert _titles(response) == ["Dumped paper"]
    body = response.content.decode()
    assert "may-2.txt" in body and "Show all" in body
    response = client.get(reverse("moderation-queue"), {"source": "submissions", "date": DAY})
    assert "No pending paper came from there." in response.content.decode()


def test_each_item_shows_what_a_moderator_decides_on(client, queue):
    client.force_login(ModeratorFactory())
    body = client.get(reverse("moderation-queue")).content.decode()
    assert "Submitted by submitter" in body
    assert 'href="https://arxiv.org/abs/2405.00001"' in body
    assert '<a href="https://github.com/ada/engines" rel="noopener noreferrer">Code</a>' in body
    assert "Ada Lovelace, Alan Turing" in body
    assert "<summary>Abstract</summary><p>Engines.</p>" in body
    assert f'listed on <a href="/?date={DAY}">{DAY}</a>' in body


def test_the_api_narrows_the_queue_alike(client, queue):
    client.force_login(ModeratorFactory())
    url = "/api/moderation/queue/"
    data = client.get(url, {"source": "dumps", "date": DAY.isoformat()}).json()
    assert data["papers"]["count"] == 1
    (paper,) = data["papers"]["results"]
    assert paper["title"] == "Dumped paper"
    assert paper["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert paper["listed_on"] == [DAY.isoformat()]
    assert client.get(url, {"dump": queue["dump"].pk}).json()["papers"]["count"] == 1
    refused = client.get(url, {"source": "elsewhere"})
    assert refused.status_code == 400
    assert "source" in refused.json()["error"]["fields"]


# --- In the browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")
def test_a_moderator_pages_past_a_hundred_narrows_and_bulk_publishes(
    page,  # noqa: F811
    transactional_db,
):
    from papers.models import Paper

    member = UserFactory(username="submitter")
    pending = {"status": PaperStatus.PENDING, "first_digest_on": None}
    dump = DumpFactory(original_name="big-day.txt")
    digest = DigestFactory(date=DAY)
    for i in range(80):
        paper = PaperFactory(title=f"Dumped {i:03}", **pending)
        DigestEntryFactory(digest=digest, paper=paper, dump=dump, position=i + 1)
    for i in range(50):
        PaperFactory(title=f"Submitted {i:03}", submitted_by=member, **pending)
    moderator = ModeratorFactory(username="mod-queue")
    log_in(page, moderator.username)

    page.goto("/moderation/")
    expect()(page.locator("[data-pending-count]")).to_have_text("(130)")
    items = page.locator("[data-queue-paper]")
    expect()(items).to_have_count(25)
    for shown in (50, 75, 100, 125, 130):
        page.get_by_role("link", name="Load more").click()
        expect()(items).to_have_count(shown)
    expect()(page.get_by_role("link", name="Load more")).to_have_count(0)

    # Only members' submissions: 50 wait; select all shown, publish exactly those.
    page.get_by_label("From", exact=True).select_option("submissions")
    page.get_by_role("button", name="Show").click()
    expect()(page.locator("[data-pending-count]")).to_have_text("(50)")
    expect()(items).to_have_count(25)
    page.get_by_label("Select all shown").check()
    expect()(page.locator("[data-selected-count]")).to_have_text("25 selected")
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    page.get_by_role("button", name="Publish selected").click()
    expect()(page.locator("[data-pending-count]")).to_have_text("(25)", timeout=60_000)
    assert [url.split("/api/")[1] for url in posts] == ["papers/transition/"]  # one request
    expect()(page.locator("[data-selected-count]")).to_have_text("0 selected")
    # The page emptied: the next one came in its place, none of it selected.
    expect()(items).to_have_count(25)
    published = Paper.objects.filter(status=PaperStatus.PUBLISHED)
    assert published.count() == 25
    assert all(p.submitted_by_id == member.pk for p in published)
    page.reload()
    expect()(page.locator("[data-pending-count]")).to_have_text("(25)")

    # One digest day, with what each item shows; at a phone's width too.
    page.goto(f"/moderation/?date={DAY.isoformat()}")
    expect()(page.locator("[data-pending-count]")).to_have_text("(80)")
    first = items.first
    expect()(first).to_contain_text(f"listed on {DAY.isoformat()}")
    first.get_by_text("Abstract").click()
    expect()(first.locator("details.abstract p")).to_be_visible()
    screenshot(page, "moderation-queue-filtered")
    assert page.console_errors == []


def test_a_dump_id_beyond_any_row_is_a_400_not_a_crash(client):
    client.force_login(ModeratorFactory())
    response = client.get("/api/moderation/queue/", {"dump": "1239739060891987214336"})
    assert response.status_code == 400
    assert "dump" in response.json()["error"]["fields"]
    web = client.get(reverse("moderation-queue"), {"dump": "1239739060891987214336"})
    assert web.status_code == 200


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")
def test_select_all_follows_each_box_and_the_count_stays_true_after_a_bulk_publish(
    page,  # noqa: F811
    transactional_db,
):
    from curation.services import paper_transition
    from papers.models import Paper

    member = UserFactory(username="submitter")
    pending = {"status": PaperStatus.PENDING, "first_digest_on": None}
    for i in range(30):
        PaperFactory(title=f"Submitted {i:03}", submitted_by=member, **pending)
    PaperFactory(title="Dumped", **pending)
    moderator = ModeratorFactory(username="mod-bulk")
    log_in(page, moderator.username)

    page.goto("/moderation/?source=submissions")
    counter = page.locator("[data-pending-count]")
    expect()(counter).to_have_text("(30)")
    select_all = page.get_by_label("Select all shown")
    select_all.check()
    expect()(page.locator("[data-selected-count]")).to_have_text("25 selected")
    # One box unticked: the select-all box says "some", not "all".
    page.locator("[data-queue-paper] [data-select]").nth(3).uncheck()
    expect()(page.locator("[data-selected-count]")).to_have_text("24 selected")
    assert select_all.evaluate("box => [box.checked, box.indeterminate]") == [False, True]
    page.locator("[data-queue-paper] [data-select]").nth(3).check()
    assert select_all.evaluate("box => [box.checked, box.indeterminate]") == [True, False]
    # A page more comes in unticked: no longer all of those shown.
    page.get_by_role("link", name="Load more").click()
    expect()(page.locator("[data-queue-paper]")).to_have_count(30)
    assert select_all.evaluate("box => [box.checked, box.indeterminate]") == [False, True]
    expect()(page.locator("[data-selected-count]")).to_have_text("25 selected")

    # Another moderator publishes one of the selected meanwhile: it is refused here (the
    # others still move), and the count is what waits, not the page's own arithmetic.
    taken = Paper.objects.get(title="Submitted 000")
    paper_transition(paper=taken, moderator=ModeratorFactory(), to_state="published")
    writes = []
    page.on(
        "request",
        lambda request: request.method != "GET" and writes.append((request.method, request.url)),
    )
    page.get_by_role("button", name="Publish selected").click()
    expect()(page.locator("[data-selected-count]")).to_have_text("1 selected", timeout=60_000)
    expect()(counter).to_have_text("(5)")
    assert writes == [("POST", page.url.split("/moderation/")[0] + "/api/papers/transition/")]
    refused = page.locator(f'[data-queue-paper="{taken.pk}"]')
    expect()(refused.locator("[data-error-for=paper]")).to_have_text(
        MSG_TRANSITION_REFUSED.format(from_state="published", to_state="published")
    )
    expect()(refused.locator("[data-publish]")).to_be_enabled()
    expect()(page.locator("[data-error-for=bulk]")).to_have_text(
        "1 could not be published; each says why."
    )
    expect()(page.locator("[data-queue-paper]")).to_have_count(6)
    assert Paper.objects.filter(status=PaperStatus.PENDING, submitted_by=member).count() == 5
