"""Fast character n-gram counts for Chinese text (what CountVectorizer(analyzer="char") computes).

Why not scikit-learn's own vectorizers: both look every n-gram up one by one in Python (a dict for
CountVectorizer, a string hash for HashingVectorizer), about 1,000–1,600 appeals/s on one core, below
the 2,000 appeals/s target. Here the n-grams of a whole batch are hashed at once with NumPy on the
code points, and counted with one sort. Buckets are 2**22 wide (few collisions for the ~10^6 distinct
1–3-grams of a large corpus); training keeps only buckets seen in at least `min_df` training texts, so
the output is as narrow as a vocabulary and the linear model's weights stay small.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constants (golden ratio, murmur/xxhash primes)
_STEP = (np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9), np.uint64(0x27D4EB2F165667C5),
         np.uint64(0x85EBCA77C2B2AE63), np.uint64(0xFF51AFD7ED558CCD))
_SHIFT = np.uint64(64 - 22)
BITS = 22


def _code_points(docs: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts' code points end to end, and each text's length."""
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    points = np.frombuffer("".join(docs).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    return points, lengths


def _ngram_hashes(points: np.ndarray, n_max: int) -> list[np.ndarray]:
    """hashes[n-1][i] identifies the n-gram ending at position i + n - 1 (a rolling multiplicative hash)."""
    with np.errstate(over="ignore"):
        h = points * _MIX
        out = [h]
        for n in range(2, n_max + 1):
            h = (h[:-1] ^ (points[n - 1:] * _STEP[(n - 2) % len(_STEP)])) * _MIX
            out.append(h)
    return [x >> _SHIFT for x in out]  # the top bits are the best mixed


def ngram_buckets(docs: list[str], ngram_min: int, ngram_max: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, bucket) of every character n-gram occurrence in the texts; buckets are BITS wide. Needs no fit:
    the duplicate search (dispatch/textsim.py) counts with it too."""
    points, lengths = _code_points(docs)
    row_of = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    pos_in_doc = np.arange(len(points), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    rows, buckets = [], []
    for n, hashes in enumerate(_ngram_hashes(points, ngram_max), start=1):
        if n < ngram_min:
            continue
        whole = pos_in_doc[n - 1:] >= n - 1  # the n-gram does not straddle two texts
        rows.append(row_of[n - 1:][whole])
        buckets.append(hashes[whole].astype(np.int64))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(buckets)


class NgramColumns:
    """Kept n-gram buckets as feature columns: counts per text, and where each kept n-gram occurs.

    Plain NumPy, so the runtime model (model.py) needs nothing but the arrays of its file; the training
    side's CharNgramCounter (features.py) fits which buckets to keep and then counts with this too.
    """

    def __init__(self, buckets: np.ndarray, ngram_min: int, ngram_max: int) -> None:
        self.buckets = np.asarray(buckets, dtype=np.int64)  # column j = buckets[j]
        self.ngram_min = int(ngram_min)
        self.ngram_max = int(ngram_max)
        self._table: np.ndarray | None = None

    @property
    def width(self) -> int:
        return len(self.buckets)

    def _column_of_bucket(self) -> np.ndarray:
        """bucket → column (-1: not a feature); built on first use, never stored (16 MB)."""
        if self._table is None:
            table = np.full(1 << BITS, -1, dtype=np.int32)
            table[self.buckets] = np.arange(len(self.buckets), dtype=np.int32)
            self._table = table
        return self._table

    def counts(self, docs: list[str]) -> csr_matrix:
        """Occurrences of each kept n-gram per text (texts x columns, float32 CSR, indices sorted)."""
        docs = list(docs)
        rows, buckets = ngram_buckets(docs, self.ngram_min, self.ngram_max)
        cols = self._column_of_bucket()[buckets]
        known = cols >= 0
        keys, counts = np.unique((rows[known] << 32) | cols[known], return_counts=True)
        rows, cols = keys >> 32, keys & 0xFFFFFFFF
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(docs)), out=indptr[1:])
        return csr_matrix(
            (counts.astype(np.float32), cols.astype(np.int32), indptr),
            shape=(len(docs), len(self.buckets)),
        )

    def term_occurrences(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, length, column) of each occurrence in `text` of an n-gram that is a kept feature, ordered
        by length, then start: for explanations, which pick a few of them without a Python pass over all."""
        points, _ = _code_points([text])
        table = self._column_of_bucket()
        found = []
        for n, hashes in enumerate(_ngram_hashes(points, self.ngram_max), start=1):
            if n < self.ngram_min or len(hashes) == 0:
                continue
            cols = table[hashes.astype(np.int64)]
            starts = np.flatnonzero(cols >= 0)
            found.append((starts, np.full(len(starts), n, dtype=np.int64), cols[starts].astype(np.int64)))
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        starts, lengths, cols = (np.concatenate(part) for part in zip(*found, strict=True))
        return starts, lengths, cols


def document_frequencies(docs: list[str], ngram_min: int, ngram_max: int) -> np.ndarray:
    """In how many of the texts each bucket occurs (length 2**BITS)."""
    rows, buckets = ngram_buckets(docs, ngram_min, ngram_max)
    distinct = np.unique((rows << BITS) | buckets) & ((1 << BITS) - 1)  # one per (text, bucket)
    return np.bincount(distinct, minlength=1 << BITS)
