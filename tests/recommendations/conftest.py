"""Fixtures of the recommendations' tests: the sample digests as published papers, and the
topic tags a person gave them (tests/fixtures/topic-tags.json)."""

from __future__ import annotations

import pytest

from curation.models import PaperTag, Tag
from curation.services import tag_counts_refresh
from papers.models import Paper
from tests.recommendations.topics import topic_rules

SAMPLES = [
    "digest-aug22-plain.txt",
    "digest-mar12-no-title-line.txt",
    "digest-nov13-with-meta.txt",
    "hf-daily-papers.json",
]


@pytest.fixture(autouse=True)
def _forget_loaded_vectors():
    """Vectors a refresh kept in this process belong to one test's database."""
    from recommendations.services import targets_forget

    targets_forget()
    yield
    targets_forget()


@pytest.fixture
def sample_papers(ingest, fixture_path):
    """The sample digests (184 papers on three digest days and a JSON dump of four),
    ingested as published papers."""
    for name in SAMPLES:
        dump = ingest(fixture_path(name).read_bytes(), name=name, publish=True)
        assert dump.status == "done", dump.error
    return Paper.objects.order_by("pk")


@pytest.fixture
def topic_tags(sample_papers):
    """The hand-written topic tags, applied to the sample papers: {slug: {paper ids}}."""
    rules = topic_rules()
    tags = {rule.slug: Tag.objects.create(name=rule.name, slug=rule.slug) for rule in rules}
    tagged: dict[str, set[int]] = {rule.slug: set() for rule in rules}
    rows = []
    for paper in sample_papers:
        for rule in rules:
            if rule.matches(paper.title, paper.abstract):
                tagged[rule.slug].add(paper.pk)
                rows.append(PaperTag(paper=paper, tag=tags[rule.slug]))
    PaperTag.objects.bulk_create(rows)
    tag_counts_refresh()
    return tagged
