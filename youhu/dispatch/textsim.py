"""Text similarity for Chinese appeals: character n-gram TF-IDF vectors, L2-normalised, so that a
dot product is the cosine. Hashing keeps it fast (no vocabulary to build) on thousands of texts."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

N_FEATURES = 2**20


def _n_features(count: int) -> int:
    # A few texts need far fewer hash buckets; the idf arrays are as long as the buckets are many.
    return N_FEATURES if count > 1000 else N_FEATURES // 8


def _hasher(n_features: int) -> HashingVectorizer:
    return HashingVectorizer(analyzer="char_wb", ngram_range=(2, 3), alternate_sign=False, norm=None,
                             n_features=n_features)


def tfidf_matrix(texts: list[str]) -> csr_matrix:
    """One row per text; rows of empty or n-gram-less texts are all zero."""
    counts = _hasher(_n_features(len(texts))).transform(texts)
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()


# Hashed n-gram counts of recently compared texts. Hashing is stateless, so a text's row never changes
# and the cache cannot go stale; the duplicate search compares each new appeal with the same few hundred
# open ones over and over, and hashing them (not the TF-IDF arithmetic) was most of its cost.
COUNTS_CACHE_SIZE = 2000
Row = tuple[np.ndarray, np.ndarray]  # (bucket indices, counts) of one text
_counts_cache: OrderedDict[tuple[int, str], Row] = OrderedDict()


def _cached_rows(texts: list[str], n_features: int) -> list[Row]:
    missing = list(dict.fromkeys(t for t in texts if (n_features, t) not in _counts_cache))
    if missing:
        fresh = _hasher(n_features).transform(missing).tocsr()
        for i, text in enumerate(missing):
            start, end = fresh.indptr[i], fresh.indptr[i + 1]
            _counts_cache[(n_features, text)] = (fresh.indices[start:end].copy(), fresh.data[start:end].copy())
    rows = []
    for text in texts:
        _counts_cache.move_to_end((n_features, text))
        rows.append(_counts_cache[(n_features, text)])
    while len(_counts_cache) > COUNTS_CACHE_SIZE:
        _counts_cache.popitem(last=False)
    return rows


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
    """Cosine similarity of `text` to each of `others`: the TF-IDF of `tfidf_matrix` (scikit-learn's
    sublinear tf, smoothed idf, L2 rows) in flat NumPy arrays. This runs for every new appeal against up to
    a few hundred open ones; stacking that many sparse rows and multiplying through scipy cost more than the
    arithmetic itself (a test holds the two to the same figures)."""
    if not others:
        return []
    rows = _cached_rows([text, *others], _n_features(len(others) + 1))
    n = len(rows)
    lengths = np.fromiter((len(indices) for indices, _ in rows), dtype=np.int64, count=n)
    indices = np.concatenate([indices for indices, _ in rows])
    counts = np.concatenate([counts for _, counts in rows])
    row_of = np.repeat(np.arange(n), lengths)
    df = np.bincount(indices)
    weights = (np.log(counts) + 1.0) * (np.log((1.0 + n) / (1.0 + df[indices])) + 1.0)
    norms = np.sqrt(np.bincount(row_of, weights=weights * weights, minlength=n))
    weights /= np.where(norms > 0, norms, 1.0)[row_of]
    query = np.zeros(len(df))
    query[indices[: lengths[0]]] = weights[: lengths[0]]
    scores = np.bincount(row_of, weights=weights * query[indices], minlength=n)
    return [float(s) for s in scores[1:]]
