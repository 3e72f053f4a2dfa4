"""A tag's old addresses: after a rename or a merge, the slug it had leads to the tag it is
now, on its page, in the API and in every lookup by slug; a tag that takes the slug as its
own takes the address back."""

from __future__ import annotations

import pytest

from curation.models import PaperTag, Tag, TagOldSlug
from curation.selectors import tag_by_slug
from curation.services import tag_create, tag_delete, tag_merge, tag_rename
from papers.models import PaperStatus
from tests.api_clients import client_for
from tests.factories import PaperFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def old_slugs() -> dict[str, str]:
    return dict(TagOldSlug.objects.values_list("slug", "tag__slug"))


def test_a_rename_keeps_the_old_slug_leading_to_the_tag(moderator):
    tag = TagFactory(name="NLP", slug="nlp")
    tag_rename(tag=tag, moderator=moderator, name="Language")
    tag_rename(tag=tag, moderator=moderator, name="Language models")

    assert old_slugs() == {"nlp": "language-models", "language": "language-models"}
    for slug in ("nlp", "language", "language-models"):
        assert tag_by_slug(slug) == tag
    assert tag_by_slug("vision") is None
    assert tag_by_slug("") is None


def test_a_rename_to_the_same_slug_keeps_nothing(moderator):
    tag = TagFactory(name="NLP", slug="nlp")
    tag_rename(tag=tag, moderator=moderator, name="nlp", description="Language")
    assert old_slugs() == {}


def test_renaming_back_takes_the_address_back(moderator):
    tag = TagFactory(name="NLP", slug="nlp")
    tag_rename(tag=tag, moderator=moderator, name="Language")
    tag_rename(tag=tag, moderator=moderator, name="NLP")
    assert old_slugs() == {"language": "nlp"}


def test_a_new_tag_takes_an_old_address_as_its_own(moderator):
    tag = TagFactory(name="NLP", slug="nlp")
    tag_rename(tag=tag, moderator=moderator, name="Language")
    new = tag_create(moderator=moderator, name="NLP")
    assert old_slugs() == {}
    assert tag_by_slug("nlp") == new
    assert tag_by_slug("language") == tag


def test_a_merged_tag_s_addresses_lead_to_the_tag_that_stays(moderator):
    source = TagFactory(name="LLM", slug="llm")
    tag_rename(tag=source, moderator=moderator, name="LLMs")
    target = TagFactory(name="Language", slug="language")
    tag_merge(source=Tag.objects.get(pk=source.pk), target=target, moderator=moderator)
    assert old_slugs() == {"llm": "language", "llms": "language"}
    assert tag_by_slug("llm") == target


def test_a_deleted_tag_s_old_addresses_go_with_it(moderator):
    tag = TagFactory(name="NLP", slug="nlp")
    tag_rename(tag=tag, moderator=moderator, name="Language")
    tag_delete(tag=tag, moderator=moderator)
    assert old_slugs() == {}
    assert tag_by_slug("nlp") is None


def test_the_old_address_of_the_page_is_a_permanent_redirect(client, moderator):
    tag = TagFactory(name="NLP", slug="nlp")
    tag_rename(tag=tag, moderator=moderator, name="Language")

    response = client.get("/tags/nlp/?order=new&period=week")
    assert response.status_code == 301
    assert response["Location"] == "/tags/language/?order=new&period=week"
    assert client.get("/tags/nlp/")["Location"] == "/tags/language/"
    assert client.get("/tags/language/").status_code == 200
    assert client.get("/tags/never/").status_code == 404


def test_the_api_finds_the_tag_by_its_old_address(moderator):
    paper = PaperFactory(status=PaperStatus.PUBLISHED)
    member = UserFactory()
    tag = TagFactory(name="NLP", slug="nlp")
    tag_rename(tag=tag, moderator=moderator, name="Language")
    as_member, as_moderator = client_for(member), client_for(moderator)

    added = as_member.post(f"/api/papers/{paper.pk}/tags/", {"tag": "nlp"}, format="json")
    assert added.status_code == 201, added.content
    assert added.json()["slug"] == "language"
    assert PaperTag.objects.filter(paper=paper, tag=tag).exists()

    renamed = as_moderator.patch("/api/tags/nlp/", {"name": "Linguistics"}, format="json")
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["slug"] == "linguistics"
    assert old_slugs() == {"nlp": "linguistics", "language": "linguistics"}
