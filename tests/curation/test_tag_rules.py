"""Tags put by keyword rules (curation.services.tag_rules, `manage.py tags_apply_rules`): on
the sample digests with their topic tags, through the tag services and the log; a second run
adds nothing; a bad file or a member who is not a moderator gets one sentence and nothing is
written."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from config.errors import DomainError
from curation.models import ModerationEvent, PaperTag, Tag
from curation.services import tag_rules_apply, tag_rules_parse
from papers.models import PaperStatus
from tests.factories import ModeratorFactory, PaperFactory, UserFactory

pytestmark = pytest.mark.django_db

SAMPLES = (
    "digest-aug22-plain.txt",
    "digest-mar12-no-title-line.txt",
    "digest-nov13-with-meta.txt",
    "hf-daily-papers.json",
)


def _rules(**extra) -> str:
    spec = {
        "abstract_hits": 2,
        "tags": [
            {"slug": "nerf", "name": "Neural fields", "keywords": ["nerfs?", "radiance fields?"]},
            {"slug": "speech", "name": "Speech", "keywords": ["speech", "tts"]},
        ],
    }
    spec.update(extra)
    return json.dumps(spec)


def test_a_rule_matches_the_title_or_enough_mentions_in_the_abstract():
    nerf, speech = tag_rules_parse(_rules())
    assert nerf.matches("Fast NeRFs for cities", "")
    assert nerf.matches("A paper", "Radiance fields ... a radiance field again.")
    assert not nerf.matches("A paper", "One passing mention of a radiance field.")
    assert not nerf.matches("Nerfed agents", "")  # whole words only
    assert speech.matches("TTS at scale", "")


def test_the_sample_digests_get_their_topic_tags_through_the_services(
    ingest, fixture_path, settings
):
    for name in SAMPLES:
        assert ingest(fixture_path(name).read_bytes(), name=name, publish=True).status == "done"
    PaperFactory(title="A pending NeRF paper", status=PaperStatus.PENDING)
    moderator = ModeratorFactory()
    rules = tag_rules_parse(fixture_path("topic-tags.json").read_text(encoding="utf-8"))
    assert len(rules) >= 10

    counts = tag_rules_apply(rules=rules, moderator=moderator, reason="Keyword rules")

    assert set(counts) == {rule.slug for rule in rules}
    assert Tag.objects.count() == len(rules)
    for rule in rules:
        tag = Tag.objects.get(slug=rule.slug)
        matched, added = counts[rule.slug]
        assert matched == added == tag.paper_count >= 5
        tagged = PaperTag.objects.filter(tag=tag).select_related("paper")
        assert all(rule.matches(pt.paper.title, pt.paper.abstract) for pt in tagged)
        assert all(pt.paper.status == PaperStatus.PUBLISHED for pt in tagged)
    total = PaperTag.objects.count()
    assert ModerationEvent.objects.filter(reason="Keyword rules").count() == total
    # Again: every paper matched still, none tagged anew, nothing logged.
    again = tag_rules_apply(rules=rules, moderator=moderator, reason="Keyword rules")
    assert all(added == 0 for _, added in again.values())
    assert PaperTag.objects.count() == total
    assert ModerationEvent.objects.filter(reason="Keyword rules").count() == total


@pytest.mark.parametrize(
    "text, sentence",
    [
        ("{not json", "The rules file is not JSON"),
        ('{"tags": {}}', 'The rules file must be an object with "tags"'),
        (_rules(abstract_hits=0), 'The rules file must be an object with "tags"'),
        ('{"tags": [{"slug": "a", "name": "A", "keywords": []}]}', "The rules file must be"),
        (
            '{"tags": [{"slug": "a", "name": "A", "keywords": ["(unclosed"]}]}',
            'The keyword "(unclosed" of the tag "a" is not a regular expression',
        ),
    ],
)
def test_a_bad_rules_file_gets_one_sentence_and_writes_nothing(tmp_path, text, sentence):
    moderator = ModeratorFactory(username="mod")
    PaperFactory(title="NeRF for all")
    path = tmp_path / "rules.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("tags_apply_rules", str(path), moderator=moderator.username)
    assert str(refused.value).startswith(sentence)
    assert "\n" not in str(refused.value)
    assert not Tag.objects.exists() and not ModerationEvent.objects.exists()


def test_only_a_moderator_puts_tags_by_rules_and_a_refusal_writes_nothing(tmp_path):
    PaperFactory(title="NeRF for all")
    with pytest.raises(DomainError):
        tag_rules_apply(rules=tag_rules_parse(_rules()), moderator=UserFactory(), reason="x")
    assert not Tag.objects.exists()
    # A tag of the same name under another slug: refused, and the other rule's tag is not
    # left behind either.
    Tag.objects.create(name="Speech", slug="voice")
    with pytest.raises(DomainError):
        tag_rules_apply(rules=tag_rules_parse(_rules()), moderator=ModeratorFactory(), reason="x")
    assert list(Tag.objects.values_list("slug", flat=True)) == ["voice"]
    assert not PaperTag.objects.exists()


def test_the_command_says_what_each_rule_did(tmp_path):
    moderator = ModeratorFactory(username="mod")
    PaperFactory(title="NeRF for all")
    PaperFactory(title="Speech for all")
    PaperFactory(title="Neither")
    path = tmp_path / "rules.json"
    path.write_text(_rules(), encoding="utf-8")
    out = io.StringIO()
    call_command("tags_apply_rules", str(path), moderator="mod", stdout=out)
    assert out.getvalue().splitlines() == [
        "nerf: 1 papers match, 1 tagged now",
        "speech: 1 papers match, 1 tagged now",
    ]
    assert ModerationEvent.objects.filter(reason="Keyword rules of rules.json").count() == 2
    with pytest.raises(CommandError, match='No account is named "nobody"'):
        call_command("tags_apply_rules", str(path), moderator="nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("tags_apply_rules", str(tmp_path / "missing.json"), moderator="mod")
    assert moderator.pk
