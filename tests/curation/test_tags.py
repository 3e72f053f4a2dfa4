"""The tag vocabulary (moderators, logged) and tags on papers (members)."""

import pytest

from config.errors import DomainError
from curation.models import ModerationEvent, PaperTag, Tag
from curation.services import (
    paper_tag_add,
    paper_tag_remove,
    tag_create,
    tag_delete,
    tag_merge,
    tag_rename,
)
from curation.services.tags import (
    MSG_MERGE_SELF,
    MSG_PAPER_TAG_MISSING,
    MSG_PAPER_TAG_NOT_YOURS,
    MSG_TAG_DESCRIPTION_TOO_LONG,
    MSG_TAG_EXISTS,
    MSG_TAG_GONE,
    MSG_TAG_NAME_REQUIRED,
    MSG_TAG_NAME_TOO_LONG,
    MSG_TAG_NOT_PUBLISHED,
)
from tests.factories import PaperFactory, PaperTagFactory, TagFactory

pytestmark = pytest.mark.django_db


def _events():
    return list(
        ModerationEvent.objects.order_by("id").values_list(
            "action", "target_kind", "target_label", "from_state", "to_state"
        )
    )


def test_create_slugifies_and_logs(moderator):
    tag = tag_create(moderator=moderator, name="  Large  Language Models ", description="LLMs")
    assert (tag.name, tag.slug, tag.description) == (
        "Large Language Models",
        "large-language-models",
        "LLMs",
    )
    assert _events() == [("create", "tag", "Large Language Models", "", "large-language-models")]


def test_create_refuses_duplicates_and_blank_names(moderator):
    tag_create(moderator=moderator, name="Vision")
    with pytest.raises(DomainError) as raised:
        tag_create(moderator=moderator, name="vision")
    assert raised.value.message == MSG_TAG_EXISTS
    assert raised.value.status_code == 409
    with pytest.raises(DomainError) as raised:
        tag_create(moderator=moderator, name="Computer Vision", slug="vision")
    assert raised.value.message == MSG_TAG_EXISTS
    with pytest.raises(DomainError) as raised:
        tag_create(moderator=moderator, name="   ")
    assert raised.value.message == MSG_TAG_NAME_REQUIRED
    assert Tag.objects.count() == 1


def test_a_name_or_description_too_long_is_refused_not_cut(moderator):
    tag = TagFactory(name="Vision", slug="vision", description="Images.")
    for write in (
        lambda **kw: tag_create(moderator=moderator, **kw),
        lambda **kw: tag_rename(tag=tag, moderator=moderator, **kw),
    ):
        with pytest.raises(DomainError) as raised:
            write(name="x" * 65)
        assert (raised.value.message, raised.value.status_code) == (MSG_TAG_NAME_TOO_LONG, 400)
        with pytest.raises(DomainError) as raised:
            write(name="Fine", description="x" * 5001)
        assert raised.value.message == MSG_TAG_DESCRIPTION_TOO_LONG
    assert list(Tag.objects.values_list("name", "description")) == [("Vision", "Images.")]
    assert tag_create(moderator=moderator, name="y" * 64).name == "y" * 64
    assert not ModerationEvent.objects.filter(action="rename").exists()


def test_a_tag_gone_meanwhile_is_refused_with_a_sentence(moderator):
    stale, other = TagFactory(name="Stale", slug="stale"), TagFactory(name="Other", slug="other")
    Tag.objects.filter(pk=stale.pk).delete()  # another moderator's merge or delete
    for write in (
        lambda: tag_rename(tag=stale, moderator=moderator, name="Fresh"),
        lambda: tag_merge(source=stale, target=other, moderator=moderator),
        lambda: tag_merge(source=other, target=stale, moderator=moderator),
        lambda: tag_delete(tag=stale, moderator=moderator),
    ):
        with pytest.raises(DomainError) as raised:
            write()
        assert (raised.value.message, raised.value.status_code) == (MSG_TAG_GONE, 404)
    assert list(Tag.objects.values_list("slug", flat=True)) == ["other"]
    assert not ModerationEvent.objects.exists()


def test_rename_logs_before_and_after(moderator):
    tag = TagFactory(name="NLP", slug="nlp")
    tag_rename(tag=tag, moderator=moderator, name="Language")
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Language", "language")
    assert _events() == [("rename", "tag", "Language", "NLP (nlp)", "Language (language)")]


def test_rename_refuses_a_clash(moderator):
    TagFactory(name="Vision", slug="vision")
    tag = TagFactory(name="NLP", slug="nlp")
    with pytest.raises(DomainError):
        tag_rename(tag=tag, moderator=moderator, name="Vision")
    # Renaming to its own name with another case is fine.
    tag_rename(tag=tag, moderator=moderator, name="nlp")


