"""The hand-written topic tags of the sample digests (tests/fixtures/topic-tags.json): a
person's topical assignment, by keyword rules over title and abstract, never by the model
under test."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

RULES = Path(__file__).resolve().parents[1] / "fixtures" / "topic-tags.json"


@dataclass(frozen=True)
class TopicRule:
    slug: str
    name: str
    pattern: re.Pattern
    abstract_hits: int

    def matches(self, title: str, abstract: str) -> bool:
        if self.pattern.search(title):
            return True
        return len(self.pattern.findall(abstract or "")) >= self.abstract_hits


def topic_rules() -> list[TopicRule]:
    spec = json.loads(RULES.read_text(encoding="utf-8"))
    return [
        TopicRule(
            slug=tag["slug"],
            name=tag["name"],
            pattern=re.compile(r"\b(?:" + "|".join(tag["keywords"]) + r")\b", re.IGNORECASE),
            abstract_hits=spec["abstract_hits"],
        )
        for tag in spec["tags"]
    ]


def topics_of(title: str, abstract: str) -> list[str]:
    return [rule.slug for rule in topic_rules() if rule.matches(title, abstract)]
