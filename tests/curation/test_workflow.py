"""The paper workflow: every (from, to) pair of states, with the log written."""

import itertools

import pytest

from accounts.roles import MSG_MODERATORS_ONLY, MSG_SIGN_IN
from config.errors import DomainError
from curation.models import ModerationAction, ModerationEvent, TargetKind
from curation.services import (
    TRANSITIONS,
    paper_hide,
    paper_publish,
    paper_reject,
    paper_restore,
    paper_transition,
    papers_bulk_transition,
)
from curation.services.workflow import (
    MSG_REASON_REQUIRED,
    MSG_TRANSITION_REFUSED,
    MSG_UNKNOWN_STATE,
)
from papers.models import Paper, PaperStatus
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db

ALLOWED = {
    ("pending", "published"): "publish",
    ("pending", "rejected"): "reject",
    ("published", "hidden"): "hide",
    ("hidden", "published"): "restore",
    ("rejected", "published"): "publish",
}
STATES = [s.value for s in PaperStatus]


def test_the_table_is_the_documented_one():
    assert {(str(a), str(b)): str(c) for (a, b), c in TRANSITIONS.items()} == ALLOWED


@pytest.mark.parametrize(("from_state", "to_state"), list(itertools.product(STATES, STATES)))
def test_every_pair_of_states(moderator, from_state, to_state):
    paper = PaperFactory(status=from_state)
    if (from_state, to_state) in ALLOWED:
        moved = paper_transition(
            paper=paper, moderator=moderator, to_state=to_state, reason="Because."
        )
        assert moved.status == to_state
        assert paper.status == to_state
        paper.refresh_from_db()
        assert paper.status == to_state
        event = ModerationEvent.objects.get()
        assert (event.moderator, event.action, event.target_kind, event.target_id) == (
            moderator,
            ALLOWED[(from_state, to_state)],
            TargetKind.PAPER,
            paper.pk,
        )
        assert (event.from_state, event.to_state, event.reason) == (
            from_state,
            to_state,
            "Because.",
        )
        assert event.target_label == paper.title
    else:
        with pytest.raises(DomainError) as raised:
            paper_transition(paper=paper, moderator=moderator, to_state=to_state, reason="x")
        assert raised.value.message == MSG_TRANSITION_REFUSED.format(
            from_state=from_state, to_state=to_state
        )
        assert raised.value.code == "invalid_transition"
        assert raised.value.status_code == 409
        paper.refresh_from_db()
        assert paper.status == from_state
        assert not ModerationEvent.objects.exists()


@pytest.mark.parametrize(
    ("from_state", "to_state"), [("pending", "rejected"), ("published", "hidden")]
)
@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_and_hide_need_a_reason(moderator, from_state, to_state, reason):
    paper = PaperFactory(status=from_state)
    with pytest.raises(DomainError) as raised:
        paper_transition(paper=paper, moderator=moderator, to_state=to_state, reason=reason)
    assert raised.value.message == MSG_REASON_REQUIRED.format(to_state=to_state)
    paper.refresh_from_db()
    assert paper.status == from_state
    assert not ModerationEvent.objects.exists()


def test_publish_needs_no_reason(moderator):
    paper = paper_publish(paper=PaperFactory(status="pending"), moderator=moderator)
    assert paper.status == "published"
    assert ModerationEvent.objects.get().reason == ""


def test_unknown_state_is_refused(moderator):
    with pytest.raises(DomainError) as raised:
        paper_transition(paper=PaperFactory(), moderator=moderator, to_state="deleted")
    assert raised.value.message == MSG_UNKNOWN_STATE.format(state="deleted")


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
def test_only_moderators_and_admins_move_papers(user_of_role, role, allowed):
    paper = PaperFactory(status="pending")
    user = user_of_role(role)
    if allowed:
        paper_publish(paper=paper, moderator=user)
        assert Paper.objects.get().status == "published"
    else:
        with pytest.raises(DomainError) as raised:
            paper_publish(paper=paper, moderator=user)
        expected = MSG_MODERATORS_ONLY if role == "member" else MSG_SIGN_IN
        assert raised.value.message == expected
        assert raised.value.status_code == (403 if role == "member" else 401)
        assert Paper.objects.get().status == "pending"


def test_wrappers(moderator):
    paper = PaperFactory(status="pending")
    paper_reject(paper=paper, moderator=moderator, reason="Off-topic.")
    paper_publish(paper=paper, moderator=moderator)
    paper_hide(paper=paper, moderator=moderator, reason="Spam.")
    paper_restore(paper=paper, moderator=moderator)
    actions = list(ModerationEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["reject", "publish", "hide", "restore"]


def test_the_service_judges_the_state_in_the_database_not_the_stale_object(moderator):
    paper = PaperFactory(status="pending")
    stale = Paper.objects.get(pk=paper.pk)
    paper_publish(paper=paper, moderator=moderator)
    with pytest.raises(DomainError):
        paper_reject(paper=stale, moderator=moderator, reason="Too late.")
    assert Paper.objects.get().status == "published"


def test_publishing_a_submission_gives_it_a_digest_day(moderator):
    paper = PaperFactory(status="pending", first_digest_on=None)
    paper_publish(paper=paper, moderator=moderator)
    paper.refresh_from_db()
    assert paper.first_digest_on is not None
    assert paper.hot_score is not None


def test_bulk_transition_moves_what_it_can_and_reports_the_rest(moderator):
    pending = PaperFactory.create_batch(2, status="pending")
    published = PaperFactory(status="published")
    outcome = papers_bulk_transition(
        papers=[*pending, published], moderator=moderator, to_state="published"
    )
    assert [p.pk for p in outcome.done] == [p.pk for p in pending]
    assert [(p.pk, msg) for p, msg in outcome.refused] == [
        (
            published.pk,
            MSG_TRANSITION_REFUSED.format(from_state="published", to_state="published"),
        )
    ]
    assert set(Paper.objects.values_list("status", flat=True)) == {"published"}
    assert ModerationEvent.objects.filter(action=ModerationAction.PUBLISH).count() == 2


def test_a_paper_deleted_since_it_was_read_is_a_404_not_a_crash(moderator):
    from curation.services.workflow import MSG_PAPER_GONE

    paper = PaperFactory(status=PaperStatus.PENDING)
    gone = Paper.objects.get(pk=paper.pk)
    Paper.objects.filter(pk=paper.pk).delete()
    with pytest.raises(DomainError) as refused:
        paper_publish(paper=gone, moderator=moderator)
    assert (refused.value.status_code, refused.value.message) == (404, MSG_PAPER_GONE)
    outcome = papers_bulk_transition(papers=[gone], moderator=moderator, to_state="published")
    assert outcome.done == [] and [message for _, message in outcome.refused] == [MSG_PAPER_GONE]
