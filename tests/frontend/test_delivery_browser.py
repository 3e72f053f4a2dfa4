"""Delivery settings on the inbox page in Debian's Chromium, by keyboard, at desktop and
phone width: a member chooses a daily digest of replies and leaves mentions out of their
feed, makes their private feed address (shown once) and stops it; a digest's unsubscribe
link asks, then stops the digests, with no login.

The page fixture is test_browser.py's (fails on console errors and unexpected 4xx/5xx).
Screenshots go to artifacts/screenshots/ as `inbox-delivery-<width>.png`. Marked `browser`.
"""

from __future__ import annotations

from notifications.services import delivery_settings_get
from notifications.services.delivery import unsubscribe_token
from tests.factories import UserFactory
from tests.frontend.conftest import BROWSER_MARKS
from tests.frontend.test_browser import expect, log_in
from tests.frontend.test_browser import page as page  # noqa: F401 - the fixture, reused
from tests.frontend.test_lists_browser import fits_the_width, press, shoot
from tests.frontend.test_lists_browser import sized as sized  # noqa: F401 - the fixture, reused

pytestmark = BROWSER_MARKS


def test_a_member_sets_delivery_and_makes_then_stops_a_feed_by_keyboard(sized, transactional_db):
    page = sized
    reader = UserFactory(username="reader")
    log_in(page, "reader")
    page.goto("/inbox/")
    section = page.locator("section.delivery-settings")
    expect()(section.get_by_role("heading", name="How I get my items")).to_be_visible()
    fits_the_width(page)

    replies = section.get_by_label("E-mail for replies to my comments")
    replies.focus()
    page.keyboard.type("D")  # the option that starts with D: "Daily digest"
    expect()(replies).to_have_value("daily")
    mentions_feed = section.get_by_label("In my feed: mentions of me")
    mentions_feed.focus()
    page.keyboard.press("Space")
    expect()(mentions_feed).not_to_be_checked()
    press(section.get_by_role("button", name="Save delivery settings"))
    expect()(page.get_by_text("Your delivery settings are saved.")).to_be_visible()
    saved = {t.topic: (t.email, t.feed) for t in delivery_settings_get(member=reader).topics}
    assert saved["reply"] == ("daily", True)
    assert saved["mention"] == ("off", False)

    press(page.get_by_role("button", name="Make my feed address"))
    address = page.get_by_label("Your feed's address (copy it now; it is not shown again)")
    expect()(address).to_be_visible()
    url = address.input_value()
    assert "/inbox/feed/" in url and url.endswith(".atom")
    feed = page.request.get(url)
    assert feed.status == 200 and b"<feed" in feed.body()
    fits_the_width(page)
    shoot(page, "inbox-delivery")

    press(page.get_by_role("button", name="Stop my feed"))
    expect()(page.get_by_text("Your feed's address no longer works.")).to_be_visible()
    assert page.request.get(url).status == 404
    expect()(page.get_by_text("You have no feed address.")).to_be_visible()


def test_the_unsubscribe_link_asks_then_stops_the_digests_without_a_login(sized, transactional_db):
    page = sized
    from notifications.services import delivery_settings_update

    reader = UserFactory(username="reader")
    delivery_settings_update(member=reader, topics={"reply": {"email": "daily"}})
    page.goto(f"/inbox/unsubscribe/{unsubscribe_token(member=reader)}/")
    expect()(page.get_by_text("Stop every digest e-mail to reader?")).to_be_visible()
    fits_the_width(page)
    press(page.get_by_role("button", name="Unsubscribe"))
    expect()(page.get_by_text("reader gets no more digest e-mails")).to_be_visible()
    assert delivery_settings_get(member=reader).topics[0].email == "off"
