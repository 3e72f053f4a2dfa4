"""The inbox's writers on the real database: each kind of event, for whom, once; never for
the member who did it, never after an unfollow, never about what the recipient may not see,
and only once the write that caused it committed."""

from __future__ import annotations

import pytest
from django.db import transaction

from curation.services import (
    comment_create,
    comment_delete,
    comment_edit,
    comment_hide,
    paper_hide,
    paper_publish,
    paper_tag_add,
)
from lists.services import list_create, list_item_add, list_update
from notifications.models import Follow, Notification, NotificationKind, PaperAnnouncement
from notifications.services import (
    comment_notify,
    follow_create,
    follow_delete,
    papers_announce,
    presenter_notify,
)
from papers.models import PaperStatus
from readinggroup.services import (
    session_create,
    session_paper_presenter_set,
    session_paper_propose,
    session_paper_volunteer,
)
from tests.factories import PaperFactory, PaperTagFactory, TagFactory, UserFactory
from tests.readinggroup.conftest import next_week

pytestmark = pytest.mark.django_db


def inbox(user) -> list[tuple[str, str]]:
    """(kind, event_key) of the member's items, newest first."""
    return list(
        Notification.objects.filter(recipient=user).order_by("-id").values_list("kind", "event_key")
    )


# --- The two promises of the feature ---------------------------------------------------------


def test_a_reply_to_a_comment_reaches_its_authors_inbox(committed, ada, bob, paper):
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    with committed():
        answer = comment_create(user=bob, paper=paper, body="The first two.", parent=question)

    item = Notification.objects.get(recipient=ada)
    assert (item.kind, item.actor, item.paper, item.comment) == (
        NotificationKind.REPLY,
        bob,
        paper,
        answer,
    )
    assert item.read_at is None and item.unread is True
    assert inbox(bob) == []  # the replier is told nothing of their own reply


def test_a_session_with_two_papers_and_two_presenters_appears_in_both_presenters_inboxes(
    committed, ada, bob
):
    organizer = UserFactory(username="organizer")
    first, second = PaperFactory(title="First paper"), PaperFactory(title="Second paper")
    with committed():
        session = session_create(
            organizer=organizer,
            title="Attention week",
            local_start=next_week(),
            time_zone="Europe/Paris",
            duration_minutes=90,
        )
        rows = [
            session_paper_propose(session=session, paper_id=p.pk, actor=organizer).session_paper
            for p in (first, second)
        ]
    with committed():
        session_paper_presenter_set(session_paper=rows[0], actor=organizer, presenter=ada)
        session_paper_presenter_set(session_paper=rows[1], actor=organizer, presenter=bob)

    for member, paper in ((ada, first), (bob, second)):
        item = Notification.objects.get(recipient=member)
        assert (item.kind, item.session, item.paper, item.actor) == (
            NotificationKind.MADE_PRESENTER,
            session,
            paper,
            organizer,
        )
    assert inbox(organizer) == []


# --- Comments -------------------------------------------------------------------------------


def test_a_mention_reaches_the_member_named_whatever_the_case(committed, ada, bob, cyd, paper):
    with committed():
        comment = comment_create(
            user=bob, paper=paper, body="@ADA see this; @nobody and ada@example.org do not count"
        )
    assert inbox(ada) == [(NotificationKind.MENTION, f"comment:{comment.pk}")]
    assert inbox(cyd) == [] and inbox(bob) == []


def test_nobody_is_told_of_their_own_comment(committed, ada, paper):
    follow_create(user=ada, kind="paper", paper=paper.pk)
    mine = comment_create(user=ada, paper=paper, body="A first thought.")
    with committed():
        comment_create(user=ada, paper=paper, body="And @ada answers herself.", parent=mine)
    assert inbox(ada) == []


def test_one_item_per_comment_of_its_most_specific_kind_and_none_twice(committed, ada, bob, paper):
    follow_create(user=ada, kind="paper", paper=paper.pk)
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    with committed():
        answer = comment_create(user=bob, paper=paper, body="@ada the first two.", parent=question)
    assert inbox(ada) == [(NotificationKind.REPLY, f"comment:{answer.pk}")]

    # The task delivered again (a retry, a broker's second delivery): nothing more.
    comment_notify(comment_id=answer.pk)
    comment_notify(comment_id=answer.pk)
    assert Notification.objects.filter(recipient=ada).count() == 1


def test_an_edit_that_names_a_member_tells_them_once(committed, ada, bob, cyd, paper):
    with committed():
        comment = comment_create(user=bob, paper=paper, body="Good point.")
    with committed():
        comment_edit(comment=comment, user=bob, body="Good point, @cyd.")
    with committed():
        comment_edit(comment=comment, user=bob, body="Good point, @cyd!")
    assert inbox(cyd) == [(NotificationKind.MENTION, f"comment:{comment.pk}")]
    assert inbox(ada) == []


