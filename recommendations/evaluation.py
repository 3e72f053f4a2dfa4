"""The measure of the recommendations on this site's own tags: the published papers' vectors
and tags (selectors.tagged_corpus) through recommendations.engine.evaluation."""

from __future__ import annotations

from collections.abc import Sequence

from recommendations.engine.evaluation import K, Report, evaluate
from recommendations.selectors import TaggedCorpus, tagged_corpus


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
