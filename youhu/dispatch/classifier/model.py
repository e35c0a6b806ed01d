"""The trained classifier: predictions with calibrated confidences, and the terms behind them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import Pipeline

from .estimators import MeanOfCalibrated
from .text import is_readable, prepare

TOP_K = 3


@dataclass(frozen=True)
class Prediction:
    label: str  # first-level category name, e.g. "城乡建设"
    confidence: float  # calibrated probability of `label`, in [0, 1]
    top: list[tuple[str, float]] = field(default_factory=list)  # best three (label, probability)
    readable: bool = True  # False: too little Chinese text to read; confidence is the floor


class _FastCalibratedLinear:
    """CalibratedClassifierCV(linear model, method="sigmoid").predict_proba as three NumPy operations.

    scikit-learn validates its input in every calibrator of every calibrated copy (21 for 7 classes and
    3 copies): about 7 ms per call, which is most of the time for one appeal. The arithmetic is the same
    (a test checks the two agree): decision values, a sigmoid per class, normalise, mean over copies.
    A MeanOfCalibrated (SVM + NB-SVM) is handled alike: its members' copies are stacked side by side.
    """

    def __init__(self, estimator: CalibratedClassifierCV | MeanOfCalibrated) -> None:
        classes = list(estimator.classes_)
        weights, intercepts, slopes, offsets, columns = [], [], [], [], []
        for copy in estimator.calibrated_classifiers_:
            base = copy.estimator
            positions = [classes.index(c) for c in base.classes_]
            if len(classes) == 2:
                positions = [1]  # binary: one decision value, for classes_[1]
            weights.append(np.asarray(base.coef_, dtype=np.float64).T)
            intercepts.append(np.asarray(base.intercept_, dtype=np.float64))
            slopes.append([cal.a_ for cal in copy.calibrators])
            offsets.append([cal.b_ for cal in copy.calibrators])
            columns.append(positions)
        self.n_classes = len(classes)
        self.n_copies = len(weights)
        self.width = weights[0].shape[1]
        # C order: scipy's sparse @ dense copies a dense operand that is not C-contiguous on every call
        # (the whole n_features × 7 matrix — ~4 ms per appeal; LinearSVC's coef_ happened to be F-ordered).
        self.weights = np.ascontiguousarray(np.hstack(weights))
        self.intercepts = np.concatenate(intercepts)
        self.slopes = np.asarray(slopes, dtype=np.float64).ravel()
        self.offsets = np.asarray(offsets, dtype=np.float64).ravel()
        self.columns = columns

    @staticmethod
    def supports(estimator: object) -> bool:
        copies = getattr(estimator, "calibrated_classifiers_", None)
        return bool(copies) and all(
            getattr(c, "method", None) == "sigmoid" and hasattr(c.estimator, "coef_") for c in copies
        )

    def predict_proba(self, features: Any) -> np.ndarray:
        decision = np.asarray(features @ self.weights) + self.intercepts
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
        return mean / self.n_copies


class Classifier:
    """A fitted vectorizer + calibrated linear model(s), with the header it was saved with."""

    def __init__(
        self,
        vectorizer: Pipeline,
        estimator: CalibratedClassifierCV | MeanOfCalibrated,
        header: dict[str, Any] | None = None,
    ) -> None:
        self.vectorizer = vectorizer
        self.estimator = estimator
        self.header = header or {}
        self.labels: list[str] = [str(c) for c in estimator.classes_]
        self._weights: np.ndarray | None = None
        self._fast = _FastCalibratedLinear(estimator) if _FastCalibratedLinear.supports(estimator) else None

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
        features = self.vectorizer.transform(prepared).tocsr()
        proba = (self._fast or self.estimator).predict_proba(features)
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
        """Per-class weight of each feature (averaged over the calibrated copies of the linear models)."""
        if self._weights is None:
            coefs = [cc.estimator.coef_ for cc in self.estimator.calibrated_classifiers_]
            weights = np.mean(coefs, axis=0)
            if weights.shape[0] == 1:  # binary problem: one row, positive = classes_[1]
                weights = np.vstack([-weights[0], weights[0]])
            self._weights = weights
        return self._weights

    def explain(self, text: object, label: str, k: int = 5) -> list[str]:
        """The k terms of `text` that push it most towards `label` (longest first among overlaps)."""
        if label not in self.labels or k <= 0:
            return []
        prepared = prepare("", text)
        # one sparse row, not a vocabulary-wide dense one
        return self._explain_rows([prepared], self.vectorizer.transform([prepared]).tocsr(), [label], k)[0]

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
        starts, lengths, cols = self.vectorizer.named_steps["counts"].term_occurrences(prepared)
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
