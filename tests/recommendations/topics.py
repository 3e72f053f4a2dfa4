"""The hand-written topic tags of the sample digests (tests/fixtures/topic-tags.json): a
person's topical assignment, by keyword rules over title and abstract, never by the model
under test. Read with the rules' own parser (curation.services.tag_rules)."""

from __future__ import annotations

from pathlib import Path

from curation.services import TagRule, tag_rules_parse

RULES = Path(__file__).resolve().parents[1] / "fixtures" / "topic-tags.json"


def topic_rules() -> list[TagRule]:
    return tag_rules_parse(RULES.read_text(encoding="utf-8"))


def topics_of(title: str, abstract: str) -> list[str]:
    return [rule.slug for rule in topic_rules() if rule.matches(title, abstract)]
