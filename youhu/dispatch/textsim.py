"""Text similarity for Chinese appeals: character n-gram TF-IDF vectors, L2-normalised, so that a
dot product is the cosine. Hashing keeps it fast (no vocabulary to build) on thousands of texts."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

N_FEATURES = 2**20


def tfidf_matrix(texts: list[str]) -> csr_matrix:
    """One row per text; rows of empty or n-gram-less texts are all zero."""
    # A few texts need far fewer hash buckets; the idf arrays are as long as the buckets are many.
    n_features = N_FEATURES if len(texts) > 1000 else N_FEATURES // 8
    counts = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 3), alternate_sign=False, norm=None,
                               n_features=n_features).transform(texts)
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()


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
    matrix = tfidf_matrix([text, *others])
    return [float(s) for s in (matrix[1:] @ matrix[0].T).toarray().ravel()]
