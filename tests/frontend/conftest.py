"""Fixtures of the web front end's tests: a small published world and its people."""

import datetime

import pytest

from tests.factories import (
    CommentFactory,
    DigestEntryFactory,
    DigestFactory,
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    StaffUserFactory,
    TagFactory,
    UserFactory,
)

HOSTILE = "<script>alert(1)</script>"
DAY = datetime.date(2024, 8, 22)


@pytest.fixture
def world(db):
    """Two published papers on one digest day (one with a hostile title), a pending paper,
    a tag, a comment."""
    from papers.models import PaperStatus

    digest = DigestFactory(date=DAY)
    tag = TagFactory(name="Vision", slug="vision")
    good = PaperFactory(title="Attention Is Enough", abstract="We study attention. " * 30)
    hostile = PaperFactory(title=f"Hostile {HOSTILE}", abstract=f"Abstract {HOSTILE}")
    pending = PaperFactory(title="Waiting Paper", status=PaperStatus.PENDING, first_digest_on=None)
    for position, paper in enumerate([good, hostile], start=1):
        DigestEntryFactory(digest=digest, paper=paper, position=position)
    PaperTagFactory(paper=good, tag=tag)
    comment = CommentFactory(paper=good, body="Nice", body_html="<p>Nice</p>")
    return {
        "good": good,
        "hostile": hostile,
        "pending": pending,
        "tag": tag,
        "comment": comment,
        "digest": digest,
    }


@pytest.fixture
def people(db):
    return {
        "member": UserFactory(username="reader"),
        "moderator": ModeratorFactory(username="mod"),
        "admin": StaffUserFactory(username="boss"),
    }
