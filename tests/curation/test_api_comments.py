"""Comments API: the thread (nesting, placeholders, pages), posting, editing, deleting,
flagging and moderating, and hostile Markdown rendered safe."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from curation.api.papers import MSG_PARENT_NOT_FOUND
from curation.models import DELETED_PLACEHOLDER, HIDDEN_PLACEHOLDER, Comment, ModerationEvent
from curation.services.comments import MSG_ALREADY_FLAGGED
from tests.api_clients import client_for
from tests.factories import ModeratorFactory, PaperFactory, UserFactory

pytestmark = pytest.mark.django_db

COMMENT_KEYS = {
    "id",
    "paper_id",
    "parent_id",
    "author",
    "body",
    "body_html",
    "created_at",
    "edited_at",
    "deleted",
    "hidden",
    "hidden_reason",
}


def post_comment(client, paper, body, parent=None):
    payload = {"body": body} if parent is None else {"body": body, "parent": parent}
    response = client.post(f"/api/papers/{paper.pk}/comments/", payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_thread_nests_replies_and_shows_deleted_and_hidden_as_placeholders():
    paper = PaperFactory()
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    moderator = ModeratorFactory()
    root = post_comment(client_for(alice), paper, "Root")
    reply = post_comment(client_for(bob), paper, "Reply", parent=root["id"])
    post_comment(client_for(alice), paper, "Reply to reply", parent=reply["id"])
    second = post_comment(client_for(bob), paper, "Second root")
    assert client_for(alice).delete(f"/api/comments/{root['id']}/").status_code == 204
    hidden = client_for(moderator).post(
        f"/api/comments/{second['id']}/moderate/",
        {"action": "hide", "reason": "Rude."},
        format="json",
    )
    assert hidden.status_code == 200

    body = client_for(UserFactory()).get(f"/api/papers/{paper.pk}/comments/").json()

    assert body["next"] is None
    assert body["comment_count"] == 2  # the two replies
    first, last = body["results"]
    assert set(first) == COMMENT_KEYS | {"replies"}
    assert (first["deleted"], first["author"], first["body"], first["body_html"]) == (
        True,
        None,
        "",
        DELETED_PLACEHOLDER,
    )
    assert first["replies"][0]["body"] == "Reply"
    assert first["replies"][0]["author"] == "bob"
    assert first["replies"][0]["replies"][0]["body"] == "Reply to reply"
    # Why it was hidden is public, as in the moderation log; what it said is not.
    assert (last["hidden"], last["body"], last["body_html"], last["hidden_reason"]) == (
        True,
        "",
        HIDDEN_PLACEHOLDER,
        "Rude.",
    )

    as_moderator = client_for(moderator).get(f"/api/papers/{paper.pk}/comments/").json()
    shown = as_moderator["results"][1]
    assert (shown["body"], shown["hidden_reason"], shown["author"]) == (
        "Second root",
        "Rude.",
        "bob",
    )


def test_the_thread_pages_by_top_level_threads():
    paper = PaperFactory()
    now = timezone.now()
    roots = [
        Comment.objects.create(
            paper=paper,
            author=UserFactory(),
            body=f"Root {i}",
            body_html="<p>x</p>",
            created_at=now if i < 4 else now + datetime.timedelta(seconds=i),
        )
        for i in range(7)
    ]
    Comment.objects.create(
        paper=paper,
        author=UserFactory(),
        parent=roots[0],
        body="Reply",
        body_html="<p>r</p>",
        created_at=now,
    )
    client = client_for()
    seen, url = [], f"/api/papers/{paper.pk}/comments/?page_size=3"
    while url:
        body = client.get(url).json()
        seen += [node["id"] for node in body["results"]]
        url = body["next"]
    assert seen == [c.pk for c in roots]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    """The real elements of an HTML fragment (escaped text is text, not elements)."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    '<img src=x onerror="alert(1)">',
    "![x](http://evil.example/track.png)",
    '<a href="http://x" onclick="steal()">x</a>',
    "<iframe src=//evil></iframe>",
]


