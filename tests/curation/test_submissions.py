"""Members submit papers; duplicates point at the paper that exists."""

import pytest

from config.errors import DomainError
from curation.services import paper_submit
from curation.services.submissions import (
    MSG_ABSTRACT_TOO_LONG,
    MSG_ARXIV_INVALID,
    MSG_DUPLICATE,
    MSG_DUPLICATE_UNSHOWN,
    MSG_TITLE_REQUIRED,
    MSG_TITLE_REQUIRED_NEW_ARXIV,
    MSG_TITLE_TOO_LONG,
    submission_arxiv_id,
)
from papers.models import Paper
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def test_a_submission_enters_as_pending(member):
    paper = paper_submit(
        user=member,
        title="  Attention   Is All You Need ",
        abstract="We propose the Transformer.",
        arxiv_id="https://arxiv.org/abs/1706.03762v7",
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
        paper_submit(user=member, title="Another title", arxiv_id="arXiv:2409.11074v2")
    assert raised.value.extra == {"paper_id": by_arxiv.pk}
    with pytest.raises(DomainError) as raised:
        paper_submit(user=member, title="Another title")
    assert raised.value.extra == {"paper_id": by_title.pk}


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"title": "Fine", "arxiv_id": "not an id"}, "arxiv_id", MSG_ARXIV_INVALID),
        (
            {"title": "Fine", "arxiv_id": "https://example.org/abs/2401.12345"},
            "arxiv_id",
            MSG_ARXIV_INVALID,
        ),
        ({"title": " \u200b "}, "title", MSG_TITLE_REQUIRED),
        ({}, "title", MSG_TITLE_REQUIRED),
        ({"arxiv_id": "2401.12345"}, "title", MSG_TITLE_REQUIRED_NEW_ARXIV),
        ({"title": "x" * 1001}, "title", MSG_TITLE_TOO_LONG),
        ({"title": "Fine", "abstract": "x" * 20_001}, "abstract", MSG_ABSTRACT_TOO_LONG),
    ],
)
def test_invalid_input_names_its_field_and_writes_nothing(member, kwargs, field, message):
    with pytest.raises(DomainError) as raised:
        paper_submit(user=member, **kwargs)
    assert (raised.value.message, raised.value.code, raised.value.status_code) == (
        message,
        "invalid",
        400,
    )
    assert raised.value.extra == {"fields": {field: [message]}}
    assert not Paper.objects.exists()


# Every form a member may paste, and the id the site keys the paper by.
ARXIV_FORMS = [
    ("2401.12345", "2401.12345"),
    ("2401.12345v2", "2401.12345"),
    ("arXiv:2401.12345", "2401.12345"),
    ("https://arxiv.org/abs/2401.12345", "2401.12345"),
    ("https://arxiv.org/pdf/2401.12345v3.pdf", "2401.12345"),
    ("https://huggingface.co/papers/2401.12345", "2401.12345"),
    ("https://hf.co/papers/2401.12345v2", "2401.12345"),  # Hugging Face's short address
    ("arXiv:2401.12345v2 [cs.CL]", "2401.12345"),  # arXiv's citation form
    ("  https://arxiv.org/abs/2401.12345v2?context=cs.LG ", "2401.12345"),
    ("hep-th/9901001", "hep-th/9901001"),
    ("arXiv:hep-th/9901001v2", "hep-th/9901001"),
]


@pytest.mark.parametrize(("given", "expected"), ARXIV_FORMS)
def test_submission_arxiv_id_reads_every_form(given, expected):
    assert submission_arxiv_id(given) == expected


@pytest.mark.parametrize("given", [None, "", "   "])
def test_submission_arxiv_id_of_nothing_is_none(given):
    assert submission_arxiv_id(given) is None


@pytest.mark.parametrize("given", ["2401.1234", "2413.12345", "hello", "arxiv.org/abs/"])
def test_submission_arxiv_id_refuses_what_is_not_an_id(given):
    with pytest.raises(DomainError) as raised:
        submission_arxiv_id(given)
    assert raised.value.extra == {"fields": {"arxiv_id": [MSG_ARXIV_INVALID]}}


