"""Tags put on the published papers by keyword rules: how a team starts its vocabulary from
papers already there, and how the sample digests get the topic tags the recommendations are
measured on (tests/fixtures/topic-tags.json, `make demo`).

A rules file is JSON: `{"abstract_hits": 2, "tags": [{"slug", "name", "keywords": [...]}]}`.
A keyword is a regular expression matched case-insensitively as a whole word (`\\b...\\b`). A
paper gets a tag when one of its keywords is in the paper's title, or occurs at least
`abstract_hits` times in its abstract (one passing mention is not the paper's topic). A tag
missing from the vocabulary is created; every tag put on a paper goes through the tag services
and the moderation log, with the file's name as the reason. Running the same file again adds
nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from accounts.roles import Viewer, require_moderator
from config.errors import DomainError
from curation.models import Tag
from curation.services.tags import paper_tag_apply, tag_create
from papers.models import Paper

MSG_NOT_JSON = "The rules file is not JSON: {error}."
MSG_SHAPE = (
    'The rules file must be an object with "tags": a list of objects, each with a "slug", a '
    '"name" and a list of "keywords" (and "abstract_hits", a whole number of 1 or more).'
)
MSG_BAD_KEYWORD = (
    'The keyword "{keyword}" of the tag "{slug}" is not a regular expression: {error}.'
)
# Papers read from the database at a time.
CHUNK = 500


@dataclass(frozen=True)
class TagRule:
    slug: str
    name: str
    pattern: re.Pattern
    abstract_hits: int

    def matches(self, title: str, abstract: str) -> bool:
        if self.pattern.search(title or ""):
            return True
        return len(self.pattern.findall(abstract or "")) >= self.abstract_hits


def tag_rules_parse(text: str) -> list[TagRule]:
    """The rules of a rules file's text; a DomainError of one sentence when it is not one."""
    try:
        spec = json.loads(text)
    except ValueError as error:
        raise DomainError(MSG_NOT_JSON.format(error=error)) from None
    if not isinstance(spec, dict) or not isinstance(spec.get("tags"), list):
        raise DomainError(MSG_SHAPE)
    hits = spec.get("abstract_hits", 1)
    if isinstance(hits, bool) or not isinstance(hits, int) or hits < 1:
        raise DomainError(MSG_SHAPE)
    rules = []
    for tag in spec["tags"]:
        if not (
            isinstance(tag, dict)
            and isinstance(tag.get("slug"), str)
            and isinstance(tag.get("name"), str)
            and isinstance(tag.get("keywords"), list)
            and tag["keywords"]
            and all(isinstance(k, str) and k for k in tag["keywords"])
        ):
            raise DomainError(MSG_SHAPE)
        for keyword in tag["keywords"]:
            try:
                re.compile(keyword)
            except re.error as error:
                raise DomainError(
                    MSG_BAD_KEYWORD.format(keyword=keyword, slug=tag["slug"], error=error)
                ) from None
        pattern = re.compile(r"\b(?:" + "|".join(tag["keywords"]) + r")\b", re.IGNORECASE)
        rules.append(TagRule(tag["slug"], tag["name"], pattern, hits))
    return rules


@transaction.atomic
def tag_rules_apply(
    *, rules: Sequence[TagRule], moderator: Viewer, reason: str
) -> dict[str, tuple[int, int]]:
    """Put each rule's tag on the published papers it matches (creating the tag when the
    vocabulary has no tag of its slug). Returns {slug: (papers matched, papers that gained
    the tag)}. All or nothing: a refused tag (a name another tag has) leaves no tag put."""
    moderator = require_moderator(moderator)
    tags: dict[str, Tag] = {}
    for rule in rules:
        found = Tag.objects.filter(slug=rule.slug).first()
        tags[rule.slug] = found or tag_create(moderator=moderator, name=rule.name, slug=rule.slug)
    counts = {rule.slug: [0, 0] for rule in rules}
    published = Paper.objects.published().order_by("pk").only("pk", "title", "abstract")
    after = 0
    while chunk := list(published.filter(pk__gt=after)[:CHUNK]):
        after = chunk[-1].pk
        for paper in chunk:
            for rule in rules:
                if rule.matches(paper.title, paper.abstract):
                    counts[rule.slug][0] += 1
                    if paper_tag_apply(
                        paper=paper, tag=tags[rule.slug], moderator=moderator, reason=reason
                    ):
                        counts[rule.slug][1] += 1
    return {slug: (matched, added) for slug, (matched, added) in counts.items()}
