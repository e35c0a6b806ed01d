"""Training examples whose label the model confidently disputes (`youhu model audit`).

Every row gets probabilities from a model that never saw it (scikit-learn's cross_val_predict over the
very pipeline `youhu model train` fits, features.build_pipeline); cleanlab's `find_label_issues`
(confident learning: per-class thresholds from those probabilities) then names the rows whose given
label is likely wrong, ranked by how little the model believes the given label. A finding is a question
for a person (the review screen), not a verdict: many are appeals that touch two categories.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from cleanlab.filter import find_label_issues
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from threadpoolctl import threadpool_limits

from .features import DEFAULT_SPEC, ModelSpec, build_pipeline
from .text import text_hash
from .training import Dataset


@dataclass(frozen=True)
class Finding:
    row: int  # index in the dataset
    text: str  # prepared (normalised) text
    given: str
    suggested: str
    confidence: float  # the model's out-of-fold probability of `suggested`
    given_probability: float  # ... and of the given label

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


@dataclass(frozen=True)
class AuditResult:
    findings: list[Finding]  # most disputed first
    rows: int
    folds: int
    seconds: float


def out_of_fold_probabilities(
    texts: list[str], labels: list[str], *, folds: int = 5, spec: ModelSpec = DEFAULT_SPEC, seed: int = 0
) -> tuple[np.ndarray, list[str], int]:
    """(probabilities, their column labels (sorted), folds used): each row scored by a model trained without it."""
    classes = sorted(set(labels))
    smallest = min(labels.count(c) for c in classes)
    folds = max(2, min(folds, smallest))
    # The estimator's own calibration needs ≥2 rows per class inside each training fold; build_pipeline
    # takes the whole dataset's labels for that check and cross_val_predict clones it per fold.
    pipeline = build_pipeline(spec, len(texts), labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with threadpool_limits(limits=1, user_api="blas"):
        proba = cross_val_predict(pipeline, texts, labels, cv=splitter, method="predict_proba")
    return proba, classes, folds


def audit(
    dataset: Dataset, *, folds: int = 5, limit: int | None = None, spec: ModelSpec = DEFAULT_SPEC, seed: int = 0
) -> AuditResult:
    """The disputed rows of `dataset` (at most `limit` rows audited: a stratified random sample, for speed)."""
    started = time.perf_counter()
    rows = np.arange(len(dataset))
    if limit and limit < len(dataset):
        rows = _stratified_sample(dataset.labels, limit, seed)
    texts = [dataset.texts[i] for i in rows]
    labels = [dataset.labels[i] for i in rows]
    proba, classes, folds = out_of_fold_probabilities(texts, labels, folds=folds, spec=spec, seed=seed)
    given = np.array([classes.index(label) for label in labels])
    ranked = find_label_issues(labels=given, pred_probs=proba, return_indices_ranked_by="self_confidence")
    findings = []
    for i in ranked:
        best = int(proba[i].argmax())
        if best == given[i]:
            continue  # flagged only as a borderline row: the model has no other label to suggest
        findings.append(Finding(
            row=int(rows[i]), text=texts[i], given=labels[i], suggested=classes[best],
            confidence=round(float(proba[i, best]), 4), given_probability=round(float(proba[i, given[i]]), 4),
        ))
    return AuditResult(findings, len(rows), folds, round(time.perf_counter() - started, 1))


def _stratified_sample(labels: list[str], size: int, seed: int) -> np.ndarray:
    """`size` row indices, sorted, each label keeping its share."""
    kept, _rest = train_test_split(np.arange(len(labels)), train_size=size, stratify=labels, random_state=seed)
    return np.sort(kept)
