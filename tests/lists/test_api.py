"""The lists API: the shape of its answers and a whole flow through it (who may do what is the
permission matrix's: tests/curation/test_permission_matrix.py)."""

import pytest
from rest_framework.test import APIClient

from curation.services import paper_hide, paper_mark_set
from lists.models import ListItem
from papers.models import PaperStatus
from tests.api_clients import client_for
from tests.factories import PaperFactory, PaperTagFactory, TagFactory

pytestmark = pytest.mark.django_db

LIST_KEYS = {
    "id",
    "url",
    "items_url",
    "name",
    "visibility",
    "owner",
    "item_count",
    "can_edit",
    "created_at",
    "updated_at",
}
ITEM_KEYS = {"id", "position", "note", "note_html", "added_by", "added_at", "paper"}


def test_a_team_list_from_creation_to_deletion(people):
    owner, editor, other = (
        client_for(people["owner"]),
        client_for(people["editor"]),
        client_for(people["other"]),
    )
    tag = TagFactory(name="Vision", slug="vision")
    papers = [PaperFactory(title=f"Paper {i}") for i in range(3)]
    PaperTagFactory(paper=papers[0], tag=tag)

    created = owner.post("/api/lists/", {"name": "Team picks", "visibility": "team"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) == LIST_KEYS | {"editors"}
    assert (body["owner"], body["can_edit"], body["editors"], body["item_count"]) == (
        "owner",
        True,
        [],
        0,
    )
    assert created["Location"] == body["url"]
    list_id = body["id"]

    named = owner.post(f"/api/lists/{list_id}/editors/", {"username": "Editor"}, format="json")
    assert named.status_code == 201 and named.json()["username"] == "editor"
    assert owner.post(f"/api/lists/{list_id}/editors/", {"username": "editor"}).status_code == 200
    assert [
        e["username"] for e in owner.get(f"/api/lists/{list_id}/editors/").json()["results"]
    ] == ["editor"]

    added = owner.post(
        f"/api/lists/{list_id}/items/",
        {"paper": papers[0].pk, "note": "Read **this** first."},
        format="json",
    )
    assert added.status_code == 201, added.content
    item = added.json()
    assert set(item) == ITEM_KEYS
    assert (item["position"], item["added_by"], item["note_html"]) == (
        1,
        "owner",
        "<p>Read <strong>this</strong> first.</p>\n",
    )
    assert item["paper"]["id"] == papers[0].pk
    assert item["paper"]["tags"] == [{"slug": "vision", "name": "Vision"}]
    for paper in papers[1:]:
        response = editor.post(f"/api/lists/{list_id}/items/", {"paper": paper.pk}, format="json")
        assert response.status_code == 201
        assert response.json()["added_by"] == "editor"
    duplicate = editor.post(f"/api/lists/{list_id}/items/", {"paper": papers[0].pk}, format="json")
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["item_id"] == item["id"]

    # Another member reads it and changes nothing.
    read = other.get(f"/api/lists/{list_id}/items/").json()
    assert [i["paper"]["id"] for i in read["results"]] == [p.pk for p in papers]
    assert other.get(f"/api/lists/{list_id}/").json()["can_edit"] is False
    refused = other.patch(
        f"/api/lists/{list_id}/items/{item['id']}/", {"move": "down"}, format="json"
    )
    assert refused.status_code == 403

    moved = editor.patch(
        f"/api/lists/{list_id}/items/{item['id']}/", {"move": "last"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["position"] == 3
    moved = editor.patch(
        f"/api/lists/{list_id}/items/{item['id']}/", {"position": 2, "note": ""}, format="json"
    )
    assert (moved.json()["position"], moved.json()["note"]) == (2, "")
    order = [i["paper"]["id"] for i in owner.get(f"/api/lists/{list_id}/items/").json()["results"]]
    assert order == [papers[1].pk, papers[0].pk, papers[2].pk]

    assert editor.delete(f"/api/lists/{list_id}/items/{item['id']}/").status_code == 204
    assert owner.get(f"/api/lists/{list_id}/").json()["item_count"] == 2
    assert editor.delete(f"/api/lists/{list_id}/").status_code == 403
    assert (
        owner.patch(f"/api/lists/{list_id}/", {"name": "Renamed"}, format="json").json()["name"]
        == "Renamed"
    )
    assert owner.delete(f"/api/lists/{list_id}/editors/editor/").status_code == 204
    assert owner.delete(f"/api/lists/{list_id}/").status_code == 204
    assert other.get(f"/api/lists/{list_id}/").status_code == 404
    assert not ListItem.objects.exists()


def test_a_personal_list_is_a_404_to_everyone_else(people, personal_list):
    paper = PaperFactory()
    for role in ("other", "editor", "moderator", "admin"):
        client = client_for(people[role])
        for method, path, body in [
            ("get", f"/api/lists/{personal_list.pk}/", None),
            ("patch", f"/api/lists/{personal_list.pk}/", {"name": "X"}),
            ("delete", f"/api/lists/{personal_list.pk}/", None),
            ("get", f"/api/lists/{personal_list.pk}/items/", None),
            ("post", f"/api/lists/{personal_list.pk}/items/", {"paper": paper.pk}),
            ("get", f"/api/lists/{personal_list.pk}/editors/", None),
        ]:
            response = getattr(client, method)(path, body, format="json")
            assert response.status_code == 404, (role, method, path)
            assert response.json()["error"]["message"] == "There is no such list."
    listed = client_for(people["other"]).get("/api/lists/").json()["results"]
    assert personal_list.pk not in [pl["id"] for pl in listed]


def test_anonymous_clients_are_asked_to_sign_in(personal_list):
    response = APIClient().get("/api/lists/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_lists_list_filters_by_scope_and_says_which_hold_a_paper(
    people, team_list, personal_list
):
    paper = PaperFactory()
    client = client_for(people["owner"])
    client.post(f"/api/lists/{personal_list.pk}/items/", {"paper": paper.pk}, format="json")
    body = client.get(f"/api/lists/?scope=editable&paper={paper.pk}").json()
    assert set(body) == {"next", "results"}
    assert {pl["name"]: pl["has_paper"] for pl in body["results"]} == {
        "Mine alone": True,
        "Team picks": False,
    }
    assert set(body["results"][0]) == LIST_KEYS | {"has_paper"}
    editor = client_for(people["editor"]).get("/api/lists/?scope=editable").json()
    assert [pl["name"] for pl in editor["results"]] == ["Team picks"]
    bad = client.get("/api/lists/?scope=everything")
    assert bad.status_code == 400 and "scope" in bad.json()["error"]["fields"]


def test_pages_follow_next(people):
    client = client_for(people["owner"])
    list_id = client.post("/api/lists/", {"name": "Long"}, format="json").json()["id"]
    papers = [PaperFactory() for _ in range(5)]
    for paper in papers:
        client.post(f"/api/lists/{list_id}/items/", {"paper": paper.pk}, format="json")
    seen, url = [], f"/api/lists/{list_id}/items/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [i["paper"]["id"] for i in body["results"]]
        url = body["next"]
    assert seen == [p.pk for p in papers]
    assert client.get(f"/api/lists/{list_id}/items/?cursor=nonsense").status_code == 400


def test_items_show_only_papers_the_reader_may_open_and_their_marks(people, team_list):
    owner = client_for(people["owner"])
    shown, hidden = PaperFactory(title="Shown"), PaperFactory(title="Hidden")
    for paper in (shown, hidden):
        owner.post(f"/api/lists/{team_list.pk}/items/", {"paper": paper.pk}, format="json")
    paper_hide(paper=hidden, moderator=people["moderator"], reason="Spam.")
    paper_mark_set(user=people["other"], paper=shown, kind="read")
    other = client_for(people["other"]).get(f"/api/lists/{team_list.pk}/items/").json()
    assert [(i["paper"]["title"], i["paper"]["marks"]) for i in other["results"]] == [
        ("Shown", ["read"])
    ]
    moderator = client_for(people["moderator"]).get(f"/api/lists/{team_list.pk}/items/").json()
    assert len(moderator["results"]) == 2
    hidden_item = ListItem.objects.get(paper=hidden)
    response = owner.patch(
        f"/api/lists/{team_list.pk}/items/{hidden_item.pk}/", {"move": "up"}, format="json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"paper": 1, "extra": 1}, "extra"),
        ({"note": "no paper"}, "paper"),
        ({"paper": 0}, "paper"),
    ],
)
def test_adding_refuses_bad_bodies_naming_the_field(people, personal_list, body, field):
    response = client_for(people["owner"]).post(
        f"/api/lists/{personal_list.pk}/items/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_adding_a_paper_the_member_may_not_open_is_a_404(people, personal_list):
    pending = PaperFactory(status=PaperStatus.PENDING)
    response = client_for(people["owner"]).post(
        f"/api/lists/{personal_list.pk}/items/", {"paper": pending.pk}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "There is no such paper."


def test_an_empty_change_is_refused(people, personal_list):
    client = client_for(people["owner"])
    item = client.post(
        f"/api/lists/{personal_list.pk}/items/", {"paper": PaperFactory().pk}, format="json"
    ).json()
    response = client.patch(f"/api/lists/{personal_list.pk}/items/{item['id']}/", {}, format="json")
    assert response.status_code == 400
    both = client.patch(
        f"/api/lists/{personal_list.pk}/items/{item['id']}/",
        {"position": 1, "move": "up"},
        format="json",
    )
    assert both.status_code == 400 and "move" in both.json()["error"]["fields"]
