"""The index, computed on whole arrays: entities × indicators, NumPy only (the method is docs/indicators.md).

Nothing here touches the database: `score` takes a matrix (NaN = missing), each indicator's direction,
weight (the dimension's weight × the indicator's weight within it) and dimension, and returns every
intermediate figure, so that a page can trace an index back to each normalised value and weight.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

GIVEN = "given"
ENTROPY = "entropy"
METHODS = (GIVEN, ENTROPY)
METHOD_LABELS = {GIVEN: "给定权重", ENTROPY: "熵权法"}

SINGLE_ENTITY = "本期只有一个评价对象：各指标无从比较，按规则记 100 分；熵权法不适用，已改用给定权重。"
NO_SPREAD = "所有指标在各对象间取值相同或缺失，熵权法无从区分，已改用给定权重。"
# Ties are judged on the index rounded to this many decimals, so that float noise never splits a tie.
TIE_DECIMALS = 6


@dataclass
class Scores:
    normalised: np.ndarray  # n × m, 0..100, NaN where the value is missing
    weights: np.ndarray  # m, the weights actually used (given or entropy), summing to 1
    index: np.ndarray  # n, NaN for an entity with no value at all
    counted: np.ndarray  # n, how many indicators each index was computed on
    dimensions: np.ndarray  # n × d, NaN where an entity has no value in that dimension
    rank: np.ndarray  # n, 0 for an entity without an index
    method: str  # the method actually used (entropy falls back to given, see `notes`)
    notes: list[str] = field(default_factory=list)


def normalise(values: np.ndarray, higher_is_better: np.ndarray) -> np.ndarray:
    """Min–max per column over the entities that have a value, × 100; max = min gives every entity 100."""
    with np.errstate(all="ignore"):
        present = ~np.isnan(values)
        any_present = present.any(axis=0)
        lo = np.where(any_present, np.min(np.where(present, values, np.inf), axis=0, initial=np.inf), np.nan)
        hi = np.where(any_present, np.max(np.where(present, values, -np.inf), axis=0, initial=-np.inf), np.nan)
        spread = hi - lo
        up = (values - lo) / spread
        down = (hi - values) / spread
        scaled = np.where(higher_is_better, up, down) * 100.0
    flat = spread == 0
    scaled = np.where(flat & present, 100.0, scaled)
    return np.where(present, scaled, np.nan)


def entropy_weights(normalised: np.ndarray) -> np.ndarray | None:
    """w_j = d_j / Σ d with d_j = 1 − e_j; e_j = −(1/ln n_j) Σ_i p_ij ln p_ij over the n_j entities that have
    indicator j, p_ij = x'_ij / Σ_i x'_ij, and 0 · ln 0 = 0. An indicator with fewer than two values, or all
    of them equal, carries no information (e_j = 1). None when no indicator carries any."""
    present = ~np.isnan(normalised)
    x = np.where(present, normalised, 0.0)
    n = present.sum(axis=0)
    totals = x.sum(axis=0)
    with np.errstate(all="ignore"):
        p = np.where(totals > 0, x / totals, 0.0)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        e = np.where(n > 1, -plogp.sum(axis=0) / np.log(np.maximum(n, 2)), 1.0)
    d = 1.0 - e
    # Equal values give e_j = 1 up to rounding: a weight of 1e-16 would still be a weight.
    d = np.where((n > 1) & (d > 1e-12), d, 0.0)
    if d.sum() <= 1e-12:
        return None
    return d / d.sum()


def weighted_means(normalised: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """n × g: for each group of indicators (a row of `groups`, g × m, 1 = member), Σ w_j x'_ij / Σ w_j over
    the member indicators entity i has: a missing value neither counts as 0 nor drags the figure down, the
    present weights are scaled up to sum to 1. NaN where an entity has none of the group."""
    present = ~np.isnan(normalised)
    weighted = groups * weights  # g × m
    numerator = np.where(present, normalised, 0.0) @ weighted.T
    denominator = present.astype(float) @ weighted.T
    with np.errstate(all="ignore"):
        out = numerator / denominator
    return np.where(denominator > 0, out, np.nan)


def competition_rank(index: np.ndarray) -> np.ndarray:
    """1 + how many entities score strictly higher (1, 2, 2, 4); 0 for an entity without an index."""
    valid = ~np.isnan(index)
    rounded = np.round(np.where(valid, index, -np.inf), TIE_DECIMALS)
    ordered = np.sort(rounded[valid])
    higher = ordered.size - np.searchsorted(ordered, rounded, side="right")
    return np.where(valid, higher + 1, 0).astype(int)


def score(values: np.ndarray, *, higher_is_better: np.ndarray, weights: np.ndarray, dimension: np.ndarray,
          n_dimensions: int | None = None, method: str = GIVEN) -> Scores:
    """`values` n × m (NaN = missing); `weights` the given global weights (summing to 1); `dimension` the
    dimension index (0..d−1) of each indicator."""
    if method not in METHODS:
        raise ValueError(f"unknown weighting {method!r}")
    values = np.asarray(values, dtype=float)
    normalised = normalise(values, np.asarray(higher_is_better, dtype=bool))
    notes: list[str] = []
    used_weights, used_method = np.asarray(weights, dtype=float), method
    n_entities = int((~np.isnan(values)).any(axis=1).sum())
    if n_entities <= 1:
        if n_entities == 1:
            notes.append(SINGLE_ENTITY)
        used_method = GIVEN
    elif method == ENTROPY:
        found = entropy_weights(normalised)
        if found is None:
            notes.append(NO_SPREAD)
            used_method = GIVEN
        else:
            used_weights = found
    dimension = np.asarray(dimension, dtype=int)
    d = int(n_dimensions if n_dimensions is not None else (dimension.max() + 1 if dimension.size else 0))
    groups = np.vstack([np.ones(dimension.size), (dimension[None, :] == np.arange(d)[:, None])]).astype(float)
    means = weighted_means(normalised, used_weights, groups)  # the index, then each dimension
    index, dims = means[:, 0], means[:, 1:]
    return Scores(normalised=normalised, weights=used_weights, index=index,
                  counted=(~np.isnan(normalised)).sum(axis=1), dimensions=dims,
                  rank=competition_rank(index), method=used_method, notes=notes)
