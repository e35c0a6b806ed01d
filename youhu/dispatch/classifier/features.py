"""Feature extraction and the estimator, named so training, evaluation and the benchmark build the same.

Chosen by stratified 5-fold cross-validation (docs/dispatch-model.md has the figures of each variant).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from .ngrams import CharNgramCounter


@dataclass(frozen=True)
class ModelSpec:
    """The knobs that were measured; the defaults are the chosen model."""

    char_min: int = 1
    char_max: int = 3
    min_df: int = 2
    svm_c: float = 1.0
    calibration: str = "sigmoid"
    calibration_folds: int = 3
    # False: one SVM fitted on all rows, its scores calibrated on out-of-fold predictions (measured
    # better than averaging the per-fold copies, and a third of the size and time).
    calibration_ensemble: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_SPEC = ModelSpec()


def build_vectorizer(spec: ModelSpec, n_rows: int) -> Pipeline:
    """Character n-gram counts → TF-IDF with log-scaled term frequency, rows L2-normalised."""
    # min_df drops one-off n-grams (names, typos): on a tiny training set keep everything.
    min_df = spec.min_df if n_rows >= 1000 else 1
    return Pipeline([
        ("counts", CharNgramCounter(spec.char_min, spec.char_max, min_df=min_df)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
    ])


def build_estimator(spec: ModelSpec, labels: list[str]) -> CalibratedClassifierCV:
    """A linear SVM whose scores are calibrated into probabilities on held-out folds."""
    smallest = min(labels.count(label) for label in set(labels))
    folds = max(2, min(spec.calibration_folds, smallest))
    return CalibratedClassifierCV(
        LinearSVC(C=spec.svm_c), method=spec.calibration, cv=folds, ensemble=spec.calibration_ensemble
    )
