"""`youhu model train`'s check: is the new model better than the one in use, on the same folds?

The model in use cannot be scored on rows it was trained on, so both are compared as recipes: on each
fold, the current one's spec is fitted on the training rows as they stood when it was trained (the
dispatchers' corrections and label reviews of that time), the new one's spec on the training rows as
they are now; both predict the same held-out rows, scored against today's labels on the rows whose label did not
change in between (compare).
A row's fold is a function of its text's hash, so both datasets split alike and copies of one text
never sit on both sides of a split.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from .evaluation import precision_at_coverage
from .features import ModelSpec
from .text import text_hash
from .training import MIN_PER_CLASS, Dataset, fit


def fold_of(text: str, folds: int) -> int:
    return int(text_hash(text)[:8], 16) % folds


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_f1: float
    precision_at_80: float
    low_confidence_share: float  # held-out rows below the auto-dispatch threshold

    def as_dict(self) -> dict:
        return {"accuracy": self.accuracy, "macro_f1": self.macro_f1, "precision_at_80%": self.precision_at_80,
                "low_confidence_share": self.low_confidence_share}


@dataclass(frozen=True)
class Comparison:
    new: Scores
    current: Scores
    folds: int
    rows: int

    @property
    def new_is_better(self) -> bool:
        """Macro-F1 decides (the target is stated in it); a tie goes to the new model, which knows more labels."""
        return self.new.macro_f1 >= self.current.macro_f1


def held_out_scores(
    train: Dataset, test: Dataset, spec: ModelSpec, *, folds: int, threshold: float, scored: np.ndarray
) -> Scores:
    """Fit `spec` on `train`'s rows outside each fold, predict `test`'s rows inside it, score the `scored` ones."""
    train_fold = np.array([fold_of(t, folds) for t in train.texts])
    test_fold = np.array([fold_of(t, folds) for t in test.texts])
    predicted = np.empty(len(test), dtype=object)
    confidence = np.zeros(len(test))
    for k in range(folds):
        inside = np.flatnonzero(test_fold == k)
        if not len(inside):
            continue
        outside = np.flatnonzero(train_fold != k)
        # A class too rare in this fold's training rows cannot be calibrated: left out there, as in training.
        counts = Counter(train.labels[i] for i in outside)
        outside = [i for i in outside if counts[train.labels[i]] >= MIN_PER_CLASS]
        model = fit([train.texts[i] for i in outside], [train.labels[i] for i in outside], spec)
        proba = model._proba_prepared([test.texts[i] for i in inside])
        best = proba.argmax(axis=1)
        predicted[inside] = np.array(model.labels, dtype=object)[best]
        confidence[inside] = proba[np.arange(len(best)), best]
    truth = np.array(test.labels, dtype=object)[scored]
    predicted, confidence = predicted[scored], confidence[scored]
    return Scores(
        accuracy=round(float(accuracy_score(truth, predicted)), 4),
        macro_f1=round(float(f1_score(truth, predicted, average="macro")), 4),
        precision_at_80=round(precision_at_coverage(confidence, predicted == truth, 80), 4),
        low_confidence_share=round(float(np.mean(confidence < threshold)), 4),
    )


def compare(
    new: Dataset, current: Dataset, *, new_spec: ModelSpec, current_spec: ModelSpec, folds: int, threshold: float
) -> Comparison:
    """`new` and `current`: the training data now and as the current model saw it. Scored on the rows
    whose label did not change in between: a relabelled row is what is in question, so it cannot be
    the judge; whether the new labels teach a better model shows on the others."""
    then: dict[str, set[str]] = {}
    for text, label in zip(current.texts, current.labels, strict=True):
        then.setdefault(text, set()).add(label)
    scored = np.array([label in then.get(text, {label}) for text, label in zip(new.texts, new.labels, strict=True)])
    kwargs = {"folds": folds, "threshold": threshold, "scored": scored}
    return Comparison(
        new=held_out_scores(new, new, new_spec, **kwargs),
        current=held_out_scores(current, new, current_spec, **kwargs),
        folds=folds,
        rows=int(scored.sum()),
    )


def spec_of(header: dict) -> ModelSpec | None:
    """The spec a model file was trained with, if its header says (None: unknown, compare with the default)."""
    stored = (header.get("training") or {}).get("spec")
    if not isinstance(stored, dict):
        return None
    known = {k: v for k, v in stored.items() if k in ModelSpec.__dataclass_fields__}
    if "members" in known:
        known["members"] = tuple(known["members"])
    try:
        return ModelSpec(**known)
    except TypeError:
        return None
