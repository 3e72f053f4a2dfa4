"""A member's "for you" ranking: a linear classifier of the member's taste over the papers'
feature vectors, as arxiv-sanity ranks a user's recommendations.

The positives are the papers the member showed they want (upvotes, papers they put on
lists); the negatives are the papers they said they do not want ("not interested") and a
sample of the others (papers they never met are mostly not for them: positive-unlabelled
learning). A linear SVM with balanced classes (LinearSVC, C = 0.1, the evaluation's model)
is trained on them and its decision function ranks the candidates.

A candidate is never scored by a model that was trained on it as a sampled negative: the
papers that could be sampled are split in two halves, a model is trained on each half's
sample, and each candidate is scored by the model of the other half (cross-fitting). Without
it, on a small corpus where most papers are sampled, the papers closest to the member's
taste would be held down for having been drawn as negatives.

Each recommendation also names the member's positive papers nearest to it (cosine
similarity of the unit vectors), BECAUSE_MAX at most: "why this paper".

No Django here: rows and ids in, rankings out.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from recommendations.engine import evaluation

# Sampled negatives, from each half of the pool: this many per positive, at least
# NEGATIVES_MIN (when there are so many), at most NEGATIVES_MAX.
NEGATIVES_PER_POSITIVE = 10
NEGATIVES_MIN = 100
NEGATIVES_MAX = 5000
BECAUSE_MAX = 3
C = 0.1
FOR_YOU_MODEL = "for-you model"
RANKERS = (FOR_YOU_MODEL, evaluation.NEWEST, evaluation.MOST_VOTED, evaluation.RANDOM)


@dataclass(frozen=True)
class Recommendation:
    paper_id: int
    score: float
    because: tuple[int, ...]  # ids of the member's positives nearest to it, nearest first


def member_seed(*parts: int | str) -> np.random.Generator:
    """A generator seeded by the member (and whatever else is given): the same signals give
    the same sample, so a ranking computed twice is the same ranking."""
    return np.random.default_rng([zlib.crc32(str(part).encode()) for part in parts])


def classifier() -> LinearSVC:
    return LinearSVC(class_weight="balanced", C=C, max_iter=10_000, tol=1e-6)


@dataclass(frozen=True)
class NegativeSample:
    """The papers drawn as negatives: the pool cut in two halves (`first_half`: the ids of
    the first), and a sample drawn from each (`drawn`: two arrays of ids)."""

    first_half: np.ndarray
    drawn: tuple[np.ndarray, np.ndarray]

    @property
    def ids(self) -> np.ndarray:
        return np.union1d(*self.drawn)


def negative_sample(
    pool_ids: np.ndarray, *, positives: int, rng: np.random.Generator
) -> NegativeSample:
    """Cut `pool_ids` (the papers negatives may be drawn from: neither the member's
    positives nor those they refused) in two random halves and draw from each
    NEGATIVES_PER_POSITIVE per positive, at least NEGATIVES_MIN, at most NEGATIVES_MAX."""
    size = min(NEGATIVES_MAX, max(NEGATIVES_MIN, NEGATIVES_PER_POSITIVE * positives))
    shuffled = rng.permutation(np.asarray(pool_ids, dtype=np.int64))
    halves = (np.sort(shuffled[: len(shuffled) // 2]), np.sort(shuffled[len(shuffled) // 2 :]))
    drawn = tuple(
        half if len(half) <= size else np.sort(rng.choice(half, size=size, replace=False))
        for half in halves
    )
    return NegativeSample(first_half=halves[0], drawn=(drawn[0], drawn[1]))


def train(positives: sp.csr_matrix, negatives: sp.csr_matrix) -> LinearSVC | None:
    """A classifier of positives against negatives; None when either side is empty."""
    if positives.shape[0] == 0 or negatives.shape[0] == 0:
        return None
    model = classifier()
    labels = np.r_[np.ones(positives.shape[0], dtype=int), np.zeros(negatives.shape[0], dtype=int)]
    model.fit(sp.vstack([positives, negatives], format="csr"), labels)
    return model


def scores(
    *,
    positives: sp.csr_matrix,
    refused: sp.csr_matrix,
    sample: NegativeSample,
    negatives: tuple[sp.csr_matrix, sp.csr_matrix],
    candidates: sp.csr_matrix,
    candidate_ids: np.ndarray,
) -> np.ndarray:
    """Each candidate's score (higher: more the member's taste).

    positives: the member's positive papers; refused: their "not interested" papers (always
    negatives); negatives: the vectors of `sample.drawn`, half by half; candidates: the
    papers to rank, with their ids (a candidate may be in the pool: see the module)."""
    models = [train(positives, sp.vstack([refused, half], format="csr")) for half in negatives]
    if models[0] is None or models[1] is None:
        # Too few papers to cut in two: one model on every negative there is.
        single = train(positives, sp.vstack([refused, *negatives], format="csr"))
        if single is None:
            return np.zeros(candidates.shape[0])
        return single.decision_function(candidates)
    # Candidates of the first half are scored by the second half's model, and the others
    # (of the second half, or never in the pool) by the first half's.
    in_first = np.isin(candidate_ids, sample.first_half)
    result = np.empty(candidates.shape[0])
    if in_first.any():
        result[in_first] = models[1].decision_function(candidates[in_first])
    if (~in_first).any():
        result[~in_first] = models[0].decision_function(candidates[~in_first])
    return result


def nearest_positives(
    rows: sp.csr_matrix, positives: sp.csr_matrix, positive_ids: np.ndarray, *, k: int = BECAUSE_MAX
) -> list[tuple[int, ...]]:
    """For each row, the ids of the (at most k) positives most similar to it, nearest first;
    only positives it shares something with (similarity above zero)."""
    if rows.shape[0] == 0 or positives.shape[0] == 0:
        return [() for _ in range(rows.shape[0])]
    similarity = (rows @ positives.T).toarray()
    found: list[tuple[int, ...]] = []
    for row in similarity:
        best = np.lexsort((positive_ids, -row))[:k]
        found.append(tuple(int(positive_ids[i]) for i in best if row[i] > 0))
    return found


def rank(
    *,
    positives: sp.csr_matrix,
    positive_ids: np.ndarray,
    refused: sp.csr_matrix,
    sample: NegativeSample,
    negatives: tuple[sp.csr_matrix, sp.csr_matrix],
    candidates: sp.csr_matrix,
    candidate_ids: np.ndarray,
    limit: int,
) -> list[Recommendation]:
    """The `limit` best candidates for the member, best first (equal scores: the higher id,
    the newer paper, first), each with its nearest positives."""
    if candidates.shape[0] == 0 or positives.shape[0] == 0:
        return []
    values = scores(
        positives=positives,
        refused=refused,
        sample=sample,
        negatives=negatives,
        candidates=candidates,
        candidate_ids=candidate_ids,
    )
    best = np.lexsort((-candidate_ids, -values))[:limit]
    because = nearest_positives(candidates[best], positives, positive_ids)
    return [
        Recommendation(paper_id=int(candidate_ids[i]), score=float(values[i]), because=near)
        for i, near in zip(best, because, strict=True)
    ]


# --- Measure ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberHistory:
    """A member's signals as row positions of the evaluation's matrix: positives in the order
    they were given (oldest first), and refused papers."""

    positives: np.ndarray
    refused: np.ndarray


def evaluate_members(
    matrix: sp.csr_matrix,
    ids: np.ndarray,
    members: Mapping[int, MemberHistory],
    *,
    days: np.ndarray,
    votes: np.ndarray,
    source_upvotes: np.ndarray | None = None,
    holdout: float = 0.2,
    seed: int = 0,
    min_positives: int = 3,
    k: int = evaluation.K,
) -> evaluation.Report:
    """The for-you model against the baselines, on a time split of each member's signals:
    their latest positives (a `holdout` share, at least one) are held out with the same
    share of the papers they never signalled; the model trained on their earlier positives
    (at least `min_positives`) and refused papers, as the feed trains it, ranks the held-out
    candidates, as do newest first, most voted and random. Members with too few positives
    are left out (`tags_skipped` names them)."""
    n = matrix.shape[0]
    matrix = sp.csr_matrix(matrix)
    row = np.arange(n)
    upvotes = source_upvotes if source_upvotes is not None else np.zeros(n, dtype=np.int64)
    newest_key = np.empty(n, dtype=np.int64)
    newest_key[np.lexsort((row, days))] = row
    report = evaluation.Report(
        k=k, values={r: {"recall": [], "ndcg": [], "mrr": []} for r in RANKERS}
    )
    for member in sorted(members):
        history = members[member]
        positives = np.asarray(history.positives, dtype=np.int64)
        held_count = max(1, round(holdout * len(positives)))
        train_pos = positives[: len(positives) - held_count]
        if len(train_pos) < min_positives:
            report.tags_skipped.append(f"member {member}")
            continue
        held_pos = np.unique(positives[len(train_pos) :])
        held_pos = np.setdiff1d(held_pos, train_pos)
        if not len(held_pos):
            report.tags_skipped.append(f"member {member}")
            continue
        rng = member_seed("evaluation", seed, member)
        refused = np.unique(np.asarray(history.refused, dtype=np.int64))
        others = np.setdiff1d(row, np.concatenate([positives, refused]))
        held_neg = np.sort(rng.permutation(others)[: max(1, round(holdout * len(others)))])
        pool = np.setdiff1d(others, held_neg)
        candidates = np.concatenate([held_pos, held_neg])
        relevant = np.zeros(len(candidates), dtype=bool)
        relevant[: len(held_pos)] = True
        sample = negative_sample(pool, positives=len(train_pos), rng=rng)
        model_scores = scores(
            positives=matrix[train_pos],
            refused=matrix[refused],
            sample=sample,
            negatives=(matrix[sample.drawn[0]], matrix[sample.drawn[1]]),
            candidates=matrix[candidates],
            candidate_ids=candidates,
        )
        rankings = {
            FOR_YOU_MODEL: np.lexsort((-newest_key[candidates], -model_scores)),
            evaluation.NEWEST: np.argsort(-newest_key[candidates], kind="stable"),
            evaluation.MOST_VOTED: np.lexsort(
                (-newest_key[candidates], -upvotes[candidates], -votes[candidates])
            ),
            evaluation.RANDOM: rng.permutation(len(candidates)),
        }
        for ranker, order in rankings.items():
            in_order = relevant[order]
            report.values[ranker]["recall"].append(evaluation.recall_at_k(in_order, k))
            report.values[ranker]["ndcg"].append(evaluation.ndcg_at_k(in_order, k))
            report.values[ranker]["mrr"].append(evaluation.reciprocal_rank(in_order))
        report.cases.append(
            evaluation.Case(
                tag=f"member {member}",
                fold=0,
                train_positives=len(train_pos),
                held_out=len(held_pos),
                candidates=len(candidates),
            )
        )
    return report
