"""A tag's model: which papers without the tag look like the tag's papers.

A linear SVM (LinearSVC, balanced classes, C = 0.1, as arxiv-sanity and the evaluation,
engine.evaluation) trained on the tag's papers (positives) against a sample of the others
(NEGATIVES_PER_POSITIVE per positive, at least NEGATIVES_MIN; papers a moderator dismissed
for the tag always among them), then every candidate scored by its margin. No Django here:
rows of a matrix in, rows and scores out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from recommendations.engine.evaluation import NEGATIVES_MIN, NEGATIVES_PER_POSITIVE

# A tag with fewer papers gets no model: a handful of papers says little of a topic, and a
# model on them suggests their words, not the tag.
MIN_POSITIVES = 5


@dataclass
class TagRanking:
    rows: np.ndarray  # candidate rows, best first
    scores: np.ndarray  # their margins
    negatives: int
    candidates: int


def tag_rank(
    matrix: sp.csr_matrix,
    positives: np.ndarray,
    *,
    candidates: np.ndarray,
    dismissed: np.ndarray | None = None,
    top: int,
    seed: int = 0,
) -> TagRanking | None:
    """Train on the rows `positives` against sampled other rows (and `dismissed`), and rank
    the rows `candidates` (none of them positive); the `top` best. None with fewer than
    MIN_POSITIVES positives or nothing to learn against."""
    n = matrix.shape[0]
    positives = np.unique(np.asarray(positives, dtype=np.int64))
    dismissed = np.unique(np.asarray(dismissed if dismissed is not None else [], dtype=np.int64))
    dismissed = np.setdiff1d(dismissed, positives, assume_unique=True)
    if len(positives) < MIN_POSITIVES:
        return None
    others = np.setdiff1d(np.arange(n), np.concatenate([positives, dismissed]), assume_unique=True)
    size = min(len(others), max(NEGATIVES_MIN, NEGATIVES_PER_POSITIVE * len(positives)))
    rng = np.random.default_rng(seed)
    negatives = np.concatenate([rng.choice(others, size=size, replace=False), dismissed])
    if not len(negatives):
        return None
    train = np.concatenate([positives, negatives])
    labels = np.zeros(len(train), dtype=int)
    labels[: len(positives)] = 1
    classifier = LinearSVC(class_weight="balanced", C=0.1, max_iter=10_000, tol=1e-6)
    classifier.fit(matrix[train], labels)
    candidates = np.asarray(candidates, dtype=np.int64)
    if not len(candidates):
        return TagRanking(np.array([], dtype=np.int64), np.array([]), len(negatives), 0)
    scores = classifier.decision_function(matrix[candidates])
    # Best first; equal margins by the newer row (a higher row is a newer paper).
    order = np.lexsort((-candidates, -scores))[:top]
    return TagRanking(candidates[order], scores[order], len(negatives), len(candidates))
