"""A paper as a vector: TF-IDF over the words of its title and abstract, beside its authors.

Two sparse blocks side by side, each L2-normalized, then the row normalized again, so the dot
product of two rows is their cosine similarity:

- **text**: scikit-learn's TfidfVectorizer over title + abstract: word unigrams and bigrams,
  English stop words left out, accents stripped, sublinear term frequency (1 + log tf: a word
  said ten times is not ten times the evidence), smoothed IDF. At most TEXT_MAX_FEATURES
  terms, the most frequent ones kept once the document-frequency bounds have been applied
  (`document_frequency_bounds`);
- **authors**: each author's normalized name is one term (TF-IDF too: a name on every third
  paper says little), weighted AUTHOR_WEIGHT against the text block. A paper sharing all its
  authors with another and no word gets cosine AUTHOR_WEIGHT² / (1 + AUTHOR_WEIGHT²), 0.2.

The vocabulary is chosen on at most VOCABULARY_SAMPLE papers spread evenly over the corpus,
and the IDF is counted over every paper. Counting every bigram of 100,000 abstracts before
keeping the TEXT_MAX_FEATURES most frequent held 1.8 GB (measured on the bench corpus); on a
sample of 25,000 it holds a quarter of that, and the terms kept are the same frequent ones.

A fitted model is its two vocabularies and IDF vectors (`FeatureModel`), saved as plain arrays
(`to_bytes`, no pickle): any paper that arrives later is transformed with them at once, and
the model is fitted again from time to time to take in the new words.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize

TEXT_MAX_FEATURES = 50_000
AUTHOR_MAX_FEATURES = 100_000
AUTHOR_WEIGHT = 0.5
VOCABULARY_SAMPLE = 25_000
# Below this many papers every word counts (min_df 1, no max_df): a corpus of a few papers
# would otherwise keep almost no term at all.
SMALL_CORPUS = 20
# Papers transformed at a time: bounds the memory of the counts of one batch.
BATCH = 10_000
FORMAT = 1

TEXT_PARAMS: dict = {
    "ngram_range": (1, 2),
    "stop_words": "english",
    "strip_accents": "unicode",
    "lowercase": True,
    "dtype": np.float32,
}
TFIDF_PARAMS: dict = {"sublinear_tf": True, "smooth_idf": True, "norm": "l2"}


def document_frequency_bounds(n_papers: int) -> tuple[int, float]:
    """min_df and max_df of the text vocabulary chosen over `n_papers` papers.

    A term must be in two papers at least (one that is in a single paper links it to no
    other, and only dilutes its vector) and in at most half of them (the field's own stop
    words: "model", "method", "results"). Tiny corpora keep every term.
    """
    if n_papers < SMALL_CORPUS:
        return 1, 1.0
    return 2, 0.5


@dataclass(frozen=True)
class PaperText:
    title: str
    abstract: str = ""
    authors: Sequence[str] = ()

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.abstract}"


_SPACES = re.compile(r"\s+")


def author_key(name: str) -> str:
    """An author's name as a term: accents stripped, case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", plain.casefold()).strip(" .,;")


def author_terms(authors: Sequence[str]) -> list[str]:
    """The analyzer of the author block: one term per distinct named author."""
    terms = (author_key(a) for a in authors if isinstance(a, str))
    return list(dict.fromkeys(t for t in terms if t))


def _count_vectorizer_for_authors(**params) -> CountVectorizer:
    return CountVectorizer(analyzer=author_terms, dtype=np.float32, **params)


