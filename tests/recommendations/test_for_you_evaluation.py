"""The for-you model measured: on a synthetic corpus with clear topics, members who voted for
one topic over time have their latest votes found by the model far better than by random,
newest first or most voted (the engine alone, and manage.py recommendations_eval --for-you
on the site's own votes)."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from curation.models import Vote
from curation.services import vote_cast
from recommendations.engine.evaluation import MOST_VOTED, NEWEST, RANDOM
from recommendations.engine.features import PaperText, fit
from recommendations.engine.for_you import FOR_YOU_MODEL, MemberHistory, evaluate_members
from recommendations.evaluation import for_you_evaluation_run
from recommendations.management.commands.recommendations_eval import MSG_NO_MEMBER
from recommendations.services import features_fit
from tests.factories import UserFactory
from tests.recommendations.synthetic import TOPIC_WORDS, topic_corpus


def _texts(per_topic: int, seed: int) -> tuple[list[PaperText], list[str]]:
    rng = np.random.default_rng(seed)
    texts, topics = [], []
    for topic, words in TOPIC_WORDS.items():
        for _ in range(per_topic):
            texts.append(
                PaperText(
                    title=" ".join(rng.choice(words, 5)), abstract=" ".join(rng.choice(words, 40))
                )
            )
            topics.append(topic)
    return texts, topics


def test_the_engine_finds_a_member_s_latest_topic_papers_better_than_every_baseline():
    texts, topics = _texts(per_topic=40, seed=1)
    _, matrix = fit(texts)
    n = len(texts)
    rng = np.random.default_rng(2)
    members = {}
    for member, topic in enumerate(TOPIC_WORDS):
        rows = [i for i in range(n) if topics[i] == topic]
        members[member] = MemberHistory(
            positives=rng.permutation(rows)[:15], refused=np.array([], dtype=np.int64)
        )

    report = evaluate_members(
        matrix,
        np.arange(n),
        members,
        days=np.zeros(n, dtype=np.int64),
        votes=rng.integers(0, 5, n),
        seed=0,
    )

    assert len(report.cases) == len(TOPIC_WORDS)
    model = report.mean(FOR_YOU_MODEL, "ndcg")
    for baseline in (NEWEST, MOST_VOTED, RANDOM):
        assert model > 2 * report.mean(baseline, "ndcg"), (baseline, model)
    assert report.mean(FOR_YOU_MODEL, "recall") > 0.9


@pytest.mark.django_db
def test_the_command_measures_the_members_feeds(db):
    corpus = topic_corpus(per_topic=20)
    start = timezone.now() - datetime.timedelta(days=30)
    for i, topic in enumerate(("graphs", "speech", "robots")):
        member = UserFactory(username=f"reader{i}")
        for day, paper in enumerate(corpus[topic][:10]):
            vote_cast(user=member, paper=paper)
            # Votes spread over days: the split is by time.
            Vote.objects.filter(user=member, paper=paper).update(
                created_at=start + datetime.timedelta(days=day)
            )
    cold = UserFactory(username="cold")
    vote_cast(user=cold, paper=corpus["proteins"][0])
    features_fit()

    _, report = for_you_evaluation_run(seed=0)
    assert len(report.cases) == 3 and report.tags_skipped == [f"member {cold.pk}"]
    assert all(case.held_out == 2 and case.train_positives == 8 for case in report.cases)
    # 16 candidates a member (2 held out, 14 others): random finds some by luck.
    assert report.mean(FOR_YOU_MODEL, "ndcg") > report.mean(RANDOM, "ndcg") + 0.2

    out = StringIO()
    call_command("recommendations_eval", "--for-you", stdout=out)
    lines = out.getvalue().splitlines()
    assert re.fullmatch(
        r"Held-out ranking per member \(latest signals\): features v\d+, 80 published "
        r"papers, 3 members \(1 with too few positives skipped\), 20% of each member's "
        r"positives held out, seed 0",
        lines[0],
    )
    assert [line.split()[0] for line in lines[2:6]] == ["for-you", "newest", "most", "random"]
    assert lines[6] == "cases: 3"


@pytest.mark.django_db
def test_the_command_says_when_no_member_can_be_measured(db):
    topic_corpus(per_topic=5)
    features_fit()
    with pytest.raises(CommandError, match=re.escape(MSG_NO_MEMBER.format(n=3))):
        call_command("recommendations_eval", "--for-you")
