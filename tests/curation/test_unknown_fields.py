"""Every JSON body of the curation and accounts API refuses a field it does not know: a 400
naming the field in one sentence, and nothing written. A misspelt field (`reasn`, `parnet`)
silently dropped would do something else than what the client asked."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from config.api.inputs import MSG_UNKNOWN_FIELD
from curation.models import Comment, ModerationEvent, Tag
from papers.models import Paper, PaperStatus
from tests.api_clients import client_for
from tests.factories import (
    CommentFactory,
    ModeratorFactory,
    PaperFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        list(Paper.objects.order_by("pk").values_list("pk", "status")),
        list(Comment.objects.order_by("pk").values_list("pk", "body", "hidden_at", "deleted_at")),
        list(Tag.objects.order_by("pk").values_list("pk", "slug", "name", "description")),
        ModerationEvent.objects.count(),
        get_user_model().objects.count(),
    )


def assert_refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["fields"][field] == [MSG_UNKNOWN_FIELD.format(name=field)]
    assert error["message"].endswith(".")


@pytest.mark.parametrize(
    ("who", "method", "url", "body", "unknown"),
    [
        (
            "moderator",
            "post",
            "/api/papers/{paper}/transition/",
            {"to_state": "published", "reasn": "good"},
            "reasn",
        ),
        (
            "moderator",
            "post",
            "/api/papers/transition/",
            {"paper_ids": ["{paper}"], "to_state": "published", "note": "x"},
            "note",
        ),
        ("member", "post", "/api/papers/{paper}/comments/", {"body": "Hi", "parnet": 1}, "parnet"),
        (
            "author",
            "patch",
            "/api/comments/{comment}/",
            {"body": "Edited", "pinned": True},
            "pinned",
        ),
        (
            "member",
            "post",
            "/api/comments/{comment}/flag/",
            {"reason": "spam", "notes": "x"},
            "notes",
        ),
        (
            "moderator",
            "post",
            "/api/comments/{comment}/moderate/",
            {"action": "hide", "reason": "rude", "notify": True},
            "notify",
        ),
        ("moderator", "post", "/api/tags/", {"name": "Robots", "colour": "red"}, "colour"),
        ("moderator", "patch", "/api/tags/{tag}/", {"name": "Robots", "slugg": "r"}, "slugg"),
        ("moderator", "post", "/api/tags/{tag}/merge/", {"into": "{other}", "why": "x"}, "why"),
        (
            None,
            "post",
            "/api/auth/signup/",
            {
                "username": "new",
                "email": "new@example.org",
                "password": "a long pass phrase 1",
                "is_staff": True,
            },
            "is_staff",
        ),
    ],
)
def test_an_unknown_field_is_a_400_naming_it_and_writes_nothing(who, method, url, body, unknown):
    author = UserFactory()
    paper = PaperFactory(status=PaperStatus.PENDING)
    shown = PaperFactory(status=PaperStatus.PUBLISHED)
    comment = CommentFactory(paper=shown, author=author)
    tag, other = TagFactory(), TagFactory()
    names = {"paper": paper.pk, "comment": comment.pk, "tag": tag.slug, "other": other.slug}
    user = {"moderator": ModeratorFactory(), "member": UserFactory(), "author": author}.get(who)
    if body.get("paper_ids"):
        body = {**body, "paper_ids": [paper.pk]}
    if body.get("into"):
        body = {**body, "into": other.slug}
    before = snapshot()

    response = getattr(client_for(user), method)(url.format(**names), body, format="json")

    assert_refused(response, unknown)
    assert snapshot() == before


def test_the_single_move_still_takes_its_own_fields():
    paper = PaperFactory(status=PaperStatus.PENDING)
    response = client_for(ModeratorFactory()).post(
        f"/api/papers/{paper.pk}/transition/",
        {"to_state": "rejected", "reason": "off topic"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Paper.objects.get(pk=paper.pk).status == PaperStatus.REJECTED
