"""The scoring rules on edge cases: equal values, missing values, a single entity, ties, zeros."""

from __future__ import annotations

import numpy as np

from youhu.indicators.scoring import ENTROPY, GIVEN, NO_SPREAD, SINGLE_ENTITY, competition_rank, score

NAN = np.nan


def _score(values, method=GIVEN, higher=None, weights=None, dimension=None):
    values = np.array(values, dtype=float)
    m = values.shape[1]
    return score(values, method=method,
                 higher_is_better=np.array(higher if higher is not None else [True] * m),
                 weights=np.array(weights if weights is not None else [1 / m] * m),
                 dimension=np.array(dimension if dimension is not None else [0] * m))


def test_equal_values_give_everyone_100_and_lower_is_better_reverses():
    result = _score([[5, 1], [5, 3], [5, 2]], higher=[True, False])
    assert result.normalised[:, 0].tolist() == [100, 100, 100]
    assert result.normalised[:, 1].tolist() == [100, 0, 50]


def test_missing_is_missing_and_the_present_weights_are_rescaled():
    result = _score([[0, 10], [10, NAN], [5, 0]], weights=[0.25, 0.75])
    assert np.isnan(result.normalised[1, 1])
    assert result.counted.tolist() == [2, 1, 2]
    assert result.index[1] == 100.0  # its only value, at full weight: not 0.25 × 100
    assert result.index[0] == 0.75 * 100


def test_an_entity_without_values_has_no_index_and_no_rank():
    result = _score([[1, 2], [NAN, NAN], [3, 4]])
    assert np.isnan(result.index[1]) and result.rank[1] == 0 and result.counted[1] == 0
    assert result.rank.tolist() == [2, 0, 1]


def test_a_single_entity_is_a_stated_fallback():
    result = _score([[3, 7]], method=ENTROPY, weights=[0.4, 0.6])
    assert result.method == GIVEN and result.notes == [SINGLE_ENTITY]
    assert result.index.tolist() == [100.0] and result.weights.tolist() == [0.4, 0.6]


def test_entropy_with_no_spread_falls_back_to_given_weights():
    result = _score([[1, 2], [1, 2]], method=ENTROPY, weights=[0.3, 0.7])
    assert result.method == GIVEN and result.notes == [NO_SPREAD]


def test_entropy_gives_a_constant_indicator_no_weight():
    result = _score([[1, 5], [2, 5], [4, 5]], method=ENTROPY)
    assert result.weights.tolist() == [1.0, 0.0]


def test_ties_share_a_rank_and_the_next_skips():
    assert competition_rank(np.array([90, 80, 80, 70, NAN])).tolist() == [1, 2, 2, 4, 0]
    assert competition_rank(np.array([0.1 + 0.2, 0.3])).tolist() == [1, 1]  # float noise is no order


def test_a_period_without_values_scores_nobody_and_raises_nothing():
    result = score(np.empty((0, 3)), higher_is_better=np.array([True, True, False]),
                   weights=np.array([0.3, 0.3, 0.4]), dimension=np.array([0, 0, 1]), method=ENTROPY)
    assert result.index.shape == (0,) and result.dimensions.shape == (0, 2) and result.notes == []
