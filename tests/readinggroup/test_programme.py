"""A session's programme: proposing papers, volunteering, presenters, the papers' states, and
removing them; who may do each and when, and the events for notifications."""

import pytest
from django.contrib.auth.models import AnonymousUser

from config.errors import DomainError
from papers.models import PaperStatus
from readinggroup.events import SessionEvent, SessionEventKind
from readinggroup.models import SessionPaper, SessionPaperStatus
from readinggroup.services import (
    PAPER_TRANSITIONS,
    session_cancel,
    session_paper_confirm,
    session_paper_mark_presented,
    session_paper_presenter_set,
    session_paper_propose,
    session_paper_remove,
    session_paper_step_down,
    session_paper_transition,
    session_paper_volunteer,
)
from readinggroup.services import programme as rules
from readinggroup.services._guards import (
    MSG_MANAGERS_ONLY,
    MSG_SESSION_CANCELLED,
    MSG_SESSION_STARTED,
)
from tests.factories import PaperFactory, SessionPaperFactory, UserFactory

pytestmark = pytest.mark.django_db

PROPOSED, CONFIRMED, PRESENTED = (
    SessionPaperStatus.PROPOSED,
    SessionPaperStatus.CONFIRMED,
    SessionPaperStatus.PRESENTED,
)


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def made_presenter(row, actor, member) -> SessionEvent:
    return SessionEvent(
        kind=SessionEventKind.MADE_PRESENTER,
        session_id=row.session_id,
        actor_id=actor.pk,
        member_id=member.pk,
        paper_id=row.paper_id,
    )


def sequence(session) -> int:
    session.refresh_from_db()
    return session.sequence


# --- Proposing ----------------------------------------------------------------------------


def test_a_member_proposes_a_published_paper_and_may_present_it(session, paper, member, other):
    plain = session_paper_propose(session=session, paper_id=paper.pk, actor=member)
    second = PaperFactory()
    volunteered = session_paper_propose(
        session=session, paper_id=second.pk, actor=other, volunteer=True
    )

    row = plain.session_paper
    assert (row.status, row.presenter, row.proposed_by) == (PROPOSED, None, member)
    assert plain.events == ()
    assert volunteered.session_paper.presenter == other
    assert volunteered.events == (made_presenter(volunteered.session_paper, other, other),)
    assert sequence(session) == 2


@pytest.mark.parametrize(
    "status", [PaperStatus.PENDING, PaperStatus.HIDDEN, PaperStatus.REJECTED, "missing"]
)
def test_only_published_papers_are_proposed_and_a_hidden_one_is_not_told_apart(
    session, member, moderator, status
):
    paper_id = 999999 if status == "missing" else PaperFactory(status=status).pk

    for actor in (member, moderator):  # a moderator may open it, yet it is not published
        error = refusal(
            lambda a=actor: session_paper_propose(session=session, paper_id=paper_id, actor=a)
        )
        assert (error.status_code, error.message) == (400, rules.MSG_PAPER_NOT_AVAILABLE)
        assert error.extra["fields"] == {"paper": [rules.MSG_PAPER_NOT_AVAILABLE]}
    assert SessionPaper.objects.count() == 0


def test_my_own_pending_submission_is_not_proposed_either(session, member):
    mine = PaperFactory(status=PaperStatus.PENDING, submitted_by=member)

    error = refusal(lambda: session_paper_propose(session=session, paper_id=mine.pk, actor=member))

    assert error.message == rules.MSG_PAPER_NOT_AVAILABLE


def test_a_paper_is_on_a_programme_once(session, paper, member, other):
    session_paper_propose(session=session, paper_id=paper.pk, actor=member)

    error = refusal(lambda: session_paper_propose(session=session, paper_id=paper.pk, actor=other))

    assert (error.status_code, error.message) == (409, rules.MSG_PAPER_TWICE)
    assert SessionPaper.objects.count() == 1
    assert sequence(session) == 1


