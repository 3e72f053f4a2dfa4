"""The papers nearest to others: the top k by cosine similarity (rows are unit vectors, so the
dot product), a paper never its own neighbour, a paper sharing no term with another never
counted as near it.

Two ways, chosen once per set of targets (`TargetIndex`), so a fit and the refreshes after it
find neighbours alike:

- **exact**: every query against every target, a block of queries at a time (sparse product,
  then the top k of each dense row). Taken up to EXACT_MAX_TARGETS targets, while a fit's
  multiplications (the sum over terms of the squared number of papers holding it) stay under
  EXACT_MAX_PRODUCTS: the whole corpus of a team for years (a digest of 50 papers a day makes
  18,000 a year), and every test;
- **candidates, then exact scores**: beyond that. 100,000 papers made of the same few
  thousand words (the bench corpus) cost 95 billion multiplications exactly: about ten
  minutes on two cores. Each query gathers candidates two ways, and every candidate is scored
  again exactly, on every term:
  - by its distinctive words: its SIGNATURE_TERMS heaviest terms among those in at most
    CANDIDATE_DF_SHARE of the targets; targets are scored on those alone and the CANDIDATES
    best kept. This finds a paper sharing rare words (a method's name, a dataset) with it;
  - by its topic: targets and queries are projected on the LATENT_DIMENSIONS main
    directions of the targets (scikit-learn's TruncatedSVD: latent semantic analysis), and
    the nearest there are found by faiss's exact inner-product search (a BLAS product and a
    heap per query, on every core: 13 s for 100,000 papers against 100,000 on two cores).
    This finds a paper near it through many common words, which the first way misses.
  Measured in tests/recommendations/test_engine.py against the exact way on the sample
  digests and on random words, and by `make bench-recs` on the bench corpus (its abstracts
  are words drawn at random, so every paper is near every other through common words only:
  the distinctive words alone found 1% of the exact top 10 there).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import faiss
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

EXACT_MAX_TARGETS = 20_000
EXACT_MAX_PRODUCTS = 4e9
SIGNATURE_TERMS = 32
CANDIDATE_DF_SHARE = 0.01
CANDIDATE_MIN_DF = 50
CANDIDATES = 50
# The topic way: the dimensions of the projection, the power iterations of its randomized
# SVD (2: 3 s for 100,000 papers; more found no more neighbours on the bench corpus), and
# the candidates it keeps (at least k).
LATENT_DIMENSIONS = 64
LATENT_ITERATIONS = 2
LATENT_CANDIDATES = 50
# Dense scores held at once in the exact way: 16 M floats, 64 MB.
BLOCK_CELLS = 16_000_000
# Queries whose candidates are looked for at a time (their scores on the distinctive words
# hold about 6,000 targets each on the bench corpus: 70 MB for a block).
CANDIDATE_BLOCK = 1000
# Blocks of queries worked on at once (two cores: 1.7 times as fast with two).
THREADS = max(1, min(4, os.cpu_count() or 1))
# Queries rescored at a time (a dense row of every feature each).
RESCORE_QUERIES = 64


@dataclass
class Neighbours:
    """ids[i]: the ids of query i's nearest targets, best first, -1 where it has fewer than
    k; scores[i]: their cosine similarities; method: the way they were found."""

    ids: np.ndarray
    scores: np.ndarray
    method: str

    def pairs(self, query_ids: np.ndarray):
        """(query id, target id, score) of every neighbour found."""
        rows, ranks = np.nonzero(self.ids >= 0)
        return zip(
            np.asarray(query_ids)[rows].tolist(),
            self.ids[rows, ranks].tolist(),
            self.scores[rows, ranks].tolist(),
            strict=True,
        )


def _empty(n_queries: int, k: int, method: str) -> Neighbours:
    return Neighbours(
        np.full((n_queries, k), -1, dtype=np.int64), np.zeros((n_queries, k), np.float32), method
    )


class TargetIndex:
    """Vectors to search (the published papers), with what the chosen way needs, built once
    and searched by many queries."""

    def __init__(self, matrix: sp.csr_matrix, ids: np.ndarray, *, exact: bool | None = None):
        self.matrix = sp.csr_matrix(matrix, dtype=np.float32)
        self.ids = np.asarray(ids, dtype=np.int64)
        self._forced = exact

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def document_frequency(self) -> np.ndarray:
        return np.bincount(self.matrix.indices, minlength=self.matrix.shape[1])

    @cached_property
    def exact(self) -> bool:
        if self._forced is not None:
            return self._forced
        df = self.document_frequency.astype(np.float64)
        return len(self) <= EXACT_MAX_TARGETS and float(df @ df) <= EXACT_MAX_PRODUCTS

    @property
    def method(self) -> str:
        return "exact" if self.exact else "candidates"

    @cached_property
    def _transposed(self) -> sp.csr_matrix:
        return self.matrix.T.tocsr()

    @cached_property
    def _distinctive(self) -> np.ndarray:
        limit = max(CANDIDATE_MIN_DF, int(len(self) * CANDIDATE_DF_SHARE))
        return self.document_frequency <= limit

    @cached_property
    def _distinctive_transposed(self) -> sp.csr_matrix:
        m = self.matrix
        kept = sp.csr_matrix(
            (np.where(self._distinctive[m.indices], m.data, 0), m.indices.copy(), m.indptr.copy()),
            shape=m.shape,
        )
        kept.eliminate_zeros()
        return kept.T.tocsr()

    @cached_property
    def _latent(self) -> tuple[TruncatedSVD | None, faiss.IndexFlatIP | None]:
        """The projection on the targets' main directions, and the projected targets in an
        exact inner-product index (None, None when there are too few targets or terms)."""
        dimensions = min(LATENT_DIMENSIONS, self.matrix.shape[1] - 1, len(self) - 1)
        if dimensions < 2:
            return None, None
        svd = TruncatedSVD(n_components=dimensions, n_iter=LATENT_ITERATIONS, random_state=0).fit(
            self.matrix
        )
        index = faiss.IndexFlatIP(dimensions)
        index.add(_unit_rows(svd.transform(self.matrix)))
        return svd, index

    def prepare(self) -> TargetIndex:
        """Build now what searching needs (else the first search does)."""
        _ = self._transposed if self.exact else (self._distinctive_transposed, self._latent)
        return self

    def nearest(self, queries: sp.csr_matrix, *, k: int, query_ids: np.ndarray) -> Neighbours:
        """The k targets nearest to each query; a target with the query's own id is left
        out."""
        queries = sp.csr_matrix(queries, dtype=np.float32)
        n_q = queries.shape[0]
        if n_q == 0 or len(self) == 0 or k <= 0:
            return _empty(n_q, max(k, 0), self.method)
        own = self._own_positions(np.asarray(query_ids, dtype=np.int64))
        if self.exact:
            positions, scores = self._exact(queries, k=k, own=own)
        else:
            positions, scores = self._by_candidates(queries, k=k, own=own)
        ids = np.where(positions >= 0, self.ids[np.maximum(positions, 0)], -1)
        return Neighbours(ids, scores, self.method)

    def _own_positions(self, query_ids: np.ndarray) -> np.ndarray:
        """For each query, the position of the target with its id, or -1."""
        order = np.argsort(self.ids, kind="stable")
        found = np.minimum(np.searchsorted(self.ids, query_ids, sorter=order), len(self) - 1)
        positions = order[found]
        return np.where(self.ids[positions] == query_ids, positions, -1)

    def _exact(self, queries, *, k: int, own: np.ndarray):
        n_q, n_t = queries.shape[0], len(self)
        block = max(1, BLOCK_CELLS // n_t)
        positions = np.full((n_q, k), -1, dtype=np.int64)
        scores = np.zeros((n_q, k), dtype=np.float32)
        for start in range(0, n_q, block):
            end = min(start + block, n_q)
            dense = (queries[start:end] @ self._transposed).toarray()
            positions[start:end], scores[start:end] = _top_k_dense(dense, k, own[start:end])
        return positions, scores

    def _by_candidates(self, queries, *, k: int, own: np.ndarray):
        """The topic way for all queries at once (faiss runs it on every core), then the
        distinctive words and the exact scores a block of queries at a time, THREADS blocks
        at once (the sparse products and numpy's loops let other threads run)."""
        n_q = queries.shape[0]
        self.prepare()  # built once, before the threads share it
        by_topic = self._by_topic(queries, k=k)
        positions = np.full((n_q, k), -1, dtype=np.int64)
        scores = np.zeros((n_q, k), dtype=np.float32)

        def block(start: int) -> None:
            end = min(start + CANDIDATE_BLOCK, n_q)
            mine, own_block = queries[start:end], own[start:end]
            found = np.hstack(
                [self._by_distinctive_words(mine, own=own_block), by_topic[start:end]]
            )
            positions[start:end], scores[start:end] = self._rescore(
                mine, _without_repeats(found, own_block), k=k
            )

        starts = range(0, n_q, CANDIDATE_BLOCK)
        if len(starts) == 1 or THREADS == 1:
            for start in starts:
                block(start)
        else:
            with ThreadPoolExecutor(max_workers=THREADS) as pool:
                list(pool.map(block, starts))
        return positions, scores

    def _by_distinctive_words(self, queries, *, own: np.ndarray) -> np.ndarray:
        """Each query's CANDIDATES targets scoring best on its distinctive words (-1 where
        fewer share one). For one block of queries (_by_candidates): their scores on those
        words are held at once."""
        candidates = np.full((queries.shape[0], CANDIDATES), -1, dtype=np.int64)
        partial = (_signatures(queries, self._distinctive) @ self._distinctive_transposed).tocsr()
        for row in range(queries.shape[0]):
            lo, hi = partial.indptr[row], partial.indptr[row + 1]
            cols, vals = partial.indices[lo:hi], partial.data[lo:hi]
            if own[row] >= 0:
                keep = cols != own[row]
                cols, vals = cols[keep], vals[keep]
            if len(cols) > CANDIDATES:
                cols = cols[np.argpartition(-vals, CANDIDATES - 1)[:CANDIDATES]]
            candidates[row, : len(cols)] = cols
        return candidates

    def _by_topic(self, queries, *, k: int) -> np.ndarray:
        """Each query's nearest targets in the projection (one more than kept, as the
        query's own target may be among them; -1 where there are fewer)."""
        svd, index = self._latent
        if svd is None or index is None:
            return np.full((queries.shape[0], 0), -1, dtype=np.int64)
        wanted = min(max(LATENT_CANDIDATES, k) + 1, len(self))
        _, positions = index.search(_unit_rows(svd.transform(queries)), wanted)
        return positions.astype(np.int64)

    def _rescore(self, queries, candidates: np.ndarray, *, k: int):
        """Exact scores of each query's candidates: the query's row spread out densely, then
        read at the columns of each candidate's terms."""
        n_q, n_features = queries.shape[0], self.matrix.shape[1]
        positions = np.full((n_q, k), -1, dtype=np.int64)
        scores = np.zeros((n_q, k), dtype=np.float32)
        dense = np.zeros(RESCORE_QUERIES * n_features, dtype=np.float32)
        kk = min(k, candidates.shape[1])
        for start in range(0, n_q, RESCORE_QUERIES):
            end = min(start + RESCORE_QUERIES, n_q)
            block = queries[start:end]
            spread = np.repeat(np.arange(end - start), np.diff(block.indptr)) * n_features
            spread += block.indices
            dense[spread] = block.data
            cand = candidates[start:end]
            pair_rows, pair_slots = np.nonzero(cand >= 0)
            rows = self.matrix[cand[pair_rows, pair_slots]]
            lengths = np.diff(rows.indptr)
            owners = np.repeat(pair_rows, lengths)
            terms = rows.data * dense[owners * n_features + rows.indices]
            sums = np.bincount(
                np.repeat(np.arange(len(pair_rows)), lengths),
                weights=terms,
                minlength=len(pair_rows),
            )
            dense[spread] = 0
            exact = np.full(cand.shape, -np.inf, dtype=np.float32)
            exact[pair_rows, pair_slots] = sums
            order = np.argsort(-exact, axis=1, kind="stable")[:, :kk]
            best = np.take_along_axis(cand, order, axis=1)
            best_scores = np.take_along_axis(exact, order, axis=1)
            good = best_scores > 0
            positions[start:end, :kk] = np.where(good, best, -1)
            scores[start:end, :kk] = np.where(good, best_scores, 0)
        return positions, scores


def nearest(
    queries: sp.csr_matrix,
    targets: sp.csr_matrix,
    *,
    k: int,
    query_ids: np.ndarray,
    target_ids: np.ndarray,
    exact: bool | None = None,
) -> Neighbours:
    """The k targets nearest to each query (one search of a TargetIndex)."""
    return TargetIndex(targets, target_ids, exact=exact).nearest(queries, k=k, query_ids=query_ids)


def merge(first: Neighbours, second: Neighbours, *, k: int, replaced: np.ndarray) -> Neighbours:
    """The k best of two searches of the same queries; `first`'s targets whose ids are in
    `replaced` are left out (`second` holds their newer vectors)."""
    ids = np.concatenate([first.ids, second.ids], axis=1)
    scores = np.concatenate([first.scores, second.scores], axis=1).astype(np.float32)
    stale = np.zeros(ids.shape, dtype=bool)
    stale[:, : first.ids.shape[1]] = np.isin(first.ids, replaced)
    missing = (ids < 0) | stale
    ranked = np.where(missing, -np.inf, scores)
    order = np.argsort(-ranked, axis=1, kind="stable")[:, :k]
    best = np.take_along_axis(ids, order, axis=1)
    best_scores = np.take_along_axis(ranked, order, axis=1)
    good = np.isfinite(best_scores)
    width = best.shape[1]
    out = _empty(ids.shape[0], k, first.method)
    out.ids[:, :width] = np.where(good, best, -1)
    out.scores[:, :width] = np.where(good, best_scores, 0)
    return out


def _top_k_dense(scores: np.ndarray, k: int, own: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top k of each row of a dense block (own positions and scores <= 0 left out)."""
    n_rows, n = scores.shape
    rows = np.arange(n_rows)
    has_own = own >= 0
    scores[rows[has_own], own[has_own]] = -np.inf
    kk = min(k, n)
    if kk < n:
        top = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]
    else:
        top = np.tile(np.arange(n), (n_rows, 1))
    top_scores = np.take_along_axis(scores, top, axis=1)
    order = np.argsort(-top_scores, axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    top_scores = np.take_along_axis(top_scores, order, axis=1)
    positions = np.full((n_rows, k), -1, dtype=np.int64)
    values = np.zeros((n_rows, k), dtype=np.float32)
    good = top_scores > 0
    positions[:, :kk] = np.where(good, top, -1)
    values[:, :kk] = np.where(good, top_scores, 0)
    return positions, values


def _signatures(queries: sp.csr_matrix, allowed: np.ndarray) -> sp.csr_matrix:
    """Each query's SIGNATURE_TERMS heaviest terms among the `allowed` ones."""
    data = np.where(allowed[queries.indices], queries.data, 0).astype(np.float32)
    lengths = np.diff(queries.indptr)
    rows = np.repeat(np.arange(queries.shape[0]), lengths)
    order = np.lexsort((-data, rows))
    rank = np.empty(len(data), dtype=np.int64)
    rank[order] = np.arange(len(data)) - np.repeat(queries.indptr[:-1], lengths)
    keep = (rank < SIGNATURE_TERMS) & (data > 0)
    signatures = sp.csr_matrix(
        (np.where(keep, data, 0), queries.indices.copy(), queries.indptr.copy()),
        shape=queries.shape,
    )
    signatures.eliminate_zeros()
    return signatures


def _unit_rows(dense: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (rows of zeros kept), as float32 in C order (faiss's input)."""
    dense = np.asarray(dense, dtype=np.float32)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return np.ascontiguousarray(dense / np.maximum(norms, 1e-12))


def _without_repeats(candidates: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Each row's candidates with the query's own target and the second and later sightings
    of a target replaced by -1."""
    candidates = np.where(candidates == own[:, None], -1, candidates)
    order = np.argsort(candidates, axis=1, kind="stable")
    ordered = np.take_along_axis(candidates, order, axis=1)
    repeat = np.zeros(ordered.shape, dtype=bool)
    repeat[:, 1:] = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)
    seen_before = np.zeros(candidates.shape, dtype=bool)
    np.put_along_axis(seen_before, order, repeat, axis=1)
    return np.where(seen_before, -1, candidates)