@pytest.mark.parametrize("markdown", HOSTILE_MARKDOWN)
def test_hostile_markdown_comes_back_raw_in_body_and_safe_in_body_html(markdown):
    paper = PaperFactory()
    created = post_comment(client_for(UserFactory()), paper, markdown)
    assert created["body"] == markdown
    thread = client_for().get(f"/api/papers/{paper.pk}/comments/").json()["results"]
    for body in (created, thread[0]):
        tags = elements(body["body_html"])
        assert {tag for tag, _ in tags} <= {"p", "a"}
        for _, attrs in tags:
            assert all(not name.startswith("on") for name in attrs)
            href = attrs.get("href") or ""
            assert href == "" or href.startswith(("http://", "https://"))


def test_a_reply_must_answer_a_comment_of_the_same_paper():
    paper, other = PaperFactory(), PaperFactory()
    elsewhere = post_comment(client_for(UserFactory()), other, "Elsewhere")
    response = client_for(UserFactory()).post(
        f"/api/papers/{paper.pk}/comments/",
        {"body": "Hi", "parent": elsewhere["id"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"parent": [MSG_PARENT_NOT_FOUND]}


def test_an_empty_comment_is_refused():
    response = client_for(UserFactory()).post(
        f"/api/papers/{PaperFactory().pk}/comments/", {"body": "   "}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_the_author_edits_within_the_window_and_deletes():
    author = UserFactory()
    comment = post_comment(client_for(author), PaperFactory(), "Frist")
    url = f"/api/comments/{comment['id']}/"
    edited = client_for(author).patch(url, {"body": "**First**"}, format="json")
    assert edited.status_code == 200
    assert edited.json()["body"] == "**First**"
    assert "<strong>First</strong>" in edited.json()["body_html"]
    assert edited.json()["edited_at"] is not None

    Comment.objects.filter(pk=comment["id"]).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    late = client_for(author).patch(url, {"body": "Too late"}, format="json")
    assert (late.status_code, late.json()["error"]["code"]) == (403, "edit_window_closed")

    assert client_for(author).delete(url).status_code == 204
    assert client_for(author).delete(url).status_code == 204  # idempotent
    gone = client_for(author).patch(url, {"body": "Back"}, format="json")
    assert gone.status_code in (403, 409)


def test_flagging_once_then_moderators_dismiss_the_flags():
    author, flagger, moderator = UserFactory(), UserFactory(), ModeratorFactory()
    comment = post_comment(client_for(author), PaperFactory(), "Buy pills")
    url = f"/api/comments/{comment['id']}/flag/"

    flagged = client_for(flagger).post(url, {"reason": "spam", "note": "Ads"}, format="json")
    assert flagged.status_code == 201
    assert set(flagged.json()) == {"id", "comment_id", "reason", "note", "created_at"}
    again = client_for(flagger).post(url, {"reason": "spam"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == MSG_ALREADY_FLAGGED
    bad = client_for(UserFactory()).post(url, {"reason": "boring"}, format="json")
    assert list(bad.json()["error"]["fields"]) == ["reason"]

    dismissed = client_for(moderator).post(
        f"/api/comments/{comment['id']}/moderate/", {"action": "dismiss_flags"}, format="json"
    )
    assert dismissed.status_code == 200
    assert dismissed.json()["flags_resolved"] == 1
    assert dismissed.json()["action"] == "dismiss_flags"
    assert dismissed.json()["comment"]["hidden"] is False


def test_hiding_and_restoring_are_logged_and_need_a_reason():
    moderator = ModeratorFactory()
    comment = post_comment(client_for(UserFactory()), PaperFactory(), "Rude words")
    url = f"/api/comments/{comment['id']}/moderate/"
    client = client_for(moderator)

    no_reason = client.post(url, {"action": "hide"}, format="json")
    assert (no_reason.status_code, no_reason.json()["error"]["code"]) == (400, "reason_required")
    hidden = client.post(url, {"action": "hide", "reason": "Rude."}, format="json").json()
    assert hidden["comment"]["hidden"] is True
    assert hidden["comment"]["hidden_reason"] == "Rude."
    restored = client.post(url, {"action": "restore", "reason": "On reflection."}, format="json")
    assert restored.json()["comment"]["hidden"] is False
    assert list(
        ModerationEvent.objects.filter(target_kind="comment").values_list("action", flat=True)
    ) == ["restore", "hide"]