def test_followers_of_the_paper_hear_of_new_comments_until_they_unfollow(
    committed, ada, bob, paper
):
    follow, created = follow_create(user=ada, kind="paper", paper=paper.pk)
    assert created
    with committed():
        first = comment_create(user=bob, paper=paper, body="Interesting.")
    assert inbox(ada) == [(NotificationKind.PAPER_COMMENT, f"comment:{first.pk}")]
    assert Notification.objects.get(recipient=ada).follow == follow

    follow_delete(follow=follow, user=ada)
    with committed():
        comment_create(user=bob, paper=paper, body="Still interesting.")
    assert len(inbox(ada)) == 1


def test_an_unfollow_stops_an_item_whose_task_has_not_run_yet(
    django_capture_on_commit_callbacks, ada, bob, paper
):
    follow, _ = follow_create(user=ada, kind="paper", paper=paper.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        comment_create(user=bob, paper=paper, body="Interesting.")
    follow_delete(follow=follow, user=ada)
    for callback in callbacks:
        callback()
    assert inbox(ada) == []


def test_followers_of_a_list_hear_of_comments_on_its_papers_while_they_may_open_it(
    committed, ada, bob, cyd, paper
):
    team = list_create(owner=cyd, name="Team picks", visibility="team")
    list_item_add(paper_list=team, user=cyd, paper=paper)
    follow_create(user=ada, kind="list", paper_list=team.pk)
    with committed():
        first = comment_create(user=bob, paper=paper, body="Interesting.")
    item = Notification.objects.get(recipient=ada)
    assert (item.kind, item.paper_list, item.comment) == (
        NotificationKind.LIST_COMMENT,
        team,
        first,
    )

    list_update(paper_list=team, user=cyd, visibility="personal")  # no longer ada's to open
    with committed():
        comment_create(user=bob, paper=paper, body="Interesting again.")
    assert len(inbox(ada)) == 1


def test_a_comment_hidden_or_deleted_before_its_task_runs_tells_nobody(
    django_capture_on_commit_callbacks, ada, bob, moderator, paper
):
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    with django_capture_on_commit_callbacks() as callbacks:
        hidden = comment_create(user=bob, paper=paper, body="Spam @ada", parent=question)
        deleted = comment_create(user=bob, paper=paper, body="Oops @ada", parent=question)
    comment_hide(comment=hidden, moderator=moderator, reason="Spam")
    comment_delete(comment=deleted, user=bob)
    for callback in callbacks:
        callback()
    assert inbox(ada) == []


def test_a_paper_hidden_before_the_task_runs_tells_only_those_who_may_still_open_it(
    django_capture_on_commit_callbacks, ada, bob, moderator, paper
):
    with django_capture_on_commit_callbacks() as callbacks:
        comment = comment_create(user=bob, paper=paper, body="@ada and @mod, look.")
    paper_hide(paper=paper, moderator=moderator, reason="Off topic")
    for callback in callbacks:
        callback()
    assert inbox(ada) == []
    assert inbox(moderator) == [(NotificationKind.MENTION, f"comment:{comment.pk}")]


def test_nothing_is_told_of_a_rolled_back_comment(committed, ada, bob, paper):
    question = comment_create(user=ada, paper=paper, body="Which heads matter?")
    with committed():
        try:
            with transaction.atomic():
                comment_create(user=bob, paper=paper, body="The first two.", parent=question)
                raise RuntimeError("the request failed after writing")
        except RuntimeError:
            pass
    assert inbox(ada) == []


# --- Reading group ---------------------------------------------------------------------------


def test_a_member_who_volunteers_is_not_told_of_it(committed, ada):
    organizer = UserFactory(username="organizer")
    paper = PaperFactory()
    session = session_create(
        organizer=organizer,
        title="Attention week",
        local_start=next_week(),
        time_zone="UTC",
        duration_minutes=60,
    )
    row = session_paper_propose(session=session, paper_id=paper.pk, actor=organizer).session_paper
    with committed():
        session_paper_volunteer(session_paper=row, actor=ada)
    assert inbox(ada) == []


def test_a_presenter_replaced_before_the_task_runs_is_not_told(ada, bob):
    organizer = UserFactory(username="organizer")
    paper = PaperFactory()
    session = session_create(
        organizer=organizer,
        title="Attention week",
        local_start=next_week(),
        time_zone="UTC",
        duration_minutes=60,
    )
    row = session_paper_propose(session=session, paper_id=paper.pk, actor=organizer).session_paper
    session_paper_presenter_set(session_paper=row, actor=organizer, presenter=bob)
    args = {"session_id": session.pk, "paper_id": paper.pk, "actor_id": organizer.pk}
    assert presenter_notify(member_id=ada.pk, **args) == 0
    assert presenter_notify(member_id=bob.pk, **args) == 1
    assert presenter_notify(member_id=bob.pk, **args) == 1  # offered again, recorded once
    assert inbox(bob) == [(NotificationKind.MADE_PRESENTER, f"presenter:{session.pk}:{paper.pk}")]


# --- New papers: tags and saved searches -----------------------------------------------------


def test_a_paper_published_with_a_followed_tag_is_told_once(committed, ada, bob, moderator):
    vision = TagFactory(name="Vision", slug="vision")
    pending = PaperFactory(title="Seeing Things", status=PaperStatus.PENDING)
    PaperTagFactory(paper=pending, tag=vision)
    follow_create(user=ada, kind="tag", tag="vision")
    with committed():
        paper_publish(paper=pending, moderator=moderator)
    item = Notification.objects.get(recipient=ada)
    assert (item.kind, item.paper, item.tag) == (NotificationKind.TAG_PAPER, pending, vision)
    assert inbox(bob) == []

    # Hidden and restored, or swept again: not news again.
    assert papers_announce() == 0
    paper_hide(paper=pending, moderator=moderator, reason="Duplicate")
    with committed():
        paper_publish(paper=pending, moderator=moderator)
    assert len(inbox(ada)) == 1


def test_a_tag_put_on_a_published_paper_tells_its_followers_but_not_who_put_it(
    committed, ada, bob, cyd, paper
):
    PaperAnnouncement.objects.create(paper=paper)  # published (and told of) before
    TagFactory(name="Vision", slug="vision")
    follow_create(user=ada, kind="tag", tag="vision")
    follow_create(user=bob, kind="tag", tag="vision")
    tag = follow_create(user=cyd, kind="tag", tag="vision")[0].tag
    with committed():
        paper_tag_add(paper=paper, tag=tag, user=bob)
    assert inbox(ada) == [(NotificationKind.TAG_PAPER, f"paper:{paper.pk}")]
    assert inbox(cyd) == [(NotificationKind.TAG_PAPER, f"paper:{paper.pk}")]
    assert inbox(bob) == []
    assert Notification.objects.get(recipient=ada).actor == bob


def test_an_unfollowed_tag_tells_nothing(committed, ada, moderator):
    vision = TagFactory(name="Vision", slug="vision")
    pending = PaperFactory(status=PaperStatus.PENDING)
    PaperTagFactory(paper=pending, tag=vision)
    follow, _ = follow_create(user=ada, kind="tag", tag="vision")
    follow_delete(follow=follow, user=ada)
    with committed():
        paper_publish(paper=pending, moderator=moderator)
    assert inbox(ada) == []
    assert PaperAnnouncement.objects.filter(paper=pending).exists()


def test_hidden_rejected_and_pending_papers_are_not_news(ada, moderator):
    vision = TagFactory(name="Vision", slug="vision")
    follow_create(user=ada, kind="tag", tag="vision")
    for status in (PaperStatus.HIDDEN, PaperStatus.REJECTED, PaperStatus.PENDING):
        PaperTagFactory(paper=PaperFactory(status=status), tag=vision)
    assert papers_announce() == 0
    assert inbox(ada) == []


def test_a_saved_search_tells_of_the_new_papers_it_finds(committed, ada, bob, moderator):
    from papers.services.search_index import search_index_refresh

    follow_create(user=ada, kind="search", query="sparse  ROUTING", name="Routing")
    follow_create(user=bob, kind="search", query="sparse routing -mixture")
    found = PaperFactory(
        title="Sparse routing of experts", abstract="A mixture.", status=PaperStatus.PENDING
    )
    missed = PaperFactory(title="Dense layers", abstract="Nothing.", status=PaperStatus.PENDING)
    search_index_refresh()  # PostgreSQL: their vectors (a writer's task, within seconds)
    with committed():
        paper_publish(paper=found, moderator=moderator)
        paper_publish(paper=missed, moderator=moderator)
    item = Notification.objects.get(recipient=ada)
    assert (item.kind, item.paper, item.follow.name) == (
        NotificationKind.SEARCH_PAPER,
        found,
        "Routing",
    )
    assert inbox(bob) == []  # "-mixture" leaves it out


def test_a_dump_of_many_papers_is_told_in_batches_of_few_queries(
    ada, bob, django_assert_max_num_queries
):
    vision = TagFactory(name="Vision", slug="vision")
    follow_create(user=ada, kind="tag", tag="vision")
    follow_create(user=bob, kind="search", query="graph")
    papers = PaperFactory.create_batch(1200, abstract="Plain words.")
    for paper in papers[::100]:
        PaperTagFactory(paper=paper, tag=vision)
    graph = PaperFactory(title="A graph paper")
    from papers.services.search_index import search_index_refresh

    search_index_refresh()
    # Three batches of 500: each reads the waiting ids, the tags' followers, the saved
    # searches and one search, and writes its items and announcements; then one last read.
    with django_assert_max_num_queries(3 * 12 + 4):
        assert papers_announce(batch_size=500) == 1201
    assert len(inbox(ada)) == 12
    assert inbox(bob) == [(NotificationKind.SEARCH_PAPER, f"paper:{graph.pk}")]
    assert papers_announce() == 0


def test_an_ingested_dump_is_told_once_it_commits(committed, ingest, fixture_path, ada):
    follow_create(user=ada, kind="search", query="radial basis", name="RBF")
    with committed():
        dump = ingest(fixture_path("digest-aug22-plain.txt").read_bytes(), publish=True)
    assert dump.status == "done"
    titles = list(Notification.objects.filter(recipient=ada).values_list("paper__title", flat=True))
    assert any(title.startswith("NeuRBF") for title in titles)
    assert not Follow.objects.filter(kind="tag").exists()
