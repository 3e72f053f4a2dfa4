"""A corpus of XSS payloads through every place the site shows text, in a real browser.

Each payload would call `__xss(n)` if it ever ran (a function the browser context defines
before any page script, which records the call and logs it). The payloads go into paper
titles, abstracts and authors, comment bodies (posted through the service, so Markdown
renders), tag names and descriptions, user names (commenters, submitters, flaggers, the
moderator, the admin), flag notes, moderation reasons, log labels, dump names and errors,
and a file name and an ingestion warning on the uploads page. Then every page that shows
them is visited as the reader who sees them (feed, digest day, tag page, search, paper page,
my page, submitting a paper, moderation queue, log and tag vocabulary, uploads, my lists
and a list's page with its notes and the "Add to list" dialog), including
what the ES modules build after "load more", a vote, a tag added or removed, a comment edited
or posted, a moderation step.

The browser context bypasses the Content-Security-Policy, so escaping alone must hold (the
policy, a second wall, is tested in test_pages.py). After each page: no `__xss` call, no
dialog, no element or attribute a payload would have brought in (event handlers, inline or
foreign scripts, iframes, images, svg, javascript:/data: links), and the text shows
literally where it belongs.

The RSS and Atom feeds are no browser pages; test_feeds_escape_hostile_text checks their
escaping with the test client.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.utils.html import escape

from curation.models import Comment, ModerationEvent, Tag
from curation.services import (
    comment_create,
    comment_flag,
    comment_hide,
    paper_submit,
    paper_transition,
    vote_cast,
)
from curation.services.events import moderation_event_record
from papers.models import Paper, PaperStatus
from papers.services.search_index import search_index_refresh
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    DumpFactory,
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    StaffUserFactory,
    TagFactory,
    UserFactory,
)
from tests.frontend.conftest import BROWSER_MARKS

PAYLOADS = [
    "<script>__xss(1)</script>",
    "<img src=x onerror=__xss(2)>",
    "<svg onload=__xss(3)>",
    '"><script>__xss(4)</script>',
    '" autofocus onfocus="__xss(5)',
    "' autofocus onfocus='__xss(6)",
    "</textarea><script>__xss(7)</script>",
    "</template><img src=x onerror=__xss(8)>",
    '<iframe srcdoc="<script>parent.__xss(9)</script>">',
    "${__xss(10)}",
    "{{constructor.constructor('__xss(11)')()}}",
    "[link](javascript:__xss(12))",
    "<javascript:__xss(13)>",
    "[d](data:text/html,<script>__xss(14)</script>)",
    '![i](x" onerror="__xss(15))',
    "\\u003cimg src=x onerror=__xss(16)\\u003e",
    "&lt;img src=x onerror=__xss(17)&gt;",
    "<details open ontoggle=__xss(18)>",
    "</title></script><script>__xss(19)</script>",
    '<a href="jav&#x09;ascript:__xss(20)">x</a>',
    "＜script＞__xss(21)＜/script＞",
    "<svg><animate onbegin=__xss(22) attributeName=x dur=1s>",
]
# Payloads that Markdown leaves as they are typed (the others are Markdown syntax: links,
# entities), so a comment made of one shows it literally.
MARKDOWN_LITERAL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 17, 18, 20, 21]
MOD_NAME = "<b>mod</b><img src=x onerror=__xss(90)>"
ADMIN_NAME = "\"admin'><svg onload=__xss(91)>"
SHOWCASE = " ".join(PAYLOADS)  # one paper's title: every payload on the paper page at once
DAY = datetime.date.today() - datetime.timedelta(days=1)
TIMEOUT_MS = 15_000


def in_the_browser(test):
    """The marks of a browser test (the feeds' test of this module needs no browser)."""
    for mark in BROWSER_MARKS:
        test = mark(test)
    return test


# Defined in every frame before any of its scripts: what a payload would call.
RECORDER = """
window.__xss_hits = [];
window.__xss = function (n) {
  try { window.top.__xss_hits.push(n); } catch (e) { window.__xss_hits.push(n); }
  console.log("__xss " + n);
};
"""

# Whatever a payload would have brought into the DOM had it been parsed as markup.
AUDIT = """
() => {
  const found = [];
  const scheme = /^\\s*(javascript|data|vbscript):/i;
  const foreign = ["iframe", "frame", "object", "embed", "svg", "img", "math", "style", "base"];
  for (const el of document.querySelectorAll("*")) {
    if (foreign.includes(el.localName)) found.push(`<${el.localName}>`);
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) found.push(`${el.localName}[${attr.name}]`);
      if (attr.name === "srcdoc") found.push(`${el.localName}[srcdoc]`);
      if (["href", "src", "action", "formaction", "xlink:href"].includes(attr.name)
          && scheme.test(attr.value)) found.push(`${el.localName}[${attr.name}=${attr.value}]`);
    }
  }
  for (const script of document.scripts) {
    const url = script.src ? new URL(script.src) : null;
    if (!url || url.origin !== location.origin || !url.pathname.startsWith("/static/")) {
      found.push(`script ${script.src || script.textContent.slice(0, 40)}`);
    }
  }
  if (window.frames.length) found.push(`${window.frames.length} frames`);
  return found;
}
"""


# --- The world: hostile text everywhere ---------------------------------------------------


def build_hostile_world() -> dict:
    """Every place of text filled with payloads, through the services where they exist."""
    users = [UserFactory(username=payload) for payload in PAYLOADS]
    moderator = ModeratorFactory(username=MOD_NAME)
    admin = StaffUserFactory(username=ADMIN_NAME)
    digest = DigestFactory(date=DAY)

    showcase = PaperFactory(
        title=SHOWCASE,
        abstract=" ".join(PAYLOADS),
        authors=list(PAYLOADS),
        first_digest_on=DAY,
        submitted_by=users[0],
    )
    DigestEntryFactory(digest=digest, paper=showcase, position=1)
    tags = [
        TagFactory(name=payload, slug=f"hostile-{i}", description=f"About {payload}")
        for i, payload in enumerate(PAYLOADS)
    ]
    firsts, seconds = [], []
    for i, payload in enumerate(PAYLOADS):
        padding = " Padding to make the abstract long." * 10 if i % 2 == 0 else ""
        first = PaperFactory(
            title=payload, abstract=f"Hostile abstract {i}: {payload}{padding}", first_digest_on=DAY
        )
        second = PaperFactory(
            title=f"Second {payload}",
            abstract=f"Hostile second abstract {i}: {payload}",
            first_digest_on=DAY,
        )
        DigestEntryFactory(digest=digest, paper=first, position=2 + 2 * i)
        DigestEntryFactory(digest=digest, paper=second, position=3 + 2 * i)
        PaperTagFactory(paper=first, tag=tags[i], added_by=users[i])
        PaperTagFactory(paper=second, tag=tags[0], added_by=users[i])  # tag 0: a long page
        PaperTagFactory(paper=showcase, tag=tags[i], added_by=users[i])
        firsts.append(first)
        seconds.append(second)

    # Comments: the first member's holds every payload; each other member writes one.
    comments = [comment_create(user=users[0], paper=showcase, body="\n\n".join(PAYLOADS))]
    for i in range(1, len(PAYLOADS)):
        comments.append(
            comment_create(user=users[i], paper=showcase, body=f"Comment {i}: {PAYLOADS[i]}")
        )
    comment_create(user=users[3], paper=showcase, body=PAYLOADS[0], parent=comments[1])
    for i, comment in enumerate(comments):
        flagger = users[(i + 1) % len(users)]
        comment_flag(comment=comment, user=flagger, reason="other", note=PAYLOADS[i])
    comment_hide(comment=comments[2], moderator=moderator, reason=f"Hidden: {PAYLOADS[3]}")

    pending = [
        paper_submit(user=users[i], title=f"Pending {payload}", abstract=payload)
        for i, payload in enumerate(PAYLOADS)
    ]
    paper_transition(paper=seconds[-1], moderator=moderator, to_state="hidden", reason=PAYLOADS[4])
    # More than a page of the log (50), so its "load more" runs too.
    for i in range(60):
        target = firsts[i % len(firsts)]
        moderation_event_record(
            moderator=moderator,
            action="hide",
            target_kind="paper" if i % 2 else "comment",
            target_id=target.pk if i % 2 else comments[0].pk,
            target_label=PAYLOADS[i % len(PAYLOADS)],
            reason=PAYLOADS[(i + 5) % len(PAYLOADS)],
        )
    for paper in firsts[:5]:
        vote_cast(user=users[0], paper=paper)
    for i in range(3):
        DumpFactory(
            original_name=f"{PAYLOADS[i]}.txt",
            status="failed",
            error=PAYLOADS[i + 3],
            uploaded_by=admin,
        )
    search_index_refresh()
    return {
        "users": users,
        "moderator": moderator,
        "admin": admin,
        "showcase": showcase,
        "comments": comments,
        "pending": pending,
        "tags": tags,
    }


@pytest.fixture
def hostile(transactional_db):
    return build_hostile_world()


# --- The browser ----------------------------------------------------------------------------


@pytest.fixture
def open_page(browser, live_server):
    """A page for `user` (None: anonymous), signed in with a session cookie, recording every
    payload call, dialog and page error. `browser`: the session's, tests/frontend/conftest.py."""
    contexts = []

    def _open(user=None):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(RECORDER)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
            )
        page = context.new_page()
        page.xss_logs = []
        page.dialogs = []
        page.errors = []
        page.on("console", lambda m: page.xss_logs.append(m.text) if "__xss" in m.text else None)
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))

        def on_dialog(dialog):
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page

    yield _open
    for context in contexts:
        context.close()


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