@dataclass
class FeatureModel:
    """What a fit learned: the terms of each block (their column order) and their IDF."""

    text_vocabulary: list[str]
    text_idf: np.ndarray
    author_vocabulary: list[str] = field(default_factory=list)
    author_idf: np.ndarray = field(default_factory=lambda: np.zeros(0))
    author_weight: float = AUTHOR_WEIGHT

    @property
    def n_features(self) -> int:
        return len(self.text_vocabulary) + len(self.author_vocabulary)

    @cached_property
    def text_vectorizer(self) -> TfidfVectorizer:
        vectorizer = TfidfVectorizer(
            **TEXT_PARAMS,
            **TFIDF_PARAMS,
            vocabulary={term: i for i, term in enumerate(self.text_vocabulary)},
        )
        vectorizer.idf_ = self.text_idf
        return vectorizer

    @cached_property
    def author_vectorizer(self) -> TfidfVectorizer | None:
        if not self.author_vocabulary:
            return None
        vectorizer = TfidfVectorizer(
            analyzer=author_terms,
            dtype=np.float32,
            **TFIDF_PARAMS,
            vocabulary={term: i for i, term in enumerate(self.author_vocabulary)},
        )
        vectorizer.idf_ = self.author_idf
        return vectorizer

    def transform(self, papers: Sequence[PaperText]) -> sp.csr_matrix:
        """Unit rows (or empty ones: a paper with no known term), one per paper."""
        blocks = []
        for start in range(0, len(papers), BATCH):
            batch = papers[start : start + BATCH]
            text = self.text_vectorizer.transform([p.text for p in batch])
            authors = (
                self.author_vectorizer.transform([list(p.authors) for p in batch])
                if self.author_vectorizer is not None
                else None
            )
            blocks.append(combine(text, authors, weight=self.author_weight))
        if not blocks:
            return sp.csr_matrix((0, self.n_features), dtype=np.float32)
        return sp.vstack(blocks, format="csr")

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.array([FORMAT]),
            text_vocabulary=_terms_to_array(self.text_vocabulary),
            text_idf=np.asarray(self.text_idf, dtype=np.float64),
            author_vocabulary=_terms_to_array(self.author_vocabulary),
            author_idf=np.asarray(self.author_idf, dtype=np.float64),
            author_weight=np.array([self.author_weight]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> FeatureModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            if int(arrays["format"][0]) != FORMAT:
                raise ValueError(f"unknown feature model format {arrays['format'][0]}")
            return cls(
                text_vocabulary=_terms_from_array(arrays["text_vocabulary"]),
                text_idf=arrays["text_idf"],
                author_vocabulary=_terms_from_array(arrays["author_vocabulary"]),
                author_idf=arrays["author_idf"],
                author_weight=float(arrays["author_weight"][0]),
            )


def _terms_to_array(terms: list[str]) -> np.ndarray:
    # Terms never hold a line break (words and bigrams of \w characters, names with their
    # spaces collapsed): one UTF-8 text, not a fixed-width string array.
    return np.frombuffer("\n".join(terms).encode(), dtype=np.uint8)


def _terms_from_array(array: np.ndarray) -> list[str]:
    text = array.tobytes().decode()
    return text.split("\n") if text else []


def combine(text: sp.csr_matrix, authors: sp.csr_matrix | None, *, weight: float) -> sp.csr_matrix:
    """The text block beside the weighted author block, each row of unit length."""
    if authors is None or authors.shape[1] == 0:
        return sp.csr_matrix(text, dtype=np.float32)
    joined = sp.hstack([text, authors * weight], format="csr", dtype=np.float32)
    return normalize(joined, norm="l2", copy=False)


def fit(
    papers: Sequence[PaperText],
    *,
    max_features: int = TEXT_MAX_FEATURES,
    sample_size: int = VOCABULARY_SAMPLE,
    author_weight: float = AUTHOR_WEIGHT,
) -> tuple[FeatureModel, sp.csr_matrix]:
    """Fit the features on `papers` and return the model with their vectors (rows in the
    order of `papers`). At least one paper must have a word that is not a stop word."""
    n = len(papers)
    sample = sample_indices(n, sample_size)
    min_df, max_df = document_frequency_bounds(len(sample))
    counter = CountVectorizer(
        **TEXT_PARAMS, min_df=min_df, max_df=max_df, max_features=max_features
    )
    sample_counts = counter.fit_transform([papers[i].text for i in sample])
    rest = np.setdiff1d(np.arange(n), sample, assume_unique=True)
    parts = [sample_counts]
    for start in range(0, len(rest), BATCH):
        parts.append(counter.transform([papers[i].text for i in rest[start : start + BATCH]]))
    del sample_counts
    counts = sp.vstack(parts, format="csr")
    del parts
    # Rows are in the order sample, then rest: put them back in the papers' order.
    order = np.empty(n, dtype=np.int64)
    order[np.concatenate([sample, rest])] = np.arange(n)
    counts = counts[order]
    text_tfidf = TfidfTransformer(**TFIDF_PARAMS).fit(counts)
    text = text_tfidf.transform(counts).astype(np.float32)
    del counts
    vocabulary = counter.get_feature_names_out().tolist()

    author_counter = _count_vectorizer_for_authors(max_features=AUTHOR_MAX_FEATURES)
    author_lists = [list(p.authors) for p in papers]
    try:
        author_counts = author_counter.fit_transform(author_lists)
    except ValueError:  # nobody named: no author block
        author_vocabulary: list[str] = []
        author_idf = np.zeros(0)
        authors = None
    else:
        author_tfidf = TfidfTransformer(**TFIDF_PARAMS).fit(author_counts)
        authors = author_tfidf.transform(author_counts).astype(np.float32)
        author_vocabulary = author_counter.get_feature_names_out().tolist()
        author_idf = author_tfidf.idf_
    model = FeatureModel(
        text_vocabulary=vocabulary,
        text_idf=text_tfidf.idf_,
        author_vocabulary=author_vocabulary,
        author_idf=author_idf,
        author_weight=author_weight,
    )
    return model, combine(text, authors, weight=author_weight)


def sample_indices(n: int, size: int) -> np.ndarray:
    """`size` positions spread evenly over range(n) (all of them when n <= size): the sample
    covers the whole history, and the same corpus gives the same sample."""
    if n <= size:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, size).round().astype(np.int64))


# --- Vectors as bytes (one stored row per paper) ---------------------------------------------


def vector_to_bytes(matrix: sp.csr_matrix, row: int) -> bytes:
    """Row `row` of `matrix`: its column indices (int32), then its values (float32)."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    return (
        matrix.indices[start:end].astype(np.int32, copy=False).tobytes()
        + matrix.data[start:end].astype(np.float32, copy=False).tobytes()
    )


def vectors_from_bytes(blobs: Sequence[bytes], n_features: int) -> sp.csr_matrix:
    """The rows stored by vector_to_bytes, as one matrix (rows in the order given)."""
    sizes = np.fromiter((len(b) // 8 for b in blobs), dtype=np.int64, count=len(blobs))
    indptr = np.zeros(len(blobs) + 1, dtype=np.int64)
    np.cumsum(sizes, out=indptr[1:])
    indices = np.frombuffer(b"".join(memoryview(b)[: len(b) // 2] for b in blobs), dtype=np.int32)
    data = np.frombuffer(b"".join(memoryview(b)[len(b) // 2 :] for b in blobs), dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(blobs), n_features))
