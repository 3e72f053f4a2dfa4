"""The inbox and follows over the real test client: a member's own only, unread first, cursor
pages, marks read, follows made, renamed and stopped; refusals name their field."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from curation.services import comment_create, comment_hide
from notifications.models import Follow, Notification, NotificationKind
from notifications.services import Draft, notifications_record
from notifications.services.follows import MSG_NO_SUCH_PAPER, MSG_NO_SUCH_TAG, MSG_QUERY_EMPTY
from papers.models import PaperStatus
from tests.factories import PaperFactory, TagFactory

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def items_for(user, count: int, *, paper) -> list[Notification]:
    notifications_record(
        drafts=[
            Draft(user.pk, NotificationKind.TAG_PAPER, f"test:{n}", paper_id=paper.pk)
            for n in range(count)
        ]
    )
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def test_the_inbox_lists_unread_first_then_newest_in_cursor_pages(ada, bob, paper):
    items = items_for(ada, 5, paper=paper)
    items_for(bob, 2, paper=paper)
    client = api(ada)
    client.post(f"/api/inbox/{items[4].pk}/read/")  # the newest, read
    client.post(f"/api/inbox/{items[1].pk}/read/")

    first = client.get("/api/inbox/?page_size=3").json()
    second = client.get(first["next"]).json()
    order = [row["id"] for row in first["results"] + second["results"]]
    assert order == [items[3].pk, items[2].pk, items[0].pk, items[4].pk, items[1].pk]
    assert second["next"] is None
    unread = client.get("/api/inbox/?unread=true").json()["results"]
    assert [row["id"] for row in unread] == [items[3].pk, items[2].pk, items[0].pk]
    assert client.get("/api/inbox/unread-count/").json() == {"unread": 3}


def test_an_item_says_what_happened_and_links_to_it(committed, ada, bob, paper):
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    with committed():
        answer = comment_create(user=bob, paper=paper, body="The first two.", parent=question)
    row = api(ada).get("/api/inbox/").json()["results"][0]
    assert row["kind"] == "reply" and row["unread"] is True and row["read_at"] is None
    assert row["text"] == "bob replied to your comment on “Attention Is Enough”."
    assert row["url"] == f"http://testserver/papers/{paper.pk}/#c{answer.pk}"
    assert row["excerpt"] == "The first two."
    assert (row["actor"], row["paper"], row["comment"]) == (
        "bob",
        {"id": paper.pk, "title": "Attention Is Enough"},
        answer.pk,
    )


def test_what_the_reader_may_no_longer_see_is_not_shown(committed, ada, bob, moderator, paper):
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    with committed():
        answer = comment_create(user=bob, paper=paper, body="Rude words.", parent=question)
    comment_hide(comment=answer, moderator=moderator, reason="Rude")
    row = api(ada).get("/api/inbox/").json()["results"][0]
    assert (row["actor"], row["excerpt"]) == (None, "")
    assert row["text"] == "Someone replied to your comment on “Attention Is Enough”."

    paper.status = PaperStatus.HIDDEN
    paper.save(update_fields=["status"])
    row = api(ada).get("/api/inbox/").json()["results"][0]
    assert (row["paper"], row["url"]) == (None, None)
    assert "Attention" not in row["text"]


def test_marking_read_is_the_recipients_alone(ada, bob, paper):
    (item,) = items_for(ada, 1, paper=paper)
    assert api(bob).post(f"/api/inbox/{item.pk}/read/").status_code == 404
    assert api(bob).post("/api/inbox/read-all/").json() == {"marked": 0}
    item.refresh_from_db()
    assert item.read_at is None

    answer = api(ada).post(f"/api/inbox/{item.pk}/read/")
    assert answer.status_code == 200 and answer.json()["unread"] is False
    again = api(ada).post(f"/api/inbox/{item.pk}/read/").json()
    assert again["read_at"] == answer.json()["read_at"]  # idempotent


def test_mark_all_read(ada, paper):
    items_for(ada, 3, paper=paper)
    client = api(ada)
    assert client.post("/api/inbox/read-all/").json() == {"marked": 3}
    assert client.get("/api/inbox/unread-count/").json() == {"unread": 0}
    assert client.post("/api/inbox/read-all/").json() == {"marked": 0}


def test_anonymous_clients_are_asked_to_sign_in(ada, paper):
    (item,) = items_for(ada, 1, paper=paper)
    for method, path in (
        ("get", "/api/inbox/"),
        ("get", "/api/inbox/unread-count/"),
        ("post", f"/api/inbox/{item.pk}/read/"),
        ("get", "/api/follows/"),
    ):
        assert getattr(api(), method)(path).status_code == 401


def test_the_inbox_reads_a_page_in_one_query_whatever_its_size(
    ada, paper, django_assert_num_queries
):
    items_for(ada, 30, paper=paper)
    client = api(ada)
    client.get("/api/inbox/")  # the user's session and throttles settled
    # The page with what each item refers to, and whether the reader may open its paper.
    for size in (5, 25):
        with django_assert_num_queries(1):
            assert len(client.get(f"/api/inbox/?page_size={size}").json()["results"]) == size


# --- Follows --------------------------------------------------------------------------------


def test_follows_are_made_once_listed_renamed_and_stopped(ada, bob, paper):
    TagFactory(name="Vision", slug="vision")
    client = api(ada)
    made = client.post("/api/follows/", {"kind": "tag", "tag": "vision"}, format="json")
    assert made.status_code == 201
    assert made.json()["summary"] == "Tag Vision"
    assert made.json()["page"] == "http://testserver/tags/vision/"
    again = client.post("/api/follows/", {"kind": "tag", "tag": "vision"}, format="json")
    assert (again.status_code, again.json()["id"]) == (200, made.json()["id"])

    search = client.post(
        "/api/follows/", {"kind": "search", "query": "Sparse  routing"}, format="json"
    ).json()
    assert (search["name"], search["query"]) == ("Sparse routing", "Sparse routing")
    same = client.post(
        "/api/follows/", {"kind": "search", "query": "sparse ROUTING"}, format="json"
    )
    assert (same.status_code, same.json()["id"]) == (200, search["id"])
    renamed = client.patch(f"/api/follows/{search['id']}/", {"name": "Routing"}, format="json")
    assert renamed.json()["name"] == "Routing"
    client.post("/api/follows/", {"kind": "paper", "paper": paper.pk}, format="json")

    listed = client.get("/api/follows/").json()["results"]
    assert [row["kind"] for row in listed] == ["paper", "search", "tag"]
    assert [row["kind"] for row in client.get("/api/follows/?kind=tag").json()["results"]] == [
        "tag"
    ]
    assert api(bob).get("/api/follows/").json()["results"] == []

    for row in listed:
        assert api(bob).get(f"/api/follows/{row['id']}/").status_code == 404
        assert api(bob).delete(f"/api/follows/{row['id']}/").status_code == 404
    assert client.delete(f"/api/follows/{made.json()['id']}/").status_code == 204
    assert not Follow.objects.filter(pk=made.json()["id"]).exists()


def test_refusals_name_their_field_and_write_nothing(ada, cyd, paper):
    hidden = PaperFactory(status=PaperStatus.HIDDEN)
    client = api(ada)
    cases = [
        ({"kind": "tag", "tag": "nope"}, "tag", MSG_NO_SUCH_TAG),
        ({"kind": "paper", "paper": hidden.pk}, "paper", MSG_NO_SUCH_PAPER),
        ({"kind": "paper", "paper": 10**12}, "paper", MSG_NO_SUCH_PAPER),
        ({"kind": "search", "query": '- ""'}, "query", MSG_QUERY_EMPTY),
        ({"kind": "search", "query": "x" * 201}, "query", None),
        ({"kind": "author", "tag": "x"}, "kind", None),
        ({"kind": "tag", "tag": "x", "colour": "red"}, "colour", None),
    ]
    for body, field, message in cases:
        answer = client.post("/api/follows/", body, format="json")
        assert answer.status_code == 400, body
        error = answer.json()["error"]
        assert field in error["fields"], body
        if message:
            assert error["message"] == message
    from lists.services import list_create

    theirs = list_create(owner=cyd, name="Mine alone")
    answer = client.post("/api/follows/", {"kind": "list", "list": theirs.pk}, format="json")
    assert answer.status_code == 400 and "list" in answer.json()["error"]["fields"]
    assert not Follow.objects.exists()


def test_an_id_beyond_any_row_is_a_404_not_a_crash(ada):
    client = api(ada)
    huge = 2**64
    assert client.post(f"/api/inbox/{huge}/read/").status_code == 404
    assert client.get(f"/api/follows/{huge}/").status_code == 404
    assert client.delete(f"/api/follows/{huge}/").status_code == 404
