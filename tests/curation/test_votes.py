"""Votes: once per member, only on published papers, and a count that never drifts."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from config.errors import DomainError
from curation.models import Vote
from curation.services import paper_hide, paper_recount_votes, vote_cast, vote_withdraw
from curation.services.votes import MSG_NOT_PUBLISHED
from papers.models import Paper
from tests.factories import DEFAULT_PASSWORD, PaperFactory, UserFactory

pytestmark = pytest.mark.django_db


def _count(paper) -> int:
    return Paper.objects.values_list("vote_count", flat=True).get(pk=paper.pk)


def test_cast_once_then_again_changes_nothing(member):
    paper = PaperFactory()
    first = vote_cast(user=member, paper=paper)
    second = vote_cast(user=member, paper=paper)
    assert (first.changed, first.vote_count) == (True, 1)
    assert (second.changed, second.vote_count) == (False, 1)
    assert Vote.objects.count() == 1
    assert _count(paper) == 1
    assert paper.vote_count == 1


def test_withdraw_and_withdraw_again(member, other_member):
    paper = PaperFactory()
    vote_cast(user=member, paper=paper)
    vote_cast(user=other_member, paper=paper)
    assert _count(paper) == 2
    first = vote_withdraw(user=member, paper=paper)
    second = vote_withdraw(user=member, paper=paper)
    assert (first.changed, first.vote_count) == (True, 1)
    assert (second.changed, second.vote_count) == (False, 1)
    assert list(Vote.objects.values_list("user", flat=True)) == [other_member.pk]


def test_votes_raise_the_hot_score(member):
    paper = PaperFactory()
    paper.refresh_from_db()
    before = paper.hot_score
    vote_cast(user=member, paper=paper)
    vote_cast(user=UserFactory(), paper=paper)
    paper.refresh_from_db()
    assert paper.hot_score > before


@pytest.mark.parametrize("status", ["pending", "rejected", "hidden"])
def test_no_votes_on_papers_that_are_not_published(member, status):
    paper = PaperFactory(status=status)
    with pytest.raises(DomainError) as raised:
        vote_cast(user=member, paper=paper)
    assert raised.value.message == MSG_NOT_PUBLISHED
    assert raised.value.status_code == 409
    with pytest.raises(DomainError):
        vote_withdraw(user=member, paper=paper)
    assert not Vote.objects.exists()
    assert _count(paper) == 0


def test_hiding_keeps_the_votes_frozen(member, moderator):
    paper = PaperFactory()
    vote_cast(user=member, paper=paper)
    paper_hide(paper=paper, moderator=moderator, reason="Spam.")
    with pytest.raises(DomainError):
        vote_withdraw(user=member, paper=paper)
    assert _count(paper) == 1


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("anonymous", False), ("none", False), ("member", True), ("moderator", True), ("admin", True)],
)
def test_who_may_vote(user_of_role, role, allowed):
    paper = PaperFactory()
    user = user_of_role(role)
    if allowed:
        assert vote_cast(user=user, paper=paper).vote_count == 1
        assert vote_withdraw(user=user, paper=paper).vote_count == 0
    else:
        with pytest.raises(DomainError) as raised:
            vote_cast(user=user, paper=paper)
        assert raised.value.status_code == 401
        with pytest.raises(DomainError):
            vote_withdraw(user=user, paper=paper)


def test_inactive_users_cannot_vote():
    paper = PaperFactory()
    with pytest.raises(DomainError):
        vote_cast(user=UserFactory(is_active=False), paper=paper)


def test_recount_repairs_a_drifted_count(member):
    paper, other = PaperFactory(), PaperFactory()
    vote_cast(user=member, paper=paper)
    Paper.objects.filter(pk=paper.pk).update(vote_count=7)
    Paper.objects.filter(pk=other.pk).update(vote_count=3)
    assert paper_recount_votes() == 2
    assert (_count(paper), _count(other)) == (1, 0)


# --- Concurrency: real threads, each with its own connection, on PostgreSQL -----------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
)
# PostgreSQL allows 100 connections by default; the 200-member test keeps at most this many
# open at once (each thread still votes in its own connection and transaction).
MAX_CONNECTIONS = 40


def _run_at_once(jobs, *, max_connections: int) -> list[BaseException]:
    barrier = threading.Barrier(len(jobs))
    gate = threading.BoundedSemaphore(max_connections)
    errors: list[BaseException] = []

    def run(job):
        barrier.wait()
        with gate:
            try:
                job()
            except BaseException as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
            finally:
                connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return errors


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_fifty_threads_voting_as_one_member_give_one_vote():
    paper = PaperFactory()
    member = UserFactory()
    outcomes = []

    def job():
        outcomes.append(vote_cast(user=member, paper=paper))

    errors = _run_at_once([job] * 50, max_connections=50)
    assert errors == []
    assert sum(o.changed for o in outcomes) == 1
    assert Vote.objects.filter(paper=paper).count() == 1
    assert _count(paper) == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_hundred_members_voting_at_once_give_exactly_two_hundred():
    paper = PaperFactory()
    users = get_user_model().objects.bulk_create(
        UserFactory.build(username=f"voter{i}", password=DEFAULT_PASSWORD) for i in range(200)
    )

    def job_for(user):
        return lambda: vote_cast(user=user, paper=paper)

    errors = _run_at_once([job_for(u) for u in users], max_connections=MAX_CONNECTIONS)
    assert errors == []
    assert Vote.objects.filter(paper=paper).count() == 200
    assert _count(paper) == 200


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_casting_and_withdrawing_at_once_keeps_the_count_equal_to_the_rows():
    paper = PaperFactory()
    users = [UserFactory() for _ in range(30)]
    for user in users[:15]:
        vote_cast(user=user, paper=paper)
    jobs = [lambda u=u: vote_withdraw(user=u, paper=paper) for u in users[:15]]
    jobs += [lambda u=u: vote_cast(user=u, paper=paper) for u in users]
    errors = _run_at_once(jobs, max_connections=MAX_CONNECTIONS)
    assert errors == []
    assert _count(paper) == Vote.objects.filter(paper=paper).count()
