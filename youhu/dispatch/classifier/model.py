"""The trained classifier: predictions with calibrated confidences, and the terms behind them.

Works from the model file's arrays alone (storage.ModelArrays): counts of kept character n-grams,
TF-IDF with log-scaled term frequency and rows L2-normalised, linear scores, a sigmoid per class,
normalised and averaged over calibrated copies. That is the arithmetic of the scikit-learn pipeline
it was trained as (features.py; a test checks the two agree), without scikit-learn objects: the
per-call input checks of CalibratedClassifierCV cost more than the arithmetic (~7 ms an appeal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from .ngrams import NgramColumns
from .storage import ModelArrays
from .text import is_readable, prepare

TOP_K = 3


@dataclass(frozen=True)
class Prediction:
    label: str  # first-level category name, e.g. "城乡建设"
    confidence: float  # calibrated probability of `label`, in [0, 1]
    top: list[tuple[str, float]] = field(default_factory=list)  # best three (label, probability)
    readable: bool = True  # False: too little Chinese text to read; confidence is the floor


def tfidf(counts: csr_matrix, idf: np.ndarray) -> csr_matrix:
    """(1 + log count) x idf per feature, each row scaled to unit length (TfidfTransformer(sublinear_tf=True))."""
    features = counts.copy()
    np.log(features.data, out=features.data)
    features.data += 1.0
    features.data *= idf[features.indices]
    row_of = np.repeat(np.arange(features.shape[0]), np.diff(features.indptr))
    lengths = np.sqrt(np.bincount(row_of, weights=features.data.astype(np.float64) ** 2, minlength=features.shape[0]))
    lengths[lengths == 0] = 1.0  # a text with no kept n-gram stays an empty row
    features.data /= lengths[row_of].astype(features.data.dtype)
    return features


class CalibratedLinear:
    """Linear scores per output, a sigmoid each, normalised over the labels, averaged over the copies."""

    def __init__(self, model: ModelArrays) -> None:
        self.n_classes = len(model.labels)
        self.columns = model.columns
        self.width = model.columns.shape[1]
        # Scored in float64, so that the weights' rounding is the only difference from the fitted pipeline's
        # probabilities (float32 sums over a text's features would add as much again).
        self.weights = model.weights.astype(np.float64)
        self.intercepts = model.intercepts
        self.slopes = model.slopes
        self.offsets = model.offsets

    def predict_proba(self, features: Any) -> np.ndarray:
        decision = np.asarray(features @ self.weights, dtype=np.float64) + self.intercepts
        calibrated = 1.0 / (1.0 + np.exp(decision * self.slopes + self.offsets))  # expit(-(a*d + b))
        n = decision.shape[0]
        mean = np.zeros((n, self.n_classes))
        for i, positions in enumerate(self.columns):
            part = calibrated[:, i * self.width:(i + 1) * self.width]
            proba = np.zeros((n, self.n_classes))
            proba[:, positions] = part
            if self.n_classes == 2:
                proba[:, 0] = 1.0 - proba[:, 1]
            else:
                total = proba.sum(axis=1, keepdims=True)
                proba = np.divide(proba, total, out=np.full_like(proba, 1 / self.n_classes), where=total != 0)
            proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
            mean += proba
        return mean / len(self.columns)

    def class_weights(self) -> np.ndarray:
        """(labels x features) weight of each feature for each label, averaged over the copies."""
        out = np.zeros((self.n_classes, self.weights.shape[0]))
        for i, positions in enumerate(self.columns):
            out[positions] += self.weights[:, i * self.width:(i + 1) * self.width].T
        out /= len(self.columns)
        if self.n_classes == 2:  # one output per copy, for labels[1]; labels[0] is its opposite
            out[0] = -out[1]
        return out


class Classifier:
    """The arrays of a model file, with the header it was saved with."""

    def __init__(self, model: ModelArrays, header: dict[str, Any] | None = None) -> None:
        self.model = model
        self.header = header or {}
        self.labels: list[str] = [str(c) for c in model.labels]
        self.ngrams = NgramColumns(model.buckets, *model.ngram_range)
        self.linear = CalibratedLinear(model)
        self._weights: np.ndarray | None = None

    def features(self, prepared: list[str]) -> csr_matrix:
        """TF-IDF rows (texts x features, CSR) of prepared texts."""
        return tfidf(self.ngrams.counts(prepared), self.model.idf)

    # -- prediction ---------------------------------------------------------------------------

    def predict_proba(self, texts: Sequence[object]) -> np.ndarray:
        """Probabilities (rows: texts, columns: self.labels) for raw appeal texts."""
        prepared = [prepare("", t) for t in texts]
        return self._proba_prepared(prepared)

    def _proba_prepared(self, prepared: list[str]) -> np.ndarray:
        return self._proba_and_readable(prepared)[0]

    def _proba_and_readable(self, prepared: list[str]) -> tuple[np.ndarray, np.ndarray]:
        if not prepared:
            return np.zeros((0, len(self.labels))), np.zeros(0, dtype=bool)
        return self._scored(prepared)[1:]

    def _scored(self, prepared: list[str]) -> tuple[Any, np.ndarray, np.ndarray]:
        """(feature rows as CSR, probabilities, readable) of non-empty `prepared`."""
        features = self.features(prepared)
        proba = self.linear.predict_proba(features)
        # Unreadable input (empty, non-Chinese, binary) gets no opinion: uniform, so it goes to a human.
        readable = np.fromiter(map(is_readable, prepared), dtype=bool, count=len(prepared))
        proba[~readable] = 1.0 / len(self.labels)
        return features, proba, readable

    def predict(self, texts: Sequence[object]) -> list[Prediction]:
        """One Prediction per appeal text (title and content joined, or content alone)."""
        prepared = [prepare("", t) for t in texts]
        return self._predictions(*self._proba_and_readable(prepared))

    def _predictions(self, proba: np.ndarray, readable: np.ndarray) -> list[Prediction]:
        k = min(TOP_K, len(self.labels))
        order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
        out = []
        for row, idx, ok in zip(proba, order, readable, strict=True):
            top = [(self.labels[i], float(row[i])) for i in idx]
            out.append(Prediction(top[0][0], top[0][1], top, readable=bool(ok)))
        return out

    def predict_appeals(self, appeals: Sequence[tuple[object, object]]) -> list[Prediction]:
        """Like predict, for (title, text) pairs."""
        return self.predict([prepare(title, text) for title, text in appeals])

    # -- explanation --------------------------------------------------------------------------

    def _linear_weights(self) -> np.ndarray:
        """Per-label weight of each feature (averaged over the calibrated copies)."""
        if self._weights is None:
            self._weights = self.linear.class_weights()
        return self._weights

    def explain(self, text: object, label: str, k: int = 5) -> list[str]:
        """The k terms of `text` that push it most towards `label` (longest first among overlaps)."""
        if label not in self.labels or k <= 0:
            return []
        prepared = prepare("", text)
        # one sparse row, not a vocabulary-wide dense one
        return self._explain_rows([prepared], self.features([prepared]), [label], k)[0]

    def predict_explained(self, texts: Sequence[object], k: int = 5) -> list[tuple[Prediction, list[str]]]:
        """predict() and explain() of each text's predicted label, the texts vectorised once for both
        (triage needs both; vectorising is most of what each costs)."""
        prepared = [prepare("", t) for t in texts]
        if not prepared:
            return []
        features, proba, readable = self._scored(prepared)
        predictions = self._predictions(proba, readable)
        terms = self._explain_rows(prepared, features, [p.label for p in predictions], k)
        return [(p, found if p.readable else []) for p, found in zip(predictions, terms, strict=True)]

    def _explain_rows(self, prepared: list[str], features: Any, labels: list[str], k: int) -> list[list[str]]:
        """explain() of each prepared text, whose feature rows (texts x features, CSR) are known; the labels are
        ours. A row is read as slices of the matrix's arrays: indexing a SciPy matrix costs more than the rest."""
        if k <= 0:
            return [[] for _ in prepared]
        features.sort_indices()
        bounds = features.indptr
        return [self._explain_row(text, features.indices[bounds[i]:bounds[i + 1]],
                                  features.data[bounds[i]:bounds[i + 1]], label, k)
                for i, (text, label) in enumerate(zip(prepared, labels, strict=True))]

    def _explain_row(self, prepared: str, indices: np.ndarray, values: np.ndarray, label: str, k: int) -> list[str]:
        """explain() of one prepared text with its feature row's sorted column indices and values."""
        weights = self._linear_weights()[self.labels.index(label)]
        starts, lengths, cols = self.ngrams.term_occurrences(prepared)
        at = np.minimum(np.searchsorted(indices, cols), max(len(indices) - 1, 0))
        present = (indices[at] == cols) if len(indices) else np.zeros(len(cols), dtype=bool)
        scores = np.where(present, values[at] if len(values) else 0.0, 0.0) * weights[cols]
        # Highest score first, the longer term first among equals, then the first in the text; only positive
        # scores can be chosen. Sorted in NumPy, so that the loop below looks at a handful of occurrences, not
        # at every n-gram of the text (a term occurring again is skipped there: it overlaps itself).
        positive = np.flatnonzero(scores > 0)
        order = positive[np.lexsort((starts[positive], -lengths[positive], -scores[positive]))]
        chosen: list[str] = []
        for i in order:
            if len(chosen) >= k:
                break
            term = prepared[starts[i]:starts[i] + lengths[i]].strip()
            # Single characters, digits and punctuation mean little to a dispatcher.
            if len(term) < 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in term):
                continue
            if any(term in c or c in term for c in chosen):
                continue
            chosen.append(term)
        return chosen
