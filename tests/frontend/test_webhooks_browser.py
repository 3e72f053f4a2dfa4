"""The webhooks page in Debian's Chromium, by keyboard, at desktop and phone width: a
moderator reaches it from the inbox, puts a webhook on a tag, copies its secret shown once,
and deletes it; the owner of a team list is offered that list.

The page fixture is test_browser.py's: a test fails on any console error, script error,
failed request or answer of 400 or more it did not declare. Marked `browser`.
"""

from __future__ import annotations

from lists.services import list_create
from notifications.models import Webhook
from tests.factories import ModeratorFactory, TagFactory, UserFactory
from tests.frontend.conftest import BROWSER_MARKS
from tests.frontend.test_browser import expect, log_in
from tests.frontend.test_browser import page as page  # noqa: F401 - the fixture, reused
from tests.frontend.test_lists_browser import fits_the_width, press, shoot
from tests.frontend.test_lists_browser import sized as sized  # noqa: F401 - the fixture, reused

pytestmark = BROWSER_MARKS
URL = "https://hooks.example.com/paperboard"


def test_a_moderator_adds_a_webhook_to_a_tag_sees_its_secret_once_and_deletes_it(
    sized, transactional_db
):
    page = sized
    TagFactory(name="Vision", slug="vision")
    ModeratorFactory(username="mod")
    log_in(page, "mod")
    page.goto("/inbox/")
    press(page.get_by_role("link", name="Webhooks"))
    page.wait_for_url("**/inbox/webhooks/")
    expect()(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    fits_the_width(page)

    target = page.get_by_label("On")
    target.focus()
    target.select_option("tag:vision")
    address = page.get_by_label("Address (http or https)")
    address.focus()
    page.keyboard.type(URL)
    press(page.get_by_role("button", name="Add the webhook"))
    secret = page.locator("#hook-secret")
    expect()(secret).to_be_visible()
    hook = Webhook.objects.get()
    expect()(secret).to_have_value(hook.secret)
    expect()(page.locator("[data-hooks]")).to_contain_text(URL)
    fits_the_width(page)
    shoot(page, "webhooks")

    page.goto("/inbox/webhooks/")
    expect()(page.locator("#hook-secret")).to_have_count(0)
    press(page.get_by_role("button", name=f"Delete the webhook to {URL}"))
    expect()(page.get_by_text("nothing is posted to its address any more")).to_be_visible()
    expect()(page.get_by_text("You have no webhook.")).to_be_visible()
    assert not Webhook.objects.exists()


def test_the_owner_of_a_team_list_is_offered_that_list(sized, transactional_db):
    page = sized
    owner = UserFactory(username="owner")
    team = list_create(owner=owner, name="Our reading", visibility="team")
    log_in(page, "owner")
    page.goto("/inbox/webhooks/")
    target = page.get_by_label("On")
    expect()(target.locator("option", has_text="Our reading")).to_have_attribute(
        "value", f"list:{team.pk}"
    )
    expect()(target.locator("optgroup[label='Tags']")).to_have_count(0)
    fits_the_width(page)
