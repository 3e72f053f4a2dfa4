"""The interactive API docs in Chromium, with the site's Content-Security-Policy enforced and
every request outside the live server blocked (as if there were no internet): Swagger UI draws
the API, and the policy refuses nothing it needs."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.frontend.conftest import BROWSER_MARKS

pytestmark = BROWSER_MARKS
LOAD_MS = 30_000


def test_the_docs_draw_the_api_offline_under_the_policy(browser, live_server, transactional_db):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    elsewhere = []

    def only_this_server(route):
        if urlsplit(route.request.url).netloc == urlsplit(live_server.url).netloc:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    refused, errors = [], []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto("/api/docs/")

    # Swagger UI's bundle is 1.5 MB of script and the schema a large document: give a busy
    # machine time to parse them.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Paperboard API", timeout=LOAD_MS
    )
    expect(page.locator(".opblock-tag-section").first).to_be_visible(timeout=LOAD_MS)
    # Open an operation and try it: what Swagger UI draws then is under the policy too.
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_contain_text("200", timeout=LOAD_MS)
    assert refused == []
    assert errors == []
    assert elsewhere == []
    context.close()
