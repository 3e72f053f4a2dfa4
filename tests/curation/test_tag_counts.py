"""Tag.paper_count, the number of published papers with the tag: kept exact by every service
that changes it, in the same transaction, so no page counts paper tags to show it."""

import threading

import pytest
from django.db import connection, connections

from curation.models import ModerationEvent, PaperTag, Tag
from curation.services import (
    paper_hide,
    paper_publish,
    paper_reject,
    paper_restore,
    paper_tag_add,
    paper_tag_remove,
    papers_delete,
    tag_counts_refresh,
    tag_create,
    tag_delete,
    tag_merge,
)
from curation.services.tags import MSG_TAG_NOT_PUBLISHED
from papers.models import Paper, PaperStatus
from tests.factories import ModeratorFactory, PaperFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return dict(Tag.objects.values_list("slug", "paper_count"))


def recounted() -> dict[str, int]:
    """What a count over the rows gives, to compare with the stored counts."""
    return {
        tag.slug: PaperTag.objects.filter(tag=tag, paper__status=PaperStatus.PUBLISHED).count()
        for tag in Tag.objects.all()
    }


@pytest.fixture
def people():
    return {"member": UserFactory(), "moderator": ModeratorFactory()}


def test_tagging_and_untagging_count_at_once(people):
    member = people["member"]
    vision = TagFactory(slug="vision")
    papers = PaperFactory.create_batch(3)
    for paper in papers:
        paper_tag_add(paper=paper, tag=vision, user=member)
    paper_tag_add(paper=papers[0], tag=vision, user=member)  # already there: no change
    assert counts() == {"vision": 3}
    paper_tag_remove(paper=papers[1], tag=vision, user=member)
    assert counts() == {"vision": 2} == recounted()


def test_every_move_into_or_out_of_published_counts_the_papers_tags(people):
    member, moderator = people["member"], people["moderator"]
    vision, audio = TagFactory(slug="vision"), TagFactory(slug="audio")
    paper = PaperFactory()
    paper_tag_add(paper=paper, tag=vision, user=member)
    paper_tag_add(paper=paper, tag=audio, user=member)
    assert counts() == {"vision": 1, "audio": 1}

    paper_hide(paper=paper, moderator=moderator, reason="Spam")
    assert counts() == {"vision": 0, "audio": 0}
    paper_restore(paper=paper, moderator=moderator)
    assert counts() == {"vision": 1, "audio": 1} == recounted()


def test_pending_and_rejected_papers_are_not_counted(people):
    moderator = people["moderator"]
    vision = TagFactory(slug="vision")
    pending = PaperFactory(status=PaperStatus.PENDING, first_digest_on=None)
    # A moderator may tag any paper through the rows (a tag put on before a paper was
    # hidden stays on it); only published ones count.
    PaperTag.objects.create(paper=pending, tag=vision)
    tag_counts_refresh(tag_ids=[vision.pk])
    assert counts() == {"vision": 0}
    paper_publish(paper=pending, moderator=moderator)
    assert counts() == {"vision": 1}
    other = PaperFactory(status=PaperStatus.PENDING, first_digest_on=None)
    PaperTag.objects.create(paper=other, tag=vision)
    paper_reject(paper=other, moderator=moderator, reason="Off-topic")
    assert counts() == {"vision": 1} == recounted()


def test_merging_counts_the_kept_tag_once_per_paper(people):
    member, moderator = people["member"], people["moderator"]
    llm = tag_create(moderator=moderator, name="LLM")
    language = tag_create(moderator=moderator, name="Language models")
    both, only_llm, only_language = PaperFactory.create_batch(3)
    for paper, tag in [(both, llm), (both, language), (only_llm, llm), (only_language, language)]:
        paper_tag_add(paper=paper, tag=tag, user=member)
    assert counts() == {"llm": 2, "language-models": 2}

    tag_merge(source=llm, target=language, moderator=moderator)
    assert counts() == {"language-models": 3} == recounted()


def test_deleting_a_tag_or_papers(people):
    member, moderator = people["member"], people["moderator"]
    vision, audio = TagFactory(slug="vision"), TagFactory(slug="audio")
    papers = PaperFactory.create_batch(3)
    for paper in papers:
        paper_tag_add(paper=paper, tag=vision, user=member)
        paper_tag_add(paper=paper, tag=audio, user=member)
    tag_delete(tag=audio, moderator=moderator)
    assert counts() == {"vision": 3}

    assert papers_delete(papers=papers[:2], moderator=moderator) == 2
    assert counts() == {"vision": 1} == recounted()
    assert Paper.objects.count() == 1
    deleted = ModerationEvent.objects.filter(action="delete", target_kind="paper")
    assert sorted(deleted.values_list("target_id", flat=True)) == sorted(p.pk for p in papers[:2])


def test_the_refresh_repairs_counts_written_behind_the_services_back(people):
    vision = TagFactory(slug="vision")
    paper_tag_add(paper=PaperFactory(), tag=vision, user=people["member"])
    Tag.objects.update(paper_count=42)
    tag_counts_refresh()
    assert counts() == {"vision": 1}


# --- Concurrency: real threads, each with its own connection, on PostgreSQL -----------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
)


def _run_at_once(jobs) -> list[BaseException]:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        barrier.wait()
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
def test_tagging_hiding_and_merging_at_once_leave_exact_counts():
    moderator = ModeratorFactory()
    members = [UserFactory() for _ in range(4)]
    vision, audio, speech = (TagFactory(slug=s) for s in ("vision", "audio", "speech"))
    papers = PaperFactory.create_batch(24)
    for paper in papers[:12]:
        paper_tag_add(paper=paper, tag=speech, user=members[0])
    jobs = []
    for i, paper in enumerate(papers):
        member = members[i % len(members)]
        jobs.append(lambda p=paper, m=member: paper_tag_add(paper=p, tag=vision, user=m))
        jobs.append(lambda p=paper, m=member: paper_tag_add(paper=p, tag=audio, user=m))
        if i % 3 == 0:
            jobs.append(lambda p=paper: paper_hide(paper=p, moderator=moderator, reason="Dupe"))
    jobs.append(lambda: tag_merge(source=speech, target=audio, moderator=moderator))

    errors = _run_at_once(jobs)

    # Tagging a paper that was hidden a moment before is refused; nothing else fails.
    assert {str(error) for error in errors} <= {MSG_TAG_NOT_PUBLISHED}
    assert counts() == recounted()
    assert counts()["vision"] == 16  # 24 papers, a third of them hidden
