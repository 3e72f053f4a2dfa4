"""The private Atom feed, the inbox page's delivery forms and the settings API: a member's
own, read by their token or their session alone."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from curation.services import comment_create
from notifications.services import delivery_settings_get, delivery_settings_update
from notifications.services.delivery import MSG_BAD_HOUR

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def make_feed(client, member) -> str:
    api = APIClient()
    api.force_authenticate(member)
    answer = api.post("/api/notification-settings/feed/")
    assert answer.status_code == 201
    assert answer["Cache-Control"] == "no-store"
    return answer.json()["url"].removeprefix("http://testserver")


def test_the_inbox_feed_is_valid_atom_of_the_members_chosen_items_until_revoked(
    client, committed, ada, bob, paper
):
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    with committed():
        comment_create(user=bob, paper=paper, body="The first two.", parent=question)
        comment_create(user=bob, paper=paper, body="Also @ada, see this.")
    path = make_feed(client, ada)
    answer = client.get(path)  # no login: the token is the key
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(answer.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == [
        "bob mentioned you in a comment on “Attention Is Enough”.",
        "bob replied to your comment on “Attention Is Enough”.",
    ]
    assert all(e.findtext(f"{ATOM}id") and e.findtext(f"{ATOM}updated") for e in entries)
    link = entries[1].find(f"{ATOM}link").get("href")
    assert link.startswith(f"http://testserver/papers/{paper.pk}/#c")

    # Mentions left out of the feed: gone from it.
    delivery_settings_update(member=ada, topics={"mention": {"feed": False}})
    entries = ET.fromstring(client.get(path).content).findall(f"{ATOM}entry")
    assert len(entries) == 1

    # Bob's feed holds none of Ada's items; a rotated address stops the old one.
    bobs = make_feed(client, bob)
    assert ET.fromstring(client.get(bobs).content).findall(f"{ATOM}entry") == []
    newer = make_feed(client, ada)
    assert client.get(path).status_code == 404
    assert client.get(newer).status_code == 200
    api = APIClient()
    api.force_authenticate(ada)
    assert api.delete("/api/notification-settings/feed/").status_code == 204
    assert client.get(newer).status_code == 404
    assert client.get("/inbox/feed/nonsense.atom").status_code == 404


def test_the_settings_api_reads_and_changes_only_what_is_given(ada):
    api = APIClient()
    api.force_authenticate(ada)
    body = api.get("/api/notification-settings/").json()
    assert body["inbox"] is True and body["digest_hour"] == 8
    assert [t["topic"] for t in body["topics"]] == [
        "reply",
        "mention",
        "followed_comment",
        "followed_paper",
        "made_presenter",
    ]
    assert all(t["email"] == "off" and t["feed"] is True for t in body["topics"])
    answer = api.patch(
        "/api/notification-settings/",
        {"digest_hour": 6, "topics": [{"topic": "mention", "email": "weekly"}]},
        format="json",
    )
    assert answer.status_code == 200
    topics = {t["topic"]: t for t in answer.json()["topics"]}
    assert topics["mention"]["email"] == "weekly" and topics["mention"]["feed"] is True
    assert topics["reply"]["email"] == "off"
    bad = api.patch(
        "/api/notification-settings/",
        {"topics": [{"topic": "reply", "email": "daily"}], "digest_hour": 30},
        format="json",
    )
    assert bad.status_code == 400
    assert "digest_hour" in bad.json()["error"]["fields"]
    assert delivery_settings_get(member=ada).topics[0].email == "off"  # nothing half-written


def test_the_inbox_page_saves_delivery_settings_and_shows_a_new_feed_address_once(client, ada):
    client.force_login(ada)
    page = client.get(reverse("inbox"))
    assert b"How I get my items" in page.content
    form = {"action": "settings", "digest_hour": "7", "email-reply": "daily"}
    form |= {"feed-reply": "yes", "email-mention": "weekly"}
    answer = client.post(reverse("inbox-delivery"), form, follow=True)
    assert b"Your delivery settings are saved." in answer.content
    saved = {t.topic: (t.email, t.feed) for t in delivery_settings_get(member=ada).topics}
    assert saved["reply"] == ("daily", True)
    assert saved["mention"] == ("weekly", False)
    assert delivery_settings_get(member=ada).digest_hour == 7

    bad = client.post(reverse("inbox-delivery"), {**form, "digest_hour": "99"}, follow=True)
    assert MSG_BAD_HOUR.encode() in bad.content

    made = client.post(reverse("inbox-delivery"), {"action": "feed-create"})
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    assert b"/inbox/feed/" in made.content
    again = client.get(reverse("inbox"))
    assert b"/inbox/feed/" not in again.content  # shown once
    assert b"A feed address starting" in again.content
    stopped = client.post(reverse("inbox-delivery"), {"action": "feed-revoke"}, follow=True)
    assert b"no longer works" in stopped.content
    assert client.post(reverse("inbox-delivery"), {"action": "x"}).status_code == 400


def test_the_delivery_forms_ask_anonymous_readers_to_log_in(client):
    answer = client.post(reverse("inbox-delivery"), {"action": "feed-create"})
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