@pytest.mark.parametrize(("given", "expected"), ARXIV_FORMS)
def test_a_submission_keeps_the_canonical_id_and_meets_it_again_in_any_form(
    member, other_member, given, expected
):
    paper = paper_submit(user=member, title="Some Result", arxiv_id=given)
    assert Paper.objects.get(pk=paper.pk).arxiv_id == expected
    # The same paper pasted in another form, by another member, with another title.
    for again, _ in ARXIV_FORMS:
        if submission_arxiv_id(again) != expected:
            continue
        with pytest.raises(DomainError) as raised:
            paper_submit(user=member, title="Another Title", arxiv_id=again)
        assert raised.value.extra == {"paper_id": paper.pk}
        with pytest.raises(DomainError) as raised:
            paper_submit(user=other_member, arxiv_id=again)
        assert raised.value.message == MSG_DUPLICATE_UNSHOWN  # pending, not theirs
    assert Paper.objects.count() == 1


@pytest.mark.parametrize(
    ("state", "named"),
    [("published", True), ("pending", False), ("rejected", False), ("hidden", False)],
)
def test_an_arxiv_id_alone_finds_the_paper_that_is_here(member, state, named):
    existing = PaperFactory(title="Known Paper", arxiv_id="2401.12345", status=state)
    with pytest.raises(DomainError) as raised:
        paper_submit(user=member, arxiv_id="https://arxiv.org/pdf/2401.12345v3.pdf")
    assert (raised.value.code, raised.value.status_code) == ("duplicate", 409)
    if named:
        assert (raised.value.message, raised.value.extra) == (
            MSG_DUPLICATE,
            {"paper_id": existing.pk},
        )
    else:
        assert (raised.value.message, raised.value.extra) == (MSG_DUPLICATE_UNSHOWN, {})
    assert Paper.objects.count() == 1


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


def test_a_paper_known_by_title_only_gains_the_id_a_member_gives(member):
    """The title-first-then-id path: a dump brought the paper without an id; a member submits
    it with one; it stays one paper and now carries the id, found by it from then on."""
    known = PaperFactory(title="Sparse Mixtures of Experts", arxiv_id=None)
    with pytest.raises(DomainError) as refused:
        paper_submit(user=member, title="Sparse mixtures of experts", arxiv_id="arXiv:2401.01234v2")
    assert refused.value.extra == {"paper_id": known.pk}
    known.refresh_from_db()
    assert known.arxiv_id == "2401.01234"
    assert Paper.objects.count() == 1
    with pytest.raises(DomainError) as again:
        paper_submit(user=member, arxiv_id="https://arxiv.org/abs/2401.01234")
    assert again.value.extra == {"paper_id": known.pk}


def test_a_paper_with_an_id_keeps_it_when_a_member_gives_another(member):
    known = PaperFactory(title="Sparse Mixtures of Experts", arxiv_id="2401.00001")
    with pytest.raises(DomainError):
        paper_submit(user=member, title="Sparse mixtures of experts", arxiv_id="2401.01234")
    known.refresh_from_db()
    assert known.arxiv_id == "2401.00001"


@pytest.mark.parametrize("given", ["arXiv:2401.01234v2", "https://arxiv.org/abs/2401.01234"])
def test_the_id_a_member_gives_shows_at_once_on_the_pages_readers_share(client, member, given):
    """The paper page's facts are shared between readers under the listing version: the id
    (and version) a member brings moves it on, as any write of what a paper shows does."""
    known = PaperFactory(title="Sparse Mixtures of Experts", arxiv_id=None)
    client.force_login(member)
    assert "arxiv.org/abs/2401.01234" not in client.get(f"/papers/{known.pk}/").content.decode()

    with pytest.raises(DomainError):
        paper_submit(user=member, title="Sparse mixtures of experts", arxiv_id=given)
    assert "arxiv.org/abs/2401.01234" in client.get(f"/papers/{known.pk}/").content.decode()
    with pytest.raises(DomainError):
        paper_submit(user=member, arxiv_id="2401.01234v5")
    assert "v5" in client.get(f"/papers/{known.pk}/").content.decode()