def test_merge_moves_papers_without_duplicates_and_deletes_the_source(moderator, member):
    source = TagFactory(name="LLM", slug="llm")
    target = TagFactory(name="Language Models", slug="language-models")
    both, only_source, only_target = PaperFactory(), PaperFactory(), PaperFactory()
    PaperTagFactory(paper=both, tag=source)
    kept = PaperTagFactory(paper=both, tag=target, added_by=member)
    PaperTagFactory(paper=only_source, tag=source)
    PaperTagFactory(paper=only_target, tag=target)

    moved = tag_merge(source=source, target=target, moderator=moderator, reason="Same thing.")

    assert moved == 1
    assert not Tag.objects.filter(pk=source.pk).exists()
    assert sorted(PaperTag.objects.values_list("paper_id", "tag_id")) == sorted(
        [(both.pk, target.pk), (only_source.pk, target.pk), (only_target.pk, target.pk)]
    )
    assert PaperTag.objects.get(paper=both).added_by == member
    assert PaperTag.objects.get(paper=both).pk == kept.pk
    assert _events() == [("merge", "tag", "LLM", "LLM (llm)", "Language Models (language-models)")]
    assert ModerationEvent.objects.get().reason == "Same thing."


def test_merge_into_itself_is_refused(moderator):
    tag = TagFactory()
    with pytest.raises(DomainError) as raised:
        tag_merge(source=tag, target=tag, moderator=moderator)
    assert raised.value.message == MSG_MERGE_SELF


def test_delete_takes_the_tag_off_papers_and_logs(moderator):
    tag = TagFactory(name="Old", slug="old")
    PaperTagFactory(tag=tag)
    tag_delete(tag=tag, moderator=moderator, reason="Unused.")
    assert not Tag.objects.exists()
    assert not PaperTag.objects.exists()
    assert _events() == [("delete", "tag", "Old", "Old (old)", "")]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("none", False),
        ("member", False),
        ("moderator", True),
        ("admin", True),
    ],
)
def test_only_moderators_keep_the_vocabulary(user_of_role, role, allowed):
    user = user_of_role(role)
    tag, other = TagFactory(), TagFactory()
    calls = [
        lambda: tag_create(moderator=user, name="Fresh"),
        lambda: tag_rename(tag=tag, moderator=user, name="Renamed"),
        lambda: tag_merge(source=other, target=tag, moderator=user),
        lambda: tag_delete(tag=tag, moderator=user),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(DomainError) as raised:
                call()
            assert raised.value.status_code in (401, 403)
    assert ModerationEvent.objects.count() == (4 if allowed else 0)


def test_members_apply_tags_to_published_papers_only(member):
    tag = TagFactory()
    paper = PaperFactory()
    paper_tag, created = paper_tag_add(paper=paper, tag=tag, user=member)
    assert created
    assert paper_tag.added_by == member
    again, created = paper_tag_add(paper=paper, tag=tag, user=member)
    assert (again.pk, created) == (paper_tag.pk, False)
    for status in ["pending", "rejected", "hidden"]:
        with pytest.raises(DomainError) as raised:
            paper_tag_add(paper=PaperFactory(status=status), tag=tag, user=member)
        assert raised.value.message == MSG_TAG_NOT_PUBLISHED


@pytest.mark.parametrize("role", ["anonymous", "none"])
def test_anonymous_cannot_tag(user_of_role, role):
    with pytest.raises(DomainError) as raised:
        paper_tag_add(paper=PaperFactory(), tag=TagFactory(), user=user_of_role(role))
    assert raised.value.status_code == 401


def test_members_remove_their_own_tags_moderators_any(member, other_member, moderator):
    paper = PaperFactory()
    mine, theirs = TagFactory(), TagFactory()
    paper_tag_add(paper=paper, tag=mine, user=member)
    paper_tag_add(paper=paper, tag=theirs, user=other_member)

    with pytest.raises(DomainError) as raised:
        paper_tag_remove(paper=paper, tag=theirs, user=member)
    assert raised.value.message == MSG_PAPER_TAG_NOT_YOURS
    assert raised.value.status_code == 403

    paper_tag_remove(paper=paper, tag=mine, user=member)
    paper_tag_remove(paper=paper, tag=theirs, user=moderator)
    assert not PaperTag.objects.exists()

    with pytest.raises(DomainError) as raised:
        paper_tag_remove(paper=paper, tag=mine, user=member)
    assert raised.value.message == MSG_PAPER_TAG_MISSING
    assert raised.value.status_code == 404
