"""Members submit papers; duplicates point at the paper that exists."""

import pytest

from config.errors import DomainError
from curation.services import paper_submit
from curation.services.submissions import (
    MSG_ARXIV_INVALID,
    MSG_DUPLICATE,
    MSG_DUPLICATE_UNSHOWN,
    MSG_TITLE_REQUIRED,
)
from papers.models import Paper
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def test_a_submission_enters_as_pending(member):
    paper = paper_submit(
        user=member,
        title="  Attention   Is All You Need ",
        abstract="We propose the Transformer.",
        arxiv="https://arxiv.org/abs/1706.03762v7",
    )
    paper.refresh_from_db()
    assert (paper.title, paper.title_key, paper.arxiv_id) == (
        "Attention Is All You Need",
        "attentionisallyouneed",
        "1706.03762",
    )
    assert (paper.status, paper.submitted_by, paper.first_digest_on) == (
        "pending",
        member,
        None,
    )
    assert (paper.vote_count, paper.comment_count) == (0, 0)


def test_same_normalized_title_is_a_duplicate(member):
    existing = PaperFactory(title="Sparse-land: A Study")
    with pytest.raises(DomainError) as raised:
        paper_submit(user=member, title="SPARSE LAND a study!", abstract="")
    assert raised.value.message == MSG_DUPLICATE
    assert (raised.value.code, raised.value.status_code) == ("duplicate", 409)
    assert raised.value.extra == {"paper_id": existing.pk}
    assert Paper.objects.count() == 1


@pytest.mark.parametrize("state", ["rejected", "hidden", "pending"])
def test_a_duplicate_the_member_may_not_open_is_not_named(member, moderator, state):
    existing = PaperFactory(title="Quiet Results", status=state)
    with pytest.raises(DomainError) as raised:
        paper_submit(user=member, title="Quiet results")
    assert (raised.value.message, raised.value.extra) == (MSG_DUPLICATE_UNSHOWN, {})
    # Its submitter, or a moderator, is shown which paper it is.
    existing.submitted_by = member
    existing.save(update_fields=["submitted_by"])
    for who in (member, moderator):
        with pytest.raises(DomainError) as raised:
            paper_submit(user=who, title="Quiet results")
        assert raised.value.extra == {"paper_id": existing.pk}


def test_same_arxiv_id_is_a_duplicate_and_wins_over_a_title_match(member):
    by_title = PaperFactory(title="Another Title")
    by_arxiv = PaperFactory(title="Something Else", arxiv_id="2409.11074")
    with pytest.raises(DomainError) as raised:
        paper_submit(user=member, title="Another title", arxiv="arXiv:2409.11074v2")
    assert raised.value.extra == {"paper_id": by_arxiv.pk}
    with pytest.raises(DomainError) as raised:
        paper_submit(user=member, title="Another title")
    assert raised.value.extra == {"paper_id": by_title.pk}


def test_invalid_input(member):
    with pytest.raises(DomainError) as raised:
        paper_submit(user=member, title="Fine", arxiv="not an id")
    assert raised.value.message == MSG_ARXIV_INVALID
    with pytest.raises(DomainError) as raised:
        paper_submit(user=member, title=" \u200b ")
    assert raised.value.message == MSG_TITLE_REQUIRED
    assert not Paper.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("anonymous", False), ("none", False), ("member", True), ("moderator", True), ("admin", True)],
)
def test_who_may_submit(user_of_role, role, allowed):
    user = user_of_role(role)
    if allowed:
        assert paper_submit(user=user, title="A Paper").status == "pending"
    else:
        with pytest.raises(DomainError) as raised:
            paper_submit(user=user, title="A Paper")
        assert raised.value.status_code == 401