def test_papers_are_not_proposed_for_a_started_past_or_cancelled_session(
    session, started_session, past_session, paper, member, organizer
):
    for closed in (started_session, past_session):
        error = refusal(
            lambda s=closed: session_paper_propose(session=s, paper_id=paper.pk, actor=member)
        )
        assert (error.status_code, error.message) == (409, MSG_SESSION_STARTED)
    session_cancel(session=session, actor=organizer)
    error = refusal(lambda: session_paper_propose(session=session, paper_id=paper.pk, actor=member))
    assert (error.status_code, error.message) == (409, MSG_SESSION_CANCELLED)


def test_anonymous_readers_propose_nothing(session, paper):
    error = refusal(
        lambda: session_paper_propose(session=session, paper_id=paper.pk, actor=AnonymousUser())
    )
    assert error.status_code == 401


# --- Volunteering and presenters ----------------------------------------------------------


@pytest.fixture
def row(session, paper, member):
    return session_paper_propose(session=session, paper_id=paper.pk, actor=member).session_paper


def test_a_member_volunteers_for_a_paper_without_a_presenter(row, other):
    change = session_paper_volunteer(session_paper=row, actor=other)

    row.refresh_from_db()
    assert row.presenter == other
    assert change.events == (made_presenter(row, other, other),)


def test_a_paper_with_a_presenter_takes_no_volunteer(row, member, other):
    session_paper_volunteer(session_paper=row, actor=other)

    taken = refusal(lambda: session_paper_volunteer(session_paper=row, actor=member))
    again = refusal(lambda: session_paper_volunteer(session_paper=row, actor=other))

    assert (taken.status_code, taken.message) == (409, rules.MSG_HAS_PRESENTER)
    assert (again.status_code, again.message) == (409, rules.MSG_ALREADY_PRESENTER)
    row.refresh_from_db()
    assert row.presenter == other


def test_the_presenter_steps_down_and_only_they_do(row, member, other, organizer):
    session_paper_volunteer(session_paper=row, actor=other)
    for actor in (member, organizer):
        error = refusal(lambda a=actor: session_paper_step_down(session_paper=row, actor=a))
        assert (error.status_code, error.message) == (403, rules.MSG_NOT_PRESENTER)

    change = session_paper_step_down(session_paper=row, actor=other)

    row.refresh_from_db()
    assert row.presenter is None
    assert change.events == ()


def test_the_organizer_or_a_moderator_assigns_changes_and_clears_presenters(
    row, organizer, moderator, member, other
):
    assigned = session_paper_presenter_set(session_paper=row, actor=organizer, presenter=member)
    changed = session_paper_presenter_set(session_paper=row, actor=moderator, presenter=other)
    same = session_paper_presenter_set(session_paper=row, actor=moderator, presenter=other)
    cleared = session_paper_presenter_set(session_paper=row, actor=organizer, presenter=None)

    assert assigned.events == (made_presenter(row, organizer, member),)
    assert changed.events == (made_presenter(row, moderator, other),)
    assert same.events == ()
    assert cleared.events == ()
    row.refresh_from_db()
    assert row.presenter is None
    assert sequence(row.session) == 4  # proposed, assigned, changed, cleared


def test_a_member_may_not_assign_presenters_even_themselves(row, member):
    error = refusal(
        lambda: session_paper_presenter_set(session_paper=row, actor=member, presenter=member)
    )

    assert (error.status_code, error.message) == (403, MSG_MANAGERS_ONLY)


def test_a_presenter_is_an_active_member(row, organizer):
    gone = UserFactory(is_active=False)

    error = refusal(
        lambda: session_paper_presenter_set(session_paper=row, actor=organizer, presenter=gone)
    )

    assert error.extra["fields"] == {"presenter": [rules.MSG_PRESENTER_NOT_MEMBER]}


# --- States -------------------------------------------------------------------------------


def test_the_states_move_one_way_as_the_table_says():
    table = dict(PAPER_TRANSITIONS)
    assert table == {
        PROPOSED: {CONFIRMED},
        CONFIRMED: {PRESENTED},
        PRESENTED: set(),
    }


def test_the_organizer_confirms_a_proposal_and_marks_it_presented_once_the_session_started(
    organizer, started_session, paper, member
):
    row = SessionPaperFactory(session=started_session, paper=paper, status=CONFIRMED)

    change = session_paper_mark_presented(session_paper=row, actor=organizer)

    assert change.session_paper.status == PRESENTED
    assert sequence(started_session) == 1


