"""The paper page's "Cite" button in Debian's Chromium (Playwright, live server): it copies
the paper's BibTeX to the clipboard, by mouse and by keyboard, at desktop and phone width,
says so in the live region, and points to the BibTeX file when the clipboard is refused.
Marked `browser` like test_browser.py; screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import datetime

import pytest

from tests.curation.test_citations import parse_bibtex
from tests.factories import DigestEntryFactory, PaperFactory
from tests.frontend.conftest import BROWSER_MARKS, HOSTILE
from tests.frontend.test_browser import SCREENSHOTS, TIMEOUT_MS, expect

pytestmark = BROWSER_MARKS

TITLE = f"Braces {{BERT}} & 50% $x^2$ \\emph{{x}} Über 量子 {HOSTILE}"
AUTHORS = ["Ashish Vaswani", "Ludwig van Beethoven", "Qwen Team", "张伟"]
WIDTHS = [(1280, 900), (375, 812)]


def new_page(browser, live_server, *, refuse_clipboard: bool = False):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    if refuse_clipboard:
        # What a browser that refuses the page its clipboard answers.
        context.add_init_script(
            "navigator.clipboard.writeText = () => Promise.reject("
            "new DOMException('Write permission denied.', 'NotAllowedError'));"
        )
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))

    def on_console(message):
        # The browser's own request for /favicon.ico (the site has none) is not the page's.
        url = message.location.get("url", "")
        if message.type == "error" and not url.endswith("/favicon.ico"):
            page.console_errors.append(f"{message.text} ({url})")

    page.on("console", on_console)
    return context, page


@pytest.fixture
def paper(transactional_db):
    paper = PaperFactory(
        title=TITLE,
        authors=AUTHORS,
        arxiv_id="1706.03762",
        published_on=datetime.date(2017, 6, 12),
        abstract="We cite. " * 40,
    )
    DigestEntryFactory(paper=paper, digest__date=datetime.date(2024, 8, 22))
    return paper


def test_cite_copies_the_bibtex_by_mouse_and_keyboard_at_both_widths(browser, live_server, paper):
    context, page = new_page(browser, live_server)
    expected = page.request.get(f"/papers/{paper.pk}/cite.bib").text()
    try:
        for (width, height), use_keyboard in zip(WIDTHS, (False, True), strict=True):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"/papers/{paper.pk}/")
            page.evaluate("navigator.clipboard.writeText('')")
            button = page.get_by_role("button", name="Cite")
            expect()(button).to_be_visible()
            if use_keyboard:
                button.focus()
                page.keyboard.press("Enter")
            else:
                button.click()

            expect()(page.locator("#live-status")).to_have_text(
                "Copied the BibTeX citation to the clipboard."
            )
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied == expected
            [entry] = parse_bibtex(copied)
            assert entry["title"] == TITLE
            assert entry["eprint"] == "1706.03762"
            if use_keyboard:
                expect()(button).to_be_focused()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"paper-cite-{width}.png"), full_page=True)
        assert page.console_errors == []
    finally:
        context.close()


def test_a_refused_clipboard_points_to_the_bibtex_file(browser, live_server, paper):
    context, page = new_page(browser, live_server, refuse_clipboard=True)
    try:
        page.goto(f"/papers/{paper.pk}/")
        page.get_by_role("button", name="Cite").click()

        expect()(page.get_by_role("alert").filter(has_text="did not let")).to_have_text(
            "The browser did not let the page copy. Download the BibTeX file instead."
        )
        link = page.get_by_role("link", name="BibTeX", exact=True)
        expect()(link).to_be_visible()
        assert link.get_attribute("href") == f"/papers/{paper.pk}/cite.bib"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width, height in ((1280, 900), (375, 812)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(
                path=str(SCREENSHOTS / f"paper-cite-refused-{width}.png"), full_page=True
            )
        assert page.console_errors == []
    finally:
        context.close()
