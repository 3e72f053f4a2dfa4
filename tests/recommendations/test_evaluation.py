"""The evaluation (manage.py recommendations_eval) on the sample digests with the topic tags a
person gave them (tests/fixtures/topic-tags.json): its output, and the per-tag model against
the three baselines."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recommendations.engine.evaluation import MODEL, MOST_VOTED, NEWEST, RANDOM, RANKERS
from recommendations.evaluation import evaluation_run
from recommendations.management.commands.recommendations_eval import MSG_NO_VERSION
from recommendations.services import features_fit

pytestmark = pytest.mark.django_db


def test_the_per_tag_model_beats_every_baseline_on_ndcg_at_10(topic_tags):
    features_fit()
    corpus, report = evaluation_run(holdout=0.2, seed=0)

    assert len(report.tags) >= 10 and len(report.cases) == 5 * len(report.tags)
    assert all(case.held_out >= 1 for case in report.cases)
    model = report.mean(MODEL, "ndcg")
    for baseline in (NEWEST, MOST_VOTED, RANDOM):
        assert model > report.mean(baseline, "ndcg"), (baseline, model)
    # By far, not by noise: topics are in the words, not in the days or the votes.
    assert model > 2 * max(report.mean(b, "ndcg") for b in (NEWEST, MOST_VOTED, RANDOM))
    # The same seed, the same figures.
    _, again = evaluation_run(holdout=0.2, seed=0)
    assert again.values == report.values


def test_the_command_prints_each_ranker_s_figures_and_the_number_of_cases(topic_tags):
    features_fit()
    out = StringIO()
    call_command("recommendations_eval", "--seed", "3", "--per-tag", stdout=out)
    lines = out.getvalue().splitlines()

    assert re.fullmatch(
        r"Held-out ranking per tag: features v\d+, 184 published papers, 13 tags "
        r"\(0 with fewer than 5 papers skipped\), 20% of each tag held out, seed 3",
        lines[0],
    )
    assert lines[1].split() == ["ranker", "Recall@10", "nDCG@10", "MRR"]
    labels = [MODEL, NEWEST, MOST_VOTED, f"{RANDOM} (seed 3)"]
    for line, label in zip(lines[2:6], labels, strict=True):
        assert line.startswith(label)
        figures = line[len(label) :].split()
        assert len(figures) == 3 and all(0 <= float(x) <= 1 for x in figures)
    assert lines[6] == "cases: 65"
    assert lines[7] == "per tag, per-tag model: nDCG@10 (cases)"
    assert len(lines) == 8 + 13 and all(line.endswith("(5)") for line in lines[8:])
    assert len(RANKERS) == 4


def test_the_command_says_what_is_missing(db, topic_tags):
    with pytest.raises(CommandError, match=re.escape(MSG_NO_VERSION)):
        call_command("recommendations_eval")
    features_fit()
    with pytest.raises(CommandError, match="No tag has 100 published papers or more"):
        call_command("recommendations_eval", "--min-papers", "100")
    with pytest.raises(CommandError, match="--holdout"):
        call_command("recommendations_eval", "--holdout", "1.5")