def test_a_paper_is_not_marked_presented_before_its_session_starts(row, organizer):
    session_paper_confirm(session_paper=row, actor=organizer)

    error = refusal(lambda: session_paper_mark_presented(session_paper=row, actor=organizer))

    assert (error.status_code, error.message) == (409, rules.MSG_NOT_STARTED)
    row.refresh_from_db()
    assert row.status == CONFIRMED


@pytest.mark.parametrize(
    ("start", "to"),
    [(PROPOSED, PRESENTED), (CONFIRMED, CONFIRMED), (PRESENTED, CONFIRMED), (CONFIRMED, PROPOSED)],
)
def test_moves_outside_the_table_are_refused(past_session, organizer, start, to):
    row = SessionPaperFactory(session=past_session, status=start)

    error = refusal(
        lambda: session_paper_transition(session_paper=row, actor=organizer, to_status=to)
    )

    assert (error.status_code, error.message) == (
        409,
        rules.MSG_TRANSITION.format(from_state=start, to_state=to),
    )


def test_a_past_session_changes_only_by_marking_papers_presented(
    past_session, organizer, moderator, member
):
    confirmed = SessionPaperFactory(session=past_session, status=CONFIRMED, proposed_by=member)
    proposed = SessionPaperFactory(session=past_session, status=PROPOSED, proposed_by=member)
    for call in (
        lambda: session_paper_confirm(session_paper=proposed, actor=organizer),
        lambda: session_paper_volunteer(session_paper=proposed, actor=member),
        lambda: session_paper_presenter_set(
            session_paper=confirmed, actor=moderator, presenter=member
        ),
        lambda: session_paper_remove(session_paper=proposed, actor=organizer),
        lambda: session_paper_remove(session_paper=proposed, actor=member),
    ):
        error = refusal(call)
        assert (error.status_code, error.message) == (409, MSG_SESSION_STARTED)

    session_paper_mark_presented(session_paper=confirmed, actor=moderator)

    confirmed.refresh_from_db()
    assert confirmed.status == PRESENTED


def test_a_cancelled_session_s_papers_are_not_marked_presented(past_session, organizer):
    past_session.status = "cancelled"
    past_session.save()
    row = SessionPaperFactory(session=past_session, status=CONFIRMED)

    error = refusal(lambda: session_paper_mark_presented(session_paper=row, actor=organizer))

    assert error.message == MSG_SESSION_CANCELLED


def test_members_neither_confirm_nor_mark_presented(row, started_session, member):
    confirmed = SessionPaperFactory(session=started_session, status=CONFIRMED)
    for call in (
        lambda: session_paper_confirm(session_paper=row, actor=member),
        lambda: session_paper_mark_presented(session_paper=confirmed, actor=member),
    ):
        error = refusal(call)
        assert (error.status_code, error.message) == (403, MSG_MANAGERS_ONLY)


# --- Removing -----------------------------------------------------------------------------


def test_the_organizer_removes_any_paper_and_the_proposer_takes_back_a_proposal(
    session, organizer, member
):
    mine = session_paper_propose(session=session, paper_id=PaperFactory().pk, actor=member)
    other = session_paper_propose(session=session, paper_id=PaperFactory().pk, actor=member)
    session_paper_confirm(session_paper=other.session_paper, actor=organizer)

    session_paper_remove(session_paper=mine.session_paper, actor=member)
    error = refusal(lambda: session_paper_remove(session_paper=other.session_paper, actor=member))
    assert (error.status_code, error.message) == (403, rules.MSG_WITHDRAW)
    session_paper_remove(session_paper=other.session_paper, actor=organizer)

    assert SessionPaper.objects.count() == 0
    assert sequence(session) == 5


def test_another_member_removes_nothing_and_a_removed_paper_is_gone(row, other, organizer):
    error = refusal(lambda: session_paper_remove(session_paper=row, actor=other))
    assert (error.status_code, error.message) == (403, MSG_MANAGERS_ONLY)

    session_paper_remove(session_paper=row, actor=organizer)

    gone = refusal(lambda: session_paper_confirm(session_paper=row, actor=organizer))
    assert (gone.status_code, gone.message) == (404, rules.MSG_PAPER_GONE)
