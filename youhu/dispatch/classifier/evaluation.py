"""Stratified k-fold cross-validation with the figures the targets are stated in."""

from __future__ import annotations

import math
import time
from collections import Counter

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from .features import DEFAULT_SPEC, ModelSpec
from .training import Dataset, fit

COVERAGES = (50, 60, 70, 80, 90, 100)


def precision_at_coverage(confidence: np.ndarray, correct: np.ndarray, coverage: int) -> float:
    """Accuracy on the `coverage` % most confident predictions (what auto-dispatch would act on)."""
    n = max(1, math.ceil(len(confidence) * coverage / 100))
    order = np.argsort(-confidence, kind="stable")[:n]
    return float(np.mean(correct[order]))


def cross_validate(
    dataset: Dataset, *, folds: int = 5, spec: ModelSpec = DEFAULT_SPEC, seed: int = 0
) -> dict:
    """Out-of-fold predictions for every row, each from a model that never saw it, then the figures."""
    texts = np.array(dataset.texts, dtype=object)
    labels = np.array(dataset.labels, dtype=object)
    smallest = min(np.unique(labels, return_counts=True)[1])
    folds = max(2, min(folds, int(smallest)))
    predicted = np.empty(len(labels), dtype=object)
    confidence = np.zeros(len(labels))
    started = time.perf_counter()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(texts, labels):
        model = fit(list(texts[train_idx]), list(labels[train_idx]), spec)
        proba = model._proba_prepared(list(texts[test_idx]))
        best = proba.argmax(axis=1)
        predicted[test_idx] = np.array(model.labels, dtype=object)[best]
        confidence[test_idx] = proba[np.arange(len(best)), best]
    correct = predicted == labels
    classes = sorted(set(dataset.labels))
    per_class = f1_score(labels, predicted, labels=classes, average=None)
    confused = Counter((t, p) for t, p in zip(labels, predicted, strict=True) if t != p)
    return {
        "rows": len(labels),
        "folds": folds,
        "accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "macro_f1": round(float(f1_score(labels, predicted, average="macro")), 4),
        "per_class_f1": {c: round(float(f), 4) for c, f in zip(classes, per_class, strict=True)},
        "precision_at_coverage": {
            f"{c}%": round(precision_at_coverage(confidence, correct, c), 4) for c in COVERAGES
        },
        "mean_confidence": round(float(confidence.mean()), 4),
        "most_confused": [f"{t} → {p}: {n}" for (t, p), n in confused.most_common(6)],
        "seconds": round(time.perf_counter() - started, 1),
        "spec": spec.as_dict(),
    }