def assert_nothing_ran(page) -> None:
    """After the page settles: no payload ran, and none left markup behind."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # late events: a failed image, a focus, an animation
    assert page.evaluate("window.__xss_hits") == [], page.url
    assert page.xss_logs == [], page.url
    assert page.dialogs == [], page.url
    assert page.evaluate(AUDIT) == [], page.url
    assert page.errors == [], page.url


def visit(page, url: str | None, *, more: str | None = None) -> None:
    """Open `url` (None: stay), press its "load more" button until the list is whole, and
    check that nothing ran, before any check of what the page shows."""
    if url is not None:
        page.goto(url)
    if more is not None:
        load_all(page, more)
    assert_nothing_ran(page)


def body_text(page) -> str:
    return page.evaluate("document.body.textContent")


def load_all(page, button: str = "a[data-load-more]") -> None:
    """Press "load more" until the list is whole."""
    for _ in range(10):
        more = page.locator(button)
        if not more.count():
            return
        before = page.locator(".paper, table.log tbody tr").count()
        more.click()
        expect()(page.locator(".paper, table.log tbody tr")).not_to_have_count(before)
    raise AssertionError("the list never ended")


def published_titles(**filters) -> set[str]:
    papers = Paper.objects.filter(status=PaperStatus.PUBLISHED, **filters)
    return set(papers.values_list("title", flat=True))


def titles_shown(page) -> list[str]:
    return page.locator(".paper-title").all_text_contents()


# --- Reader -------------------------------------------------------------------------------


@in_the_browser
def test_a_reader_sees_every_payload_as_text(open_page, hostile):
    page = open_page()

    # The feed, and the cards "load more" builds in the browser.
    page.goto("/?order=new")
    assert len(titles_shown(page)) == 20
    visit(page, None, more="a[data-load-more]")
    assert sorted(titles_shown(page)) == sorted(published_titles())
    text = body_text(page)
    for i, payload in enumerate(PAYLOADS):
        assert f"Hostile abstract {i}: {payload}" in text
    chips = set(page.locator(".paper .tags .chip").all_text_contents())
    assert chips == set(PAYLOADS)
    filters = page.locator(".tag-chips .chip").all_text_contents()
    assert all(any(f.startswith(p + " ") for f in filters) for p in PAYLOADS)

    # One digest day, in the digest's order.
    visit(page, f"/?date={DAY.isoformat()}", more="a[data-load-more]")
    assert sorted(titles_shown(page)) == sorted(published_titles(first_digest_on=DAY))

    # A tag whose name and description are payloads, with more than a page of papers.
    tag = hostile["tags"][0]
    visit(page, f"/tags/{tag.slug}/", more="a[data-load-more]")
    expect()(page.get_by_role("heading", level=1)).to_have_text(f"Tag: {tag.name}")
    assert page.title() == f"{tag.name} · Paperboard"
    assert tag.description in body_text(page)
    assert sorted(titles_shown(page)) == sorted(published_titles(paper_tags__tag=tag))

    # Search results (numbered pages behind "load more"), and a query that is a payload.
    visit(page, "/search/?q=Hostile", more="a[data-load-more]")
    assert len(titles_shown(page)) == len(published_titles(abstract__contains="Hostile"))
    query = f"{PAYLOADS[3]} {PAYLOADS[5]} {PAYLOADS[18]}"
    visit(page, f"/search/?q={quote(query)}")
    assert page.locator("#q").input_value() == query
    assert page.locator("#site-search").input_value() == query
    expect()(page.get_by_role("heading", level=1)).to_have_text(f"Results for “{query}”")
    assert page.title() == f"“{query}” · Search · Paperboard"

    # The paper page: every payload in its title, abstract, authors, tags and comments.
    showcase = hostile["showcase"]
    visit(page, f"/papers/{showcase.pk}/")
    expect()(page.get_by_role("heading", level=1)).to_have_text(SHOWCASE)
    assert page.title() == f"{SHOWCASE} · Paperboard"
    expect()(page.locator(".abstract-full")).to_have_text(showcase.abstract)
    expect()(page.locator(".authors")).to_have_text(", ".join(PAYLOADS))
    assert set(page.locator("[data-tag-list] .chip").all_text_contents()) == set(PAYLOADS)
    authors = page.locator("article.comment .author").all_text_contents()
    hidden_author = PAYLOADS[2]
    assert set(authors) == set(PAYLOADS) - {hidden_author}
    first = page.locator(f"#c{hostile['comments'][0].pk} [data-body]").text_content()
    for i in MARKDOWN_LITERAL:
        assert PAYLOADS[i] in first

    # The public moderation log, and the rows "load more" adds.
    visit(page, "/moderation/log/", more="a[data-load-more]")
    assert page.locator("table.log tbody tr").count() == ModerationEvent.objects.count()
    reasons = set(page.locator("table.log tbody tr td:nth-child(6)").all_text_contents())
    assert reasons >= set(PAYLOADS)
    moderators = set(page.locator("table.log tbody tr td:nth-child(2)").all_text_contents())
    assert moderators == {MOD_NAME}


# --- Member -------------------------------------------------------------------------------


@in_the_browser
def test_a_member_edits_posts_tags_and_votes_without_running_anything(open_page, hostile):
    member = hostile["users"][0]
    showcase = hostile["showcase"]
    extra = TagFactory(name="<img src=x onerror=__xss(30)> extra", slug="extra")
    page = open_page(member)

    page.goto(f"/papers/{showcase.pk}/")
    site = page.get_by_role("navigation", name="Site")
    expect()(site.get_by_role("link", name=member.username, exact=True)).to_be_visible()
    mine = page.locator(f"#c{hostile['comments'][0].pk}")
    # Editing starts from the Markdown kept in a <template>: a payload cannot close it.
    mine.get_by_role("button", name="Edit").click()
    field = page.get_by_label("Edit your comment (Markdown)")
    assert field.input_value() == hostile["comments"][0].body
    edited = f"{PAYLOADS[6]}\n\n{PAYLOADS[7]}\n\n{PAYLOADS[1]}"
    field.fill(edited)
    page.get_by_role("button", name="Save").click()
    expect()(mine.locator("[data-edited]")).to_be_visible()
    for payload in (PAYLOADS[6], PAYLOADS[7], PAYLOADS[1]):
        expect()(mine.locator("[data-body]")).to_contain_text(payload)
    assert Comment.objects.get(pk=hostile["comments"][0].pk).body == edited
    assert_nothing_ran(page)

    # A tag added and taken off again: its name goes through the API into the page.
    page.get_by_label("Add a tag").select_option("extra")
    page.get_by_role("button", name="Add", exact=True).click()
    expect()(page.locator("[data-tag='extra'] .chip")).to_have_text(extra.name)
    expect()(page.get_by_role("status")).to_have_text(f"Tagged “{extra.name}”.")
    page.get_by_role("button", name=f"Remove tag {extra.name}").click()
    expect()(page.get_by_role("status")).to_have_text(f"Removed the tag “{extra.name}”.")
    expect()(page.locator("#add-tag option[value='extra']")).to_have_text(extra.name)
    assert_nothing_ran(page)

    # A new comment made of payloads, posted through the page (the page reloads at it).
    body = " ".join(PAYLOADS[:4] + PAYLOADS[11:15])
    page.get_by_label("Your comment (Markdown)").fill(body)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url("**#c*")
    posted = Comment.objects.filter(author=member).latest("id")
    expect()(page.locator(f"#c{posted.pk} [data-body]")).to_contain_text(PAYLOADS[0])
    assert_nothing_ran(page)

    # Votes on the feed cards (server-rendered and built by "load more").
    page.goto("/?order=new")
    load_all(page)
    card = page.locator(".paper").last
    label = card.locator("button.vote").get_attribute("aria-label")
    assert label == f"Upvote “{card.locator('.paper-title').text_content()}”"
    card.locator("button.vote").click()
    expect()(card.locator("button.vote")).to_have_attribute("aria-pressed", "true")
    assert_nothing_ran(page)

    # My page: my name, the titles I voted for, my comments.
    page.goto("/me/")
    expect()(page.get_by_role("heading", level=1)).to_have_text(member.username)
    votes = page.locator("section[aria-labelledby=votes-h] li a").all_text_contents()
    assert set(votes) >= {PAYLOADS[i] for i in range(5)}
    assert f"On “{SHOWCASE}”" in body_text(page)
    assert_nothing_ran(page)


# --- Moderator ----------------------------------------------------------------------------


@in_the_browser
def test_a_moderator_works_the_queue_and_reads_hidden_text_without_running_anything(
    open_page, hostile
):
    page = open_page(hostile["moderator"])
    pending = sorted(hostile["pending"], key=lambda p: (p.created_at, p.pk))

    page.goto("/moderation/")
    items = page.locator("[data-queue-paper]")
    titles = [items.nth(i).get_attribute("data-title") for i in range(items.count())]
    assert titles == [p.title for p in pending]
    assert page.locator(".queue-title").all_text_contents() == titles
    text = body_text(page)
    for payload in PAYLOADS:
        assert f"Submitted by {payload}," in text
    notes = page.locator("[data-queue-comment] .flags li").all_text_contents()
    assert len(notes) == len(PAYLOADS) - 1  # the hidden comment's flag was resolved
    for note in notes:
        assert note.startswith("Other by ")
    assert {note.split(": ", 1)[1] for note in notes} == set(PAYLOADS) - {PAYLOADS[2]}

    # The keyboard: publish the first, reject the second with a hostile reason.
    page.keyboard.press("j")
    page.keyboard.press("p")
    expect()(page.get_by_role("status")).to_have_text(f"Published “{pending[0].title}”.")
    page.keyboard.press("r")
    page.keyboard.type(PAYLOADS[8])
    page.keyboard.press("Enter")
    expect()(page.get_by_role("status")).to_have_text(f"Rejected “{pending[1].title}”.")
    # A flagged comment hidden with a hostile reason.
    flagged = page.locator("[data-queue-comment]").first
    flagged.get_by_label("Reason").fill(PAYLOADS[0])
    flagged.get_by_role("button", name="Hide").click()
    expect()(flagged).to_contain_text("Hidden.")
    assert_nothing_ran(page)

    # The paper page as a moderator: hidden comments with their reasons, removable tags.
    showcase = hostile["showcase"]
    page.goto(f"/papers/{showcase.pk}/")
    states = page.locator("article.comment .state-hidden").all_text_contents()
    assert f"hidden: Hidden: {PAYLOADS[3]}" in states
    assert f"hidden: {PAYLOADS[0]}" in states
    removers = page.locator("[data-remove-tag]")
    labels = {removers.nth(i).get_attribute("aria-label") for i in range(removers.count())}
    assert labels == {f"Remove tag {payload}" for payload in PAYLOADS}
    assert_nothing_ran(page)

    # The log shows the reject's reason, newest first.
    page.goto("/moderation/log/")
    first_row = page.locator("table.log tbody tr").first
    expect()(first_row.locator("td").nth(5)).to_have_text(PAYLOADS[0])
    assert ModerationEvent.objects.filter(reason=PAYLOADS[8], action="reject").exists()
    assert_nothing_ran(page)


# --- The form pages: submitting a paper, the tag vocabulary -------------------------------


@in_the_browser
def test_the_form_pages_show_every_payload_as_text(open_page, hostile):
    member = hostile["users"][0]
    page = open_page(member)

    # My submissions: a pending paper whose title is a payload, and the showcase.
    visit(page, "/me/")
    mine = page.locator("[data-submissions] li a").all_text_contents()
    assert sorted(mine) == sorted([f"Pending {PAYLOADS[0]}", SHOWCASE])

    # A duplicate names the paper that is here (its title a payload), and a refusal keeps
    # what was typed (payloads) in its fields.
    page.goto("/submit/")
    page.get_by_label("Title").fill(PAYLOADS[1])
    page.get_by_role("button", name="Submit", exact=True).click()
    expect()(page.locator("#submit-found a")).to_have_text(PAYLOADS[1])
    assert_nothing_ran(page)
    page.get_by_label("arXiv id or address").fill(PAYLOADS[4])
    page.get_by_label("Title").fill(PAYLOADS[3])
    page.get_by_label("Abstract").fill(PAYLOADS[6])
    page.get_by_role("button", name="Submit", exact=True).click()
    expect()(page.locator("#submit-arxiv-error")).to_be_visible()
    assert page.get_by_label("arXiv id or address").input_value() == PAYLOADS[4]
    assert page.get_by_label("Title").input_value() == PAYLOADS[3]
    assert page.get_by_label("Abstract").input_value() == PAYLOADS[6]
    assert_nothing_ran(page)

    # The vocabulary: names and descriptions in the list, the selects, the forms' labels.
    page = open_page(hostile["moderator"])
    visit(page, "/moderation/tags/")
    tags = [Tag.objects.get(pk=tag.pk) for tag in hostile["tags"]]  # with their counts
    names = page.locator(".vocab-name").all_text_contents()
    assert sorted(names) == sorted(t.name for t in tags)
    text = body_text(page)
    for tag in tags:
        assert tag.description in text
    options = page.locator("#merge-source option").all_text_contents()[1:]
    assert sorted(options) == sorted(f"{t.name} ({t.paper_count})" for t in tags)
    renames = page.locator("form[aria-label^='Rename ']")
    labels = {renames.nth(i).get_attribute("aria-label") for i in range(renames.count())}
    assert labels == {f"Rename {t.name}" for t in tags}
    # A refused creation (a name that is here) keeps the typed payloads in the form.
    page.locator("#create-name").fill(tags[5].name)
    page.locator("#create-description").fill(PAYLOADS[6])
    page.get_by_role("button", name="Create the tag").click()
    expect()(page.locator("#create-error")).to_be_visible()
    assert page.locator("#create-name").input_value() == tags[5].name
    assert page.locator("#create-description").input_value() == PAYLOADS[6]
    assert_nothing_ran(page)
    # A refused rename reopens that tag's form with what was typed.
    row = page.locator(f"[data-tag-row={tags[7].slug}]")
    row.locator("summary").click()
    form = page.get_by_role("form", name=f"Rename {tags[7].name}")
    form.get_by_label("Name").fill(tags[8].name)
    form.get_by_role("button", name="Save").click()
    form = page.get_by_role("form", name=f"Rename {tags[7].name}")
    expect()(form.locator(".error")).to_be_visible()
    assert form.get_by_label("Name").input_value() == tags[8].name
    assert_nothing_ran(page)


# --- Admin --------------------------------------------------------------------------------


@in_the_browser
def test_an_admin_uploads_a_hostile_file_without_running_anything(open_page, hostile, tmp_path):
    page = open_page(hostile["admin"])
    name = "<img src=x onerror=__xss(40)>.txt"
    warned = "<svg onload=__xss(41)> A title with no abstract"
    dump = tmp_path / name
    dump.write_text(
        f"{DAY:%b} {DAY.day}\n\nA Harmless Title\n\n"
        "A harmless abstract that is long enough to be an abstract.\n\n"
        f"{warned}\n"
    )

    page.goto("/uploads/")
    rows = page.locator("table.dumps tbody tr")
    assert rows.count() == 3
    text = body_text(page)
    for i in range(3):
        assert f"{PAYLOADS[i]}.txt" in text
        assert PAYLOADS[i + 3] in text
    assert f"by {ADMIN_NAME}" in text
    assert_nothing_ran(page)

    page.get_by_label("Drop digest files here, or choose them").set_input_files(str(dump))
    page.get_by_role("button", name="Upload").click()
    upload = page.locator("li.upload")
    expect()(upload.locator(".upload-status")).to_have_text("Done")
    expect()(upload.locator("strong")).to_have_text(name)
    expect()(upload.locator("ul.warnings")).to_contain_text(warned)
    assert_nothing_ran(page)


# --- Feeds (no browser) -------------------------------------------------------------------


def test_feeds_escape_hostile_text(db):
    """RSS readers render titles and descriptions as HTML: there the text is escaped once
    more than XML needs; Atom says its title is text, and its summary is escaped HTML."""
    tag = TagFactory(name=PAYLOADS[1], slug="hostile")
    digest = DigestFactory(date=DAY)
    papers = []
    for i, payload in enumerate(PAYLOADS):
        paper = PaperFactory(title=payload, abstract=f"Abstract {payload}", first_digest_on=DAY)
        DigestEntryFactory(digest=digest, paper=paper, position=i + 1)
        PaperTagFactory(paper=paper, tag=tag)
        papers.append(paper)
    client = Client()
    atom = "{http://www.w3.org/2005/Atom}"

    for path in ("/feeds/rss/", f"/feeds/tags/{tag.slug}/rss/"):
        channel = ET.fromstring(client.get(path).content).find("channel")
        items = channel.findall("item")
        assert {item.findtext("title") for item in items} == {escape(p) for p in PAYLOADS}
        assert {item.findtext("description") for item in items} == {
            escape(f"Abstract {p}") for p in PAYLOADS
        }
        # A category is a plain-text field: the tag's name as it is.
        assert {c.text for item in items for c in item.findall("category")} <= {tag.name}

    tag_channel = ET.fromstring(client.get(f"/feeds/tags/{tag.slug}/rss/").content).find("channel")
    assert tag_channel.findtext("title") == escape(f"Paperboard: papers tagged {tag.name}")
    assert tag_channel.findtext("description") == escape(
        f"The newest published papers tagged {tag.name} on Paperboard."
    )

    for path in ("/feeds/atom/", f"/feeds/tags/{tag.slug}/atom/"):
        feed = ET.fromstring(client.get(path).content)
        entries = feed.findall(f"{atom}entry")
        assert {e.findtext(f"{atom}title") for e in entries} == set(PAYLOADS)
        assert {e.findtext(f"{atom}summary") for e in entries} == {
            escape(f"Abstract {p}") for p in PAYLOADS
        }
    tag_feed = ET.fromstring(client.get(f"/feeds/tags/{tag.slug}/atom/").content)
    assert tag_feed.findtext(f"{atom}title") == f"Paperboard: papers tagged {tag.name}"


# --- Lists and marks ----------------------------------------------------------------------


@in_the_browser
def test_lists_and_marks_show_every_payload_as_text(open_page, hostile):
    """A team list with a hostile name, a hostile editor and a note made of payloads; My lists,
    the list's page (a note edited from its <template>), the "Add to list" dialog of a paper's
    page (a hostile title, hostile list names) and the mark buttons."""
    from lists.models import ListItem
    from lists.services import list_create, list_editor_add, list_item_add

    owner, editor = hostile["users"][0], hostile["users"][1]
    showcase = hostile["showcase"]
    team = list_create(owner=owner, name=PAYLOADS[3], visibility="team")
    other = list_create(owner=owner, name=PAYLOADS[1])
    list_editor_add(paper_list=team, user=owner, username=editor.username)
    note = "\n\n".join(PAYLOADS)
    list_item_add(paper_list=team, user=editor, paper=showcase, note=note)
    page = open_page(owner)

    visit(page, "/lists/")
    assert page.locator(".list-name a").all_text_contents() == [other.name, team.name]
    visit(page, f"/lists/{team.pk}/")
    expect()(page.get_by_role("heading", level=1)).to_have_text(team.name)
    assert f"Added by {editor.username}" in body_text(page)
    assert f"Editors: {editor.username}." in body_text(page)

    # A note edited from the Markdown kept in a <template>: a payload cannot close it.
    item = page.locator("li.list-item").first
    item.get_by_role("button", name=re.compile("^Edit note")).click()
    field = item.get_by_label(re.compile("^Note on"))
    assert field.input_value() == note
    literal = "\n\n".join(PAYLOADS[i] for i in MARKDOWN_LITERAL)
    field.fill(literal)
    item.get_by_role("button", name="Save note").click()
    expect()(page.locator("#live-status")).to_have_text("The note was saved.")
    expect()(item.locator("[data-note]")).to_contain_text(PAYLOADS[0])
    assert ListItem.objects.get(paper=showcase).note == literal
    assert_nothing_ran(page)

    # "Add to list" on the paper's page: the dialog names the hostile paper and lists.
    page.goto(f"/papers/{showcase.pk}/")
    card = page.locator(".paper-actions")
    card.get_by_role("button", name=re.compile("^Add to list")).click()
    dialog = page.get_by_role("dialog")
    expect()(dialog.get_by_role("heading")).to_have_text(f"Add “{SHOWCASE}” to a list")
    expect()(dialog.locator("option:checked")).to_have_text(f"{other.name} (personal)")
    expect()(dialog.locator("option[disabled]")).to_have_text(f"{team.name} (team): on it already")
    dialog.get_by_label("Note").fill(PAYLOADS[6])
    dialog.get_by_role("button", name="Add").click()
    expect()(page.locator("#live-status")).to_have_text(f"Added to “{other.name}”.")
    card.get_by_role("button", name=re.compile("^Read")).click()
    expect()(card.get_by_role("button", name=re.compile("^Read"))).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_nothing_ran(page)
    visit(page, f"/lists/{other.pk}/")
    expect()(page.locator("li.list-item [data-note]")).to_contain_text(PAYLOADS[6])
