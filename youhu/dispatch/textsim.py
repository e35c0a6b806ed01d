"""Text similarity for Chinese appeals: character n-gram TF-IDF vectors, L2-normalised, so that a
dot product is the cosine. Hashing keeps it fast (no vocabulary to build) on thousands of texts."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from scipy.sparse import csr_matrix, vstack
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
_counts_cache: OrderedDict[tuple[int, str], csr_matrix] = OrderedDict()


def _cached_counts(texts: list[str], n_features: int) -> csr_matrix:
    missing = list(dict.fromkeys(t for t in texts if (n_features, t) not in _counts_cache))
    if missing:
        fresh = _hasher(n_features).transform(missing)
        for i, text in enumerate(missing):
            _counts_cache[(n_features, text)] = fresh[i]
    rows = []
    for text in texts:
        _counts_cache.move_to_end((n_features, text))
        rows.append(_counts_cache[(n_features, text)])
    while len(_counts_cache) > COUNTS_CACHE_SIZE:
        _counts_cache.popitem(last=False)
    return vstack(rows, format="csr")


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
    """Cosine similarity of `text` to each of `others`."""
    if not others:
        return []
    texts = [text, *others]
    counts = _cached_counts(texts, _n_features(len(texts)))  # the same rows tfidf_matrix would hash
    matrix = TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()
    return [float(s) for s in (matrix[1:] @ matrix[0].T).toarray().ravel()]
