"""The measure of the recommendations on this site's own data: per tag, the published papers'
vectors and tags (selectors.tagged_corpus) through recommendations.engine.evaluation; per
member, the for-you model on a time split of each member's signals
(recommendations.engine.for_you.evaluate_members)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from recommendations.engine.evaluation import K, Report, evaluate
from recommendations.engine.for_you import MemberHistory, evaluate_members
from recommendations.selectors import (
    TaggedCorpus,
    positive_signals,
    refused_signals,
    tagged_corpus,
)


def evaluation_run(
    *,
    holdout: float = 0.2,
    seed: int = 0,
    min_papers: int = 5,
    k: int = K,
    tags: Sequence[str] = (),
) -> tuple[TaggedCorpus, Report] | None:
    """Evaluate the per-tag model and the baselines on the current version (None when no
    version is ready). `tags`: only these slugs (all by default)."""
    corpus = tagged_corpus()
    if corpus is None:
        return None
    chosen = {slug: rows for slug, rows in corpus.tags.items() if not tags or slug in tags}
    report = evaluate(
        corpus.matrix,
        chosen,
        days=corpus.days,
        votes=corpus.votes,
        source_upvotes=corpus.source_upvotes,
        holdout=holdout,
        seed=seed,
        min_papers=min_papers,
        k=k,
    )
    return corpus, report


def for_you_evaluation_run(
    *, holdout: float = 0.2, seed: int = 0, min_positives: int = 3, k: int = K
) -> tuple[TaggedCorpus, Report] | None:
    """Evaluate the members' for-you models and the baselines on a time split of each
    member's signals (recommendations.engine.for_you.evaluate_members) over the current
    version's published papers; None when no version is ready."""
    corpus = tagged_corpus()
    if corpus is None:
        return None
    position = {pk: i for i, pk in enumerate(corpus.ids.tolist())}
    positives: dict[int, list[tuple]] = defaultdict(list)
    for signal in positive_signals():
        if signal.paper_id in position:
            positives[signal.user_id].append((signal.at, signal.paper_id))
    refused: dict[int, set[int]] = defaultdict(set)
    for signal in refused_signals():
        if signal.paper_id in position:
            refused[signal.user_id].add(position[signal.paper_id])
    members = {}
    for member, rows in positives.items():
        # A paper voted and put on a list counts once, at its first signal.
        first: dict[int, object] = {}
        for at, pk in sorted(rows):
            first.setdefault(pk, at)
        in_order = [pk for _, pk in sorted((at, pk) for pk, at in first.items())]
        kept = [pk for pk in in_order if position[pk] not in refused[member]]
        members[member] = MemberHistory(
            positives=np.array([position[pk] for pk in kept], dtype=np.int64),
            refused=np.array(sorted(refused[member]), dtype=np.int64),
        )
    report = evaluate_members(
        corpus.matrix,
        corpus.ids,
        members,
        days=corpus.days,
        votes=corpus.votes,
        source_upvotes=corpus.source_upvotes,
        holdout=holdout,
        seed=seed,
        min_positives=min_positives,
        k=k,
    )
    return corpus, report
