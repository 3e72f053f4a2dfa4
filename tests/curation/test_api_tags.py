"""Tags API: the vocabulary with paper counts, and its changes by moderators; tags on
papers."""

from __future__ import annotations

import pytest

from curation.models import ModerationEvent, PaperTag, Tag
from curation.services import paper_hide, paper_tag_add
from curation.services.tags import MSG_PAPER_TAG_NOT_YOURS
from papers.models import PaperStatus
from tests.api_clients import client_for
from tests.factories import ModeratorFactory, PaperFactory, PaperTagFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_vocabulary_comes_by_name_with_published_paper_counts():
    vision, language = (
        TagFactory(name="Vision", slug="vision"),
        TagFactory(name="Audio", slug="audio"),
    )
    member = UserFactory()
    paper_tag_add(paper=PaperFactory(), tag=vision, user=member)
    paper_tag_add(paper=PaperFactory(), tag=vision, user=member)
    hidden = PaperFactory()
    paper_tag_add(paper=hidden, tag=vision, user=member)
    paper_hide(paper=hidden, moderator=ModeratorFactory(), reason="Spam")
    assert language

    body = client_for().get("/api/tags/?page_size=1").json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert body["results"][0]["slug"] == "audio"
    second = client_for().get(body["next"]).json()["results"][0]
    assert set(second) == {"id", "slug", "name", "description", "paper_count", "created_at"}
    assert (second["slug"], second["paper_count"]) == ("vision", 2)


def test_moderators_create_rename_merge_and_delete_tags_and_each_is_logged():
    client = client_for(ModeratorFactory())
    created = client.post("/api/tags/", {"name": "Large  Language Models"}, format="json")
    assert created.status_code == 201
    assert (created.json()["name"], created.json()["slug"]) == (
        "Large Language Models",
        "large-language-models",
    )
    clash = client.post("/api/tags/", {"name": "large language models"}, format="json")
    assert (clash.status_code, clash.json()["error"]["code"]) == (409, "duplicate")

    renamed = client.patch(
        "/api/tags/large-language-models/",
        {"name": "LLMs", "description": "Big."},
        format="json",
    )
    assert renamed.status_code == 200
    assert (renamed.json()["slug"], renamed.json()["description"]) == ("llms", "Big.")

    target = TagFactory(name="Language", slug="language")
    papers = [PaperFactory(), PaperFactory()]
    PaperTagFactory(paper=papers[0], tag=Tag.objects.get(slug="llms"))
    PaperTagFactory(paper=papers[1], tag=Tag.objects.get(slug="llms"))
    PaperTagFactory(paper=papers[1], tag=target)
    merged = client.post("/api/tags/llms/merge/", {"into": "language"}, format="json")
    assert merged.status_code == 200
    assert merged.json()["papers_moved"] == 1
    assert merged.json()["into"]["slug"] == "language"
    assert not Tag.objects.filter(slug="llms").exists()
    assert PaperTag.objects.filter(tag=target).count() == 2
    unknown = client.post("/api/tags/language/merge/", {"into": "nope"}, format="json")
    assert unknown.status_code == 400

    assert client.delete("/api/tags/language/?reason=Too%20broad").status_code == 204
    assert client.delete("/api/tags/language/").status_code == 404
    actions = list(
        ModerationEvent.objects.filter(target_kind="tag")
        .order_by("id")
        .values_list("action", "reason")
    )
    assert actions == [
        ("create", ""),
        ("rename", ""),
        ("merge", ""),
        ("delete", "Too broad"),
    ]


def test_members_tag_papers_and_remove_only_their_own_tags():
    tag = TagFactory(slug="vision")
    paper = PaperFactory()
    alice, bob = UserFactory(username="alice"), UserFactory()
    url = f"/api/papers/{paper.pk}/tags/"

    added = client_for(alice).post(url, {"tag": "vision"}, format="json")
    assert added.status_code == 201
    assert added.json()["slug"] == "vision" and added.json()["added_by"] == "alice"
    again = client_for(bob).post(url, {"tag": "vision"}, format="json")
    assert again.status_code == 200
    assert again.json()["added_by"] == "alice"

    refused = client_for(bob).delete(url, {"tag": "vision"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == MSG_PAPER_TAG_NOT_YOURS
    # The slug may also come in the query string.
    assert client_for(alice).delete(f"{url}?tag=vision").status_code == 204
    missing = client_for(alice).delete(url, {"tag": "vision"}, format="json")
    assert missing.status_code == 404
    assert tag.paper_tags.count() == 0


def test_a_pending_paper_cannot_be_tagged():
    member = UserFactory()
    paper = PaperFactory(status=PaperStatus.PENDING, first_digest_on=None, submitted_by=member)
    TagFactory(slug="vision")
    response = client_for(member).post(
        f"/api/papers/{paper.pk}/tags/", {"tag": "vision"}, format="json"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "not_published")


def test_a_name_too_long_is_a_400_with_the_services_sentence_and_no_tag():
    from curation.services.tags import MSG_TAG_NAME_TOO_LONG

    response = client_for(ModeratorFactory()).post("/api/tags/", {"name": "x" * 65}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid", "message": MSG_TAG_NAME_TOO_LONG}
    assert not Tag.objects.exists()
