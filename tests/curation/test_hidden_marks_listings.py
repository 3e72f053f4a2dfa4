"""Every listing a member reads, web and API, with the "hide papers I marked" setting on and
off: the papers they marked read or not interested are absent with it on, present again with
it off. The public feeds (anonymous) and the member's own lists keep them."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test import Client

from curation.services import member_settings_update, paper_mark_set
from lists.services import list_create, list_item_add
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = "2024-08-22"

# Every listing of papers: the web pages, then the API's lists and exports.
WEB = [
    "/",
    "/?order=new",
    "/?order=top&period=all",
    "/?view=day",
    f"/?date={DAY}",
    f"/?date={DAY}&tag=vision",
    "/tags/vision/",
    "/tags/vision/?order=new",
    "/search/?q=quantum",
    "/search/?q=quantum&tag=vision",
]
API = [
    "/api/papers/",
    "/api/papers/?order=new",
    "/api/papers/?order=top&period=all",
    f"/api/papers/?date={DAY}",
    f"/api/papers/?digest={DAY}",
    "/api/papers/?tag=vision",
    "/api/papers/?q=quantum",
]
EXPORTS = [
    "/api/papers/export/?format=csv",
    "/api/papers/export/?format=jsonl&tag=vision",
    "/api/papers/export/?format=bibtex",
    f"/api/papers/export/?format=ris&digest={DAY}",
]
TITLES: dict[str, int] = {}  # title -> id, for the citation formats, which name no id


@pytest.fixture
def scene(db):
    import datetime

    digest = DigestFactory(date=datetime.date.fromisoformat(DAY))
    vision = TagFactory(name="Vision", slug="vision")
    papers = {}
    for position, name in enumerate(["Alpha", "Beta", "Gamma"], start=1):
        paper = PaperFactory(
            title=f"Quantum {name}",
            abstract="On quantum things.",
            first_digest_on=digest.date,
            vote_count=10 - position,
        )
        DigestEntryFactory(digest=digest, paper=paper, position=position)
        PaperTagFactory(paper=paper, tag=vision)
        papers[name] = paper
        TITLES[paper.title] = paper.pk
    if connection.vendor == "postgresql":
        from papers.services.search_index import search_index_refresh

        search_index_refresh()
    member = UserFactory(username="reader")
    paper_mark_set(user=member, paper=papers["Alpha"], kind="read")
    paper_mark_set(user=member, paper=papers["Beta"], kind="not_interested")
    return member, papers


def ids_on_page(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-paper-id="(\d+)"', html)}


def ids_in_api(body: dict) -> set[int]:
    return {row["id"] for row in body["results"]}


def ids_in_export(response) -> set[int]:
    text = b"".join(response.streaming_content).decode()
    if response["Content-Type"].startswith("text/csv"):
        return {int(row["id"]) for row in csv.DictReader(io.StringIO(text))}
    if "json" in response["Content-Type"]:
        return {json.loads(line)["id"] for line in text.splitlines()}
    found = {pk for title, pk in TITLES.items() if title in text}
    assert found, text[:300]
    return found


def everything_seen(client: Client) -> dict[str, set[int]]:
    seen = {}
    for path in WEB:
        response = client.get(path)
        assert response.status_code == 200, path
        seen[path] = ids_on_page(response.content.decode())
    for path in API:
        response = client.get(path)
        assert response.status_code == 200, path
        seen[path] = ids_in_api(response.json())
    for path in EXPORTS:
        response = client.get(path)
        assert response.status_code == 200, path
        seen[path] = ids_in_export(response)
    return seen


def test_every_listing_leaves_marked_papers_out_while_the_setting_is_on(scene):
    member, papers = scene
    every = {p.pk for p in papers.values()}
    unmarked = {papers["Gamma"].pk}
    client = Client()
    client.force_login(member)

    before = everything_seen(client)
    assert before == dict.fromkeys(before, every)

    member_settings_update(user=member, hide_marked=True)
    hiding = everything_seen(client)
    assert hiding == dict.fromkeys(hiding, unmarked)

    member_settings_update(user=member, hide_marked=False)
    again = everything_seen(client)
    assert again == dict.fromkeys(again, every)


def test_others_and_the_public_feeds_are_not_affected(scene):
    member, papers = scene
    member_settings_update(user=member, hide_marked=True)
    every = {p.pk for p in papers.values()}
    other = Client()
    other.force_login(UserFactory(username="someone"))
    assert everything_seen(other) == dict.fromkeys(WEB + API + EXPORTS, every)
    anonymous = Client()
    for path in ("/feeds/rss/", "/feeds/atom/", "/feeds/tags/vision/rss/"):
        body = anonymous.get(path).content.decode()
        assert all(f"/papers/{pk}/" in body for pk in every), path


def test_a_marked_paper_still_opens_and_stays_on_the_members_lists(scene):
    member, papers = scene
    member_settings_update(user=member, hide_marked=True)
    mine = list_create(owner=member, name="Keep")
    list_item_add(paper_list=mine, user=member, paper=papers["Alpha"])
    client = Client()
    client.force_login(member)
    assert client.get(f"/papers/{papers['Alpha'].pk}/").status_code == 200
    assert client.get(f"/api/papers/{papers['Alpha'].pk}/").json()["marks"] == ["read"]
    assert papers["Alpha"].pk in ids_on_page(client.get(f"/lists/{mine.pk}/").content.decode())
    items = client.get(f"/api/lists/{mine.pk}/items/").json()["results"]
    assert [item["paper"]["id"] for item in items] == [papers["Alpha"].pk]


def test_a_moderators_status_views_follow_their_setting_too(scene):
    _, papers = scene
    moderator = ModeratorFactory(username="keeper")
    paper_mark_set(user=moderator, paper=papers["Gamma"], kind="read")
    member_settings_update(user=moderator, hide_marked=True)
    client = Client()
    client.force_login(moderator)
    shown = ids_on_page(client.get("/?status=all").content.decode())
    assert shown == {papers["Alpha"].pk, papers["Beta"].pk}
    assert ids_in_api(client.get("/api/papers/?status=published").json()) == shown
