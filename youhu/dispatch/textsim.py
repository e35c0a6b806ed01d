"""Text similarity for Chinese appeals: character 2–3-gram TF-IDF vectors, L2-normalised, so that a dot
product is the cosine. The n-grams are hashed with NumPy a whole batch at a time (the classifier's
`ngram_buckets`): scikit-learn's HashingVectorizer hashes one n-gram at a time in Python, about 170 µs per
400-character text, and the duplicate search hashes up to a few hundred texts for every new appeal."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import normalize

from .classifier.ngrams import BITS, ngram_buckets
from .recent import Recent

NGRAMS = (2, 3)


def _fold_bits(count: int) -> int:
    # Hash buckets for `count` texts: few texts need few (the arrays below are as long as the buckets are
    # many), many texts need more to keep two n-grams from sharing one.
    return 20 if count > 1000 else 17


Row = tuple[np.ndarray, np.ndarray]  # (bucket ids, counts or their sublinear tf) of one text's n-grams


def _count_rows(texts: list[str]) -> list[Row]:
    rows, buckets = ngram_buckets(texts, *NGRAMS)
    keys, counts = np.unique((rows << BITS) | buckets, return_counts=True)  # sorted by row, then bucket
    bounds = np.searchsorted(keys >> BITS, np.arange(len(texts) + 1))
    ids, counts = keys & ((1 << BITS) - 1), counts.astype(np.float64)
    return [(ids[a:b], counts[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def tfidf_matrix(texts: list[str]) -> csr_matrix:
    """One row per text (columns: the n-grams seen in these texts); rows of empty texts are all zero."""
    rows = _count_rows(texts)
    lengths = [len(ids) for ids, _ in rows]
    ids = np.concatenate([ids for ids, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
    columns, inverse = np.unique(ids >> (BITS - _fold_bits(len(texts))), return_inverse=True)
    # Two n-grams of one text may share a folded bucket: their counts add up, as in HashingVectorizer.
    counts = csr_matrix((np.concatenate([c for _, c in rows]) if rows else np.zeros(0), inverse,
                         np.concatenate([[0], np.cumsum(lengths)])), shape=(len(texts), len(columns)))
    counts.sum_duplicates()
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()


# N-gram counts of recently compared texts, folded for comparison: a text's row never changes, and the
# duplicate search compares each new appeal with the same few hundred open ones over and over.
_counts_cache: Recent[tuple[int, str], Row] = Recent(2000)


def _fold(row: Row, fold: int) -> Row:
    """The row with its bucket ids cut to `fold` bits, one entry per bucket: n-grams that now share one add
    up their counts (as in HashingVectorizer). Ids are sorted, so sharers are neighbours."""
    ids, counts = row
    folded = ids >> (BITS - fold)
    if len(folded) < 2 or bool(np.all(folded[1:] > folded[:-1])):
        return folded, counts
    starts = np.flatnonzero(np.concatenate([[True], folded[1:] != folded[:-1]]))
    return folded[starts], np.add.reduceat(counts, starts)


def _cached_rows(texts: list[str], fold: int) -> list[Row]:
    """Each text's folded bucket ids with their sublinear term frequencies (1 + ln count), as TF-IDF weighs
    them: computed once per text, not again for every table the text is in."""

    def count(keys: list[tuple[int, str]]) -> dict[tuple[int, str], Row]:
        rows = {}
        for key, row in zip(keys, _count_rows([text for _, text in keys]), strict=True):
            ids, counts = _fold(row, fold)
            rows[key] = ids, np.log(counts) + 1.0
        return rows

    keys = [(fold, text) for text in texts]
    known = _counts_cache.get_many(keys, count)
    return [known[key] for key in keys]


def drop_common(matrix: csr_matrix, max_df: float) -> csr_matrix:
    """Remove n-grams found in more than `max_df` of the rows ('反映', '小区', 'A市' …): they make
    unrelated appeals look alike and every row product expensive. Rows are re-normalised."""
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    common = df > max(max_df * matrix.shape[0], 1)
    kept = matrix.copy()
    kept.data[common[kept.indices]] = 0
    kept.eliminate_zeros()
    return normalize(kept)


def similarities(text: str, others: list[str]) -> list[float]:
    """Cosine similarity of `text` to each of `others`, the TF-IDF fitted over `text` and `others`."""
    if not others:
        return []
    return [float(s) for s in SimilarityTable([text, *others]).scores(0, range(1, len(others) + 1))]


class SimilarityTable:
    """TF-IDF rows of a set of texts, fitted over all of them: the values of `tfidf_matrix` (scikit-learn's
    sublinear tf, smoothed idf, L2 rows; a test holds the two together) computed in flat NumPy arrays from
    the cached counts. For the cosines of any of the texts to any others: the duplicate search of a batch of
    appeals against their pools weighs all the texts once, instead of a few hundred again for every appeal.

    The rows are kept unnormalised with their norms beside them: a cosine divides the few products asked for,
    instead of every weight of every text being divided up front."""

    def __init__(self, texts: list[str]):
        n = len(texts)
        # Folded bucket ids index the arrays directly: cheaper than sorting the texts' ids (np.unique).
        fold = _fold_bits(n)
        rows = _cached_rows(texts, fold)
        lengths = np.fromiter((len(ids) for ids, _ in rows), dtype=np.int64, count=n)
        cols = np.concatenate([ids for ids, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
        tf = np.concatenate([tf for _, tf in rows]) if rows else np.zeros(0)
        df = np.bincount(cols, minlength=1 << fold)  # a text holds a bucket once: df <= n
        # Smoothed idf, ln((1 + n) / (1 + df)) + 1, looked up by df: n + 1 logarithms, not one per entry.
        idf_of_df = np.log((1.0 + n) / np.arange(1.0, n + 2.0)) + 1.0
        weights = tf * idf_of_df[df[cols]]
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        self.norms = np.ones(n)
        filled = np.flatnonzero(lengths)  # an empty text's norm stays 1: its cosines are 0
        if len(filled):
            # Sums from one filled row's start to the next: the empty rows between hold no entries.
            self.norms[filled] = np.sqrt(np.add.reduceat(weights * weights, indptr[filled]))
        self.matrix = csr_matrix((weights, cols, indptr), shape=(n, 1 << fold))

    def scores(self, row: int, others: Iterable[int]) -> np.ndarray:
        """Cosines of text `row` to each of the texts `others` (row numbers)."""
        return self.block([row], list(others))[0]

    def block(self, rows: list[int], others: list[int]) -> np.ndarray:
        """Cosines of each of `rows` (lines) to each of `others` (columns)."""
        if not rows or not others:
            return np.zeros((len(rows), len(others)))
        products = (self.matrix[rows] @ self.matrix[others].T).toarray()
        return products / np.outer(self.norms[rows], self.norms[others])
