from __future__ import annotations

import pytest

from youhu.supervision.metrics import COUNT_LABELS, Scorecard, month_period
from youhu.supervision.models import RankingWeights
from youhu.supervision.ranking import RankedUnit, assign_ranks, composite_score, monthly_ranking
from youhu.testing.factories import make_unit
from youhu.tickets.errors import InvalidInput

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _weights(**values) -> RankingWeights:
    zero = {f.name: 0 for f in RankingWeights._meta.fields if f.name.startswith("w_")}
    return RankingWeights(**{**zero, **{f"w_{k}": v for k, v in values.items()}}, min_volume=2)


def _row(name: str, score: float, received: int = 10) -> RankedUnit:
    return RankedUnit(unit=make_unit(name), card=Scorecard(counts={**dict.fromkeys(COUNT_LABELS, 0),
                                                                   "received": received}), score=score)


def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped():
    rows = assign_ranks([_row("丙", 80.0), _row("甲", 90.0), _row("乙", 80.0, received=20), _row("丁", 70.0)])
    assert [(r.unit.name, r.rank) for r in rows] == [("甲", 1), ("乙", 2), ("丙", 2), ("丁", 4)]


def test_composite_score_by_hand(october):
    period = month_period("2026-10", now=NOW)
    roads = next(r for r in monthly_ranking(period, weights=_weights(satisfaction_rate=1, return_rate=1),
                                            now=NOW).ranked if r.unit == october.district.roads)
    # satisfaction 2/4 = 0.5 and 1 - return rate (1/6) = 5/6, weighted equally.
    assert roads.score == pytest.approx(round(100 * (0.5 + 5 / 6) / 2, 2))


def test_missing_figure_is_left_out_not_scored_as_zero(october):
    env_card = monthly_ranking(month_period("2026-10", now=NOW), weights=_weights(satisfaction_rate=1,
                               reply_on_time_rate=1), now=NOW).insufficient
    env = next(r for r in env_card if r.unit == october.district.env)
    # env has nothing reviewed: only its on-time reply rate (1.0) counts.
    assert composite_score(env.card, {"satisfaction_rate": 1, "reply_on_time_rate": 1}) == 100.0


def test_minimum_volume_lists_small_units_apart(october):
    d = october.district
    ranking = monthly_ranking(month_period("2026-10", now=NOW), weights=_weights(satisfaction_rate=1), now=NOW)
    assert [r.unit for r in ranking.ranked] == [d.roads]
    apart = {r.unit for r in ranking.insufficient}
    assert {d.env, d.street_office} <= apart  # 1 ticket and 0 tickets, below min_volume 2
    assert d.centre not in apart and all(r.rank is None for r in ranking.insufficient)


def test_month_on_month_change(october):
    d = october.district
    weights = _weights(satisfaction_rate=1)
    weights.min_volume = 1
    ranking = monthly_ranking(month_period("2026-10", now=NOW), weights=weights, now=NOW)
    roads = next(r for r in ranking.ranked if r.unit == d.roads)
    assert roads.previous_score == 100.0 and roads.score == 50.0  # September: S1 satisfied
    assert roads.score_change == -50.0 and roads.previous_rank == 1


@pytest.mark.parametrize("values", [{"satisfaction_rate": -1}, {}])
def test_impossible_weights_are_refused(district, values):
    with pytest.raises(InvalidInput) as err:
        monthly_ranking(month_period("2026-10", now=NOW), weights=_weights(**values), now=NOW)
    assert "权重" in str(err.value)


def test_weights_admin_validation():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _weights(resolution_rate=-5).full_clean()
    _weights(resolution_rate=5).full_clean()


def test_month_without_tickets_ranks_nobody(district):
    ranking = monthly_ranking(month_period("2026-06", now=NOW), now=NOW)
    assert ranking.ranked == [] and len(ranking.insufficient) == 3
