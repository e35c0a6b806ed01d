"""考核排名: the monthly league table of units.

Score = weighted mean of each scored metric's "goodness" (the rate, or 1 - rate for rates where lower
is better), times 100, rounded to two decimals. A metric with no denominator for a unit (e.g. nothing
reviewed yet) is left out and the remaining weights are re-normalised, so a unit is not punished
for a figure that does not exist. Ties: equal scores share a rank and the next rank is skipped
(standard competition ranking, "1, 2, 2, 4"). Units below the minimum volume are listed apart as
样本不足 and not ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError

from youhu.directory.models import District, Unit
from youhu.tickets.errors import InvalidInput

from .metrics import COUNT_LABELS, Period, Scorecard, scorecards
from .models import SCORED_METRICS, RankingWeights, validate_weight_values


@dataclass
class RankedUnit:
    unit: Unit | District  # a district in the city's league table of its districts (docs/levels.md)
    card: Scorecard
    score: float | None
    rank: int | None = None
    previous_score: float | None = None
    previous_rank: int | None = None

    @property
    def score_change(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 2)

    @property
    def rank_change(self) -> int | None:
        """Positive = moved up the table since last month."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


@dataclass
class Ranking:
    period: Period
    weights: dict[str, float]
    min_volume: int
    ranked: list[RankedUnit] = field(default_factory=list)
    insufficient: list[RankedUnit] = field(default_factory=list)  # 样本不足
    refreshed_at: datetime | None = None  # the rollup's refresh the figures were summed from; None: counted live


def checked_weights(weights: dict[str, float]) -> dict[str, float]:
    try:
        validate_weight_values(weights)
    except ValidationError as exc:
        raise InvalidInput("；".join(exc.messages), field="weights") from exc
    return weights


def composite_score(card: Scorecard, weights: dict[str, float]) -> float | None:
    total_weight, total = 0.0, 0.0
    for key, weight in weights.items():
        value = card.rate(key)
        if value is None or weight == 0:
            continue
        higher_is_better = SCORED_METRICS[key][1]
        total += weight * (value if higher_is_better else 1.0 - value)
        total_weight += weight
    if total_weight == 0:
        return None
    return round(100.0 * total / total_weight, 2)


def assign_ranks(rows: list[RankedUnit]) -> list[RankedUnit]:
    """Sort by score (then volume, then name, for a stable order) and give competition ranks."""
    rows.sort(key=lambda r: (-(r.score if r.score is not None else -1), -r.card.received, r.unit.name))
    previous_score, previous_rank = object(), 0
    for position, row in enumerate(rows, start=1):
        if row.score != previous_score:
            previous_rank, previous_score = position, row.score
        row.rank = previous_rank
    return rows


def rankable_units(district: District | None = None) -> list[Unit]:
    """The units in the league table: all of them, or one district's (each district ranks its own units)."""
    units = Unit.objects.filter(active=True).exclude(kind=Unit.Kind.CENTRE)
    if district is not None:
        units = units.filter(district=district)
    return list(units.order_by("code"))


def _table(period: Period, weights: dict[str, float], min_volume: int, units: list[Unit] | list[District],
           now: datetime | None, group_by: str = "unit") -> Ranking:
    cards = scorecards(period, group_by=group_by, now=now)
    ranking = Ranking(period=period, weights=weights, min_volume=min_volume, refreshed_at=cards.refreshed_at)
    rows = []
    for unit in units:
        card = cards.get(unit.pk) or Scorecard(key=unit.pk, counts=dict.fromkeys(COUNT_LABELS, 0))
        row = RankedUnit(unit=unit, card=card, score=composite_score(card, weights))
        if card.received < max(min_volume, 1) or row.score is None:
            ranking.insufficient.append(row)
        else:
            rows.append(row)
    ranking.ranked = assign_ranks(rows)
    ranking.insufficient.sort(key=lambda r: (-r.card.received, r.unit.name))
    return ranking


def monthly_ranking(period: Period, *, weights: RankingWeights | None = None, now: datetime | None = None,
                    with_previous: bool = True, district: District | None = None) -> Ranking:
    """The league table for `period`, with each unit's score and rank of the month before; with `district`,
    that district's units only."""
    return _ranking(period, rankable_units(district), "unit", weights, now, with_previous)


def district_ranking(period: Period, *, weights: RankingWeights | None = None, now: datetime | None = None,
                     with_previous: bool = True) -> Ranking:
    """The city's league table of its districts: each district's figures over all its units, scored as a
    district scores its units (same weights, same minimum volume)."""
    districts = list(District.objects.filter(active=True).order_by("code"))
    return _ranking(period, districts, "district", weights, now, with_previous)


def _ranking(period: Period, members: list[Unit] | list[District], group_by: str, weights: RankingWeights | None,
             now: datetime | None, with_previous: bool) -> Ranking:
    scheme = weights or RankingWeights.current()
    values = checked_weights(scheme.weights())
    ranking = _table(period, values, scheme.min_volume, members, now, group_by)
    if with_previous:
        before = _table(period.previous_month(), values, scheme.min_volume, members, now, group_by)
        earlier = {row.unit.pk: row for row in before.ranked}
        for row in ranking.ranked + ranking.insufficient:
            prev = earlier.get(row.unit.pk)
            if prev is not None:
                row.previous_score, row.previous_rank = prev.score, prev.rank
    return ranking
