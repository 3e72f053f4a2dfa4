"""The "for you" feed's service and reads on a synthetic corpus with clear topics
(tests/recommendations/synthetic.py): who gets what, cold starts, "not interested" at once,
and that a feed is its member's own."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from curation.services import paper_mark_set, paper_mark_unset, vote_cast, vote_withdraw
from lists.services import list_create, list_item_add
from recommendations.models import ForYouItem, ForYouRanking, ForYouStatus
from recommendations.selectors import (
    FOR_YOU_MIN_POSITIVES,
    MSG_FOR_YOU_NEW,
    MSG_FOR_YOU_READY,
    attach_for_you_because,
    for_you_papers,
    for_you_positive_ids,
    for_you_state,
)
from recommendations.services import (
    features_fit,
    for_you_rank,
    for_you_rank_all,
    for_you_schedule,
)
from recommendations.services.for_you import _scheduled_key, _store
from tests.factories import UserFactory
from tests.recommendations.synthetic import topic_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    papers = topic_corpus(per_topic=20)
    version = features_fit()
    assert version is not None and version.status == "ready"
    return papers


def topic_of(paper_id: int, corpus) -> str:
    return next(t for t, papers in corpus.items() if any(p.pk == paper_id for p in papers))


def test_a_member_who_upvoted_one_topic_gets_that_topic_first(corpus):
    member = UserFactory()
    liked = corpus["graphs"][:4]
    for paper in liked:
        vote_cast(user=member, paper=paper)

    ranking = for_you_rank(user_id=member.pk)

    assert ranking.status == ForYouStatus.READY
    assert ranking.positive_count == 4 and ranking.refused_count == 0
    assert ranking.candidate_count == 80 - 4
    items = list(ForYouItem.objects.filter(user=member).order_by("rank"))
    assert [item.rank for item in items] == list(range(1, len(items) + 1))
    # The 16 other graph papers come first, every one of them, before any other topic.
    assert {topic_of(item.paper_id, corpus) for item in items[:16]} == {"graphs"}
    assert all(items[i].score >= items[i + 1].score for i in range(len(items) - 1))
    # Each says which of the member's papers it is close to: 1 to 3 of the liked ones.
    liked_ids = {p.pk for p in liked}
    for item in items[:16]:
        assert 1 <= len(item.because) <= 3 and set(item.because) <= liked_ids
    # Never a paper the member already liked.
    assert not liked_ids & {item.paper_id for item in items}


def test_papers_put_on_lists_are_positives_too(corpus):
    member = UserFactory()
    picks = list_create(owner=member, name="Folding")
    for paper in corpus["proteins"][:3]:
        list_item_add(paper_list=picks, user=member, paper=paper)
    # Another member's additions to the member's team list are not the member's taste.
    other = UserFactory()
    team = list_create(owner=other, name="Robots", visibility="team")
    list_item_add(paper_list=team, user=other, paper=corpus["robots"][0])

    assert for_you_positive_ids(user_id=member.pk) == {p.pk for p in corpus["proteins"][:3]}
    for_you_rank(user_id=member.pk)

    first = list(ForYouItem.objects.filter(user=member).order_by("rank")[:10])
    assert {topic_of(item.paper_id, corpus) for item in first} == {"proteins"}


def test_a_cold_start_has_no_feed_and_is_told_what_to_do(corpus):
    member = UserFactory()
    assert for_you_state(viewer=member).message == MSG_FOR_YOU_NEW.format(
        needed=FOR_YOU_MIN_POSITIVES
    )
    for paper in corpus["speech"][: FOR_YOU_MIN_POSITIVES - 1]:
        vote_cast(user=member, paper=paper)

    ranking = for_you_rank(user_id=member.pk)

    assert ranking.status == ForYouStatus.COLD_START
    assert ranking.positive_count == FOR_YOU_MIN_POSITIVES - 1
    assert not ForYouItem.objects.filter(user=member).exists()
    state = for_you_state(viewer=member)
    assert not state.ready
    assert (
        f"needs {FOR_YOU_MIN_POSITIVES} papers and has {FOR_YOU_MIN_POSITIVES - 1}" in state.message
    )
    assert "upvote" in state.message.lower() and "hot feed" in state.message

    vote_cast(user=member, paper=corpus["speech"][5])
    for_you_rank(user_id=member.pk)
    state = for_you_state(viewer=member)
    assert state.ready and state.message == MSG_FOR_YOU_READY
    # A vote taken back makes it a cold start again, and the feed is emptied.
    vote_withdraw(user=member, paper=corpus["speech"][5])
    for_you_rank(user_id=member.pk)
    assert for_you_state(viewer=member).status == ForYouStatus.COLD_START
    assert not ForYouItem.objects.filter(user=member).exists()


def test_not_interested_leaves_the_feed_at_once_and_is_a_negative_next_time(corpus):
    member = UserFactory()
    for paper in corpus["robots"][:4]:
        vote_cast(user=member, paper=paper)
    for_you_rank(user_id=member.pk)
    before = [p.pk for p in for_you_papers(viewer=member)]
    refused = before[0]

    paper_mark_set(user=member, paper=corpus_paper(corpus, refused), kind="not_interested")

    # Read at once, no computation in between: gone, the rest in the same order.
    after = [p.pk for p in for_you_papers(viewer=member)]
    assert after == [pk for pk in before if pk != refused]
    assert ForYouItem.objects.filter(user=member, paper_id=refused).exists()  # still stored

    ranking = for_you_rank(user_id=member.pk)
    assert ranking.refused_count == 1
    assert not ForYouItem.objects.filter(user=member, paper_id=refused).exists()
    # Taken off, the mark no longer hides it.
    paper_mark_unset(user=member, paper=corpus_paper(corpus, refused), kind="not_interested")
    for_you_rank(user_id=member.pk)
    assert refused in [p.pk for p in for_you_papers(viewer=member)]


def corpus_paper(corpus, pk):
    return next(p for papers in corpus.values() for p in papers if p.pk == pk)


def test_a_feed_is_its_member_s_own(corpus):
    alice, bob = UserFactory(), UserFactory()
    for paper in corpus["graphs"][:3]:
        vote_cast(user=alice, paper=paper)
    for paper in corpus["speech"][:3]:
        vote_cast(user=bob, paper=paper)
    for_you_rank_all()

    alice_feed = list(for_you_papers(viewer=alice)[:10])
    bob_feed = list(for_you_papers(viewer=bob)[:10])
    assert {topic_of(p.pk, corpus) for p in alice_feed} == {"graphs"}
    assert {topic_of(p.pk, corpus) for p in bob_feed} == {"speech"}
    # Bob's reasons name Bob's papers only.
    attach_for_you_because(bob_feed, viewer=bob)
    bob_liked = {p.pk: p.title for p in corpus["speech"][:3]}
    for paper in bob_feed:
        assert paper.for_you_because_papers
        assert all(bob_liked[b["id"]] == b["title"] for b in paper.for_you_because_papers)
    # A third member has nothing of theirs.
    assert list(for_you_papers(viewer=UserFactory())) == []


def test_the_feed_keeps_to_published_papers_and_the_reader_s_filters(corpus):
    from curation.services import member_settings_update, paper_hide
    from tests.factories import ModeratorFactory

    member = UserFactory()
    for paper in corpus["proteins"][:4]:
        vote_cast(user=member, paper=paper)
    for_you_rank(user_id=member.pk)
    first, second = list(for_you_papers(viewer=member)[:2])
    paper_hide(paper=first, moderator=ModeratorFactory(), reason="Off topic.")
    paper_mark_set(user=member, paper=second, kind="read")
    assert first.pk not in [p.pk for p in for_you_papers(viewer=member)]
    assert second.pk in [p.pk for p in for_you_papers(viewer=member)]
    member_settings_update(user=member, hide_marked=True)
    assert second.pk not in [p.pk for p in for_you_papers(viewer=member)]


def test_an_older_computation_never_overwrites_a_newer_one(corpus):
    member = UserFactory()
    for paper in corpus["graphs"][:3]:
        vote_cast(user=member, paper=paper)
    ranking = for_you_rank(user_id=member.pk)
    stored = list(ForYouItem.objects.filter(user=member).values_list("paper_id", flat=True))

    late = _store(
        user_id=member.pk,
        read_at=ranking.signals_read_at - datetime.timedelta(seconds=1),
        status=ForYouStatus.COLD_START,
        version=None,
        counts=(0, 0, 0),
        items=[],
        started=0.0,
    )

    assert late.status == ForYouStatus.READY
    assert list(ForYouItem.objects.filter(user=member).values_list("paper_id", flat=True)) == (
        stored
    )


def test_a_vote_schedules_the_member_s_ranking_once_committed(
    corpus, django_capture_on_commit_callbacks
):
    member = UserFactory()
    for paper in corpus["robots"][:2]:
        vote_cast(user=member, paper=paper)
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(user=member, paper=corpus["robots"][2])

    # Tasks run in-process in tests: the ranking is there when the vote returns.
    assert ForYouRanking.objects.get(user=member).status == ForYouStatus.READY
    assert ForYouItem.objects.filter(user=member).exists()
    assert cache.get(_scheduled_key(member.pk)) is None


def test_a_ranking_waiting_to_start_takes_the_changes_made_meanwhile(corpus):
    member = UserFactory()
    cache.add(_scheduled_key(member.pk), 1, timeout=60)  # one is waiting

    assert for_you_schedule(user_id=member.pk) is False
    assert not ForYouRanking.objects.filter(user=member).exists()

    cache.delete(_scheduled_key(member.pk))  # it started
    assert for_you_schedule(user_id=member.pk) is True
    assert ForYouRanking.objects.filter(user=member).exists()


def test_a_fit_ranks_every_member_with_signals(django_capture_on_commit_callbacks):
    corpus = topic_corpus(per_topic=10)
    member, silent = UserFactory(), UserFactory()
    for paper in corpus["speech"][:3]:
        vote_cast(user=member, paper=paper)
    with django_capture_on_commit_callbacks(execute=True):
        features_fit()

    assert ForYouRanking.objects.get(user=member).status == ForYouStatus.READY
    assert not ForYouRanking.objects.filter(user=silent).exists()


def test_without_features_a_member_is_ranked_later(db):
    corpus = topic_corpus(per_topic=3)
    member = UserFactory()
    for paper in corpus["speech"]:
        vote_cast(user=member, paper=paper)
    assert for_you_rank(user_id=member.pk) is None
    assert for_you_rank(user_id=987654) is None


def test_a_followed_tag_is_a_taste_of_its_newest_papers(corpus, django_capture_on_commit_callbacks):
    from notifications.selectors import FOLLOWED_TAG_POSITIVES
    from notifications.services import follow_create, follow_delete
    from tests.factories import PaperTagFactory, TagFactory

    tag = TagFactory(slug="robotics")
    robots = corpus["robots"]
    for paper in robots[:5]:
        PaperTagFactory(paper=paper, tag=tag)
    member = UserFactory()
    assert for_you_positive_ids(user_id=member.pk) == set()

    # The follow has the member's feed ranked (here, with no broker, at once).
    with django_capture_on_commit_callbacks(execute=True):
        follow, _ = follow_create(user=member, kind="tag", tag="robotics")
    assert for_you_positive_ids(user_id=member.pk) == {p.pk for p in robots[:5]}
    assert ForYouRanking.objects.get(user=member).status == ForYouStatus.READY
    first = list(ForYouItem.objects.filter(user=member).order_by("rank")[:10])
    assert {topic_of(item.paper_id, corpus) for item in first} == {"robots"}

    # A tag with many papers counts only its newest few, so votes still weigh.
    for paper in corpus["graphs"]:
        PaperTagFactory(paper=paper, tag=tag)
    assert len(for_you_positive_ids(user_id=member.pk)) == FOLLOWED_TAG_POSITIVES

    follow_delete(follow=follow, user=member)
    assert for_you_positive_ids(user_id=member.pk) == set()


def test_ranking_every_member_reads_no_candidates_when_no_member_has_a_signal(
    corpus, django_assert_max_num_queries
):
    # A day of new papers with nobody to rank (a fresh team) costs the refresh nothing:
    # the recent papers' vectors are read only for a member to rank.
    UserFactory()  # a member with no vote, list, mark or followed tag
    with django_assert_max_num_queries(8) as captured:
        assert for_you_rank_all() == 0
    assert not [q for q in captured.captured_queries if "papervector" in q["sql"]]
    assert not ForYouRanking.objects.exists()
