"""The tasks that follow published papers (settings.PAPERS_CHANGED_TASKS) are sent once by
a bulk move, after its last paper, not once per paper; and never for a move rolled back."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.db import transaction

from curation.services import paper_transition, papers_bulk_transition
from papers.models import Paper, PaperStatus
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db(transaction=True)

RUNS: list[list[str]] = []


@shared_task(name="tests.curation.test_bulk_move_tasks.papers_changed_seen")
def papers_changed_seen() -> None:
    """A task of PAPERS_CHANGED_TASKS for these tests: what it found published when it ran
    (in the test's process: the tests run the tasks they send)."""
    RUNS.append(
        sorted(Paper.objects.filter(status=PaperStatus.PUBLISHED).values_list("title", flat=True))
    )


@pytest.fixture(autouse=True)
def counted(settings):
    settings.PAPERS_CHANGED_TASKS = [f"{__name__}.papers_changed_seen"]
    RUNS.clear()
    yield
    RUNS.clear()


def test_a_bulk_publish_sends_the_tasks_once_after_the_last_paper(moderator):
    papers = [PaperFactory(title=f"P{i}", status=PaperStatus.PENDING) for i in range(5)]
    refused = PaperFactory(title="Already", status=PaperStatus.PUBLISHED)

    outcome = papers_bulk_transition(
        papers=[*papers, refused], moderator=moderator, to_state=PaperStatus.PUBLISHED
    )

    assert len(outcome.done) == 5 and len(outcome.refused) == 1
    assert RUNS == [["Already", "P0", "P1", "P2", "P3", "P4"]]


def test_a_bulk_move_that_moves_nothing_sends_nothing(moderator):
    hidden = PaperFactory(status=PaperStatus.HIDDEN)
    outcome = papers_bulk_transition(
        papers=[hidden], moderator=moderator, to_state=PaperStatus.REJECTED, reason="x"
    )
    assert outcome.refused and RUNS == []


def test_a_single_publish_still_sends_them_when_it_commits(moderator):
    paper = PaperFactory(title="Alone", status=PaperStatus.PENDING)
    paper_transition(paper=paper, moderator=moderator, to_state=PaperStatus.PUBLISHED)
    assert RUNS == [["Alone"]]


def test_a_bulk_move_inside_a_transaction_sends_them_when_it_commits(moderator):
    papers = [PaperFactory(title=f"P{i}", status=PaperStatus.PENDING) for i in range(3)]
    with transaction.atomic():
        papers_bulk_transition(papers=papers, moderator=moderator, to_state="published")
        assert RUNS == []
    assert RUNS == [["P0", "P1", "P2"]]


def test_a_bulk_move_rolled_back_sends_nothing(moderator):
    papers = [PaperFactory(title=f"P{i}", status=PaperStatus.PENDING) for i in range(3)]
    with pytest.raises(RuntimeError), transaction.atomic():
        papers_bulk_transition(papers=papers, moderator=moderator, to_state="published")
        raise RuntimeError("the outer work failed")
    assert RUNS == []
    assert not Paper.objects.filter(status=PaperStatus.PUBLISHED).exists()
