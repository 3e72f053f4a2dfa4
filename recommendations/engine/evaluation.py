"""How well a ranking finds a tag's papers: per-tag held-out evaluation, as arxiv-sanity
measured its per-tag classifiers.

For each tag with at least `min_papers` papers, its papers are split into folds (1 / holdout
of them, at least 2); each fold is one case: the fold's papers are held out, together with the
same share of the papers without the tag, and ranked. The model under test is a linear SVM
(LinearSVC, balanced classes, C = 0.1, as arxiv-sanity) trained on the tag's other papers
against a sample of the others (NEGATIVES_PER_POSITIVE per positive, at least NEGATIVES_MIN)
drawn from the papers not held out. The baselines rank the same candidates: newest first (by
digest day, then the newer paper), most voted (the team's votes, then the source's upvotes,
then newest) and random (a generator seeded per case).

Measures at k (10): Recall@k (the held-out papers of the tag in the first k, over how many
there are), nDCG@k (binary gains discounted by log2(rank + 1), over the best order's), and
MRR (one over the rank of the first held-out paper of the tag, in the whole ranking). Each is
the mean over the cases.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.svm import LinearSVC

K = 10
NEGATIVES_PER_POSITIVE = 10
NEGATIVES_MIN = 100
MODEL = "per-tag model"
NEWEST = "newest first"
MOST_VOTED = "most voted"
RANDOM = "random"
RANKERS = (MODEL, NEWEST, MOST_VOTED, RANDOM)


def recall_at_k(relevant_in_order: np.ndarray, k: int = K) -> float:
    total = int(relevant_in_order.sum())
    return float(relevant_in_order[:k].sum()) / total if total else 0.0


def ndcg_at_k(relevant_in_order: np.ndarray, k: int = K) -> float:
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    gains = relevant_in_order[:k].astype(np.float64)
    ideal = discounts[: min(int(relevant_in_order.sum()), k)].sum()
    return float(gains @ discounts[: len(gains)]) / ideal if ideal else 0.0


def reciprocal_rank(relevant_in_order: np.ndarray) -> float:
    hits = np.flatnonzero(relevant_in_order)
    return 1.0 / (hits[0] + 1) if len(hits) else 0.0


@dataclass
class Case:
    tag: str
    fold: int
    train_positives: int
    held_out: int
    candidates: int


@dataclass
class Report:
    cases: list[Case] = field(default_factory=list)
    # ranker -> measure -> one value per case
    values: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: {r: {"recall": [], "ndcg": [], "mrr": []} for r in RANKERS}
    )
    tags_skipped: list[str] = field(default_factory=list)
    k: int = K

    @property
    def tags(self) -> list[str]:
        return sorted({case.tag for case in self.cases})

    def mean(self, ranker: str, measure: str) -> float:
        values = self.values[ranker][measure]
        return float(np.mean(values)) if values else 0.0


def _case_seed(seed: int, tag: str, fold: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(tag.encode()), fold])


def _ranked(scores: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """Positions by score, best first; equal scores by `tiebreak`, highest first."""
    return np.lexsort((-tiebreak, -scores))


def evaluate(
    matrix: sp.csr_matrix,
    tags: Mapping[str, np.ndarray],
    *,
    days: np.ndarray,
    votes: np.ndarray,
    source_upvotes: np.ndarray | None = None,
    holdout: float = 0.2,
    seed: int = 0,
    min_papers: int = 5,
    k: int = K,
    model_factory: Callable[[], LinearSVC] | None = None,
) -> Report:
    """Evaluate the per-tag model and the baselines on `matrix` (a row per paper, in the
    order of their ids: a higher row is a newer paper at equal days) and `tags` (tag ->
    row positions of its papers)."""
    n = matrix.shape[0]
    matrix = sp.csr_matrix(matrix)
    row = np.arange(n)
    upvotes = source_upvotes if source_upvotes is not None else np.zeros(n, dtype=np.int64)
    # Rank of each paper from the oldest (digest day, then id) to the newest.
    newest_key = np.empty(n, dtype=np.int64)
    newest_key[np.lexsort((row, days))] = row
    report = Report(k=k)
    n_folds = max(2, round(1 / holdout))
    for tag in sorted(tags):
        positives = np.unique(np.asarray(tags[tag], dtype=np.int64))
        if len(positives) < max(min_papers, n_folds) or len(positives) >= n:
            report.tags_skipped.append(tag)
            continue
        rng = _case_seed(seed, tag)
        others = np.setdiff1d(np.arange(n), positives, assume_unique=True)
        positive_folds = np.array_split(rng.permutation(positives), n_folds)
        other_folds = np.array_split(rng.permutation(others), n_folds)
        for fold in range(n_folds):
            held_pos, held_neg = positive_folds[fold], other_folds[fold]
            train_pos = np.setdiff1d(positives, held_pos, assume_unique=True)
            pool = np.setdiff1d(others, held_neg, assume_unique=True)
            fold_rng = _case_seed(seed, tag, fold + 1)
            size = min(len(pool), max(NEGATIVES_MIN, NEGATIVES_PER_POSITIVE * len(train_pos)))
            train_neg = fold_rng.choice(pool, size=size, replace=False)
            candidates = np.concatenate([held_pos, held_neg])
            relevant = np.zeros(len(candidates), dtype=bool)
            relevant[: len(held_pos)] = True

            classifier = model_factory() if model_factory else _linear_svm()
            train = np.concatenate([train_pos, train_neg])
            labels = np.zeros(len(train), dtype=int)
            labels[: len(train_pos)] = 1
            classifier.fit(matrix[train], labels)
            rankings = {
                MODEL: _ranked(
                    classifier.decision_function(matrix[candidates]), newest_key[candidates]
                ),
                NEWEST: np.argsort(-newest_key[candidates], kind="stable"),
                MOST_VOTED: np.lexsort(
                    (-newest_key[candidates], -upvotes[candidates], -votes[candidates])
                ),
                RANDOM: fold_rng.permutation(len(candidates)),
            }
            for ranker, order in rankings.items():
                in_order = relevant[order]
                report.values[ranker]["recall"].append(recall_at_k(in_order, k))
                report.values[ranker]["ndcg"].append(ndcg_at_k(in_order, k))
                report.values[ranker]["mrr"].append(reciprocal_rank(in_order))
            report.cases.append(
                Case(
                    tag=tag,
                    fold=fold,
                    train_positives=len(train_pos),
                    held_out=len(held_pos),
                    candidates=len(candidates),
                )
            )
    return report


def _linear_svm() -> LinearSVC:
    return LinearSVC(class_weight="balanced", C=0.1, max_iter=10_000, tol=1e-6)
