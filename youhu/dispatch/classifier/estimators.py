"""Linear estimators beyond scikit-learn's own: NB-SVM, and the mean of several calibrated models.

Both stay *linear in the TF-IDF features* (an NB-SVM's scaling folds into its weights), so the fast
prediction path in model.py applies unchanged: one sparse × dense product for all members together.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import LinearSVC


class NBSVM(ClassifierMixin, BaseEstimator):
    """One-vs-rest linear SVMs on features scaled by each class's log-count ratio (Wang & Manning 2012).

    The ratio r_k = log(P(n-gram | class k) / P(n-gram | other classes)), from smoothed document
    counts, weighs up the n-grams typical of one class before the SVM sees them: a Naive-Bayes prior
    that a plain SVM on ~6,500 short texts cannot learn as well alone. Training x·r_k then predicting
    with coef_ = r_k ∘ w_k is the same linear map, so `coef_`/`intercept_` look like LinearSVC's.
    """

    def __init__(self, C: float = 1.0, alpha: float = 1.0) -> None:
        self.C = C
        self.alpha = alpha  # additive smoothing of the counts: n-grams seen in one class only stay finite

    def fit(self, X: Any, y: Any) -> NBSVM:
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        present = X.copy()
        present.data = np.ones_like(present.data)  # document counts: one long text must not dominate r
        # Binary problems need one model (for classes_[1]), as LinearSVC does.
        targets = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        coefs, intercepts = [], []
        for target in targets:
            positive = y == target
            p = self.alpha + np.asarray(present[positive].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(present[~positive].sum(axis=0)).ravel()
            ratio = np.log((p / p.sum()) / (q / q.sum()))
            svm = LinearSVC(C=self.C).fit(X.multiply(ratio).tocsr(), positive.astype(int))
            coefs.append(svm.coef_[0] * ratio)
            intercepts.append(svm.intercept_[0])
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.asarray(intercepts)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X: Any) -> np.ndarray:
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]


class MeanOfCalibrated(ClassifierMixin, BaseEstimator):
    """The mean of the probabilities of several CalibratedClassifierCV models fitted on the same features.

    Exposes the members' calibrated copies as its own `calibrated_classifiers_`: the mean over all
    copies is what the fast path in model.py computes, and as every member is calibrated alike (same
    number of copies) that is the mean of the members.
    """

    def __init__(self, members: list[CalibratedClassifierCV]) -> None:
        self.members = members

    def fit(self, X: Any, y: Any) -> MeanOfCalibrated:
        self.members_ = [clone(member).fit(X, y) for member in self.members]
        self.classes_ = self.members_[0].classes_
        return self

    @property
    def calibrated_classifiers_(self) -> list[Any]:
        return [copy for member in self.members_ for copy in member.calibrated_classifiers_]

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.mean([member.predict_proba(X) for member in self.members_], axis=0)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
