"""The open data page's figures (/open/, no login): counts of published appeals by street, category and month,
each unit's monthly rates and ranking (supervision's scorecards and league table), and recent replies masked
(tickets.publishing). Everything is an aggregate or a masked text: nothing on it is per person.

Which appeals count is tickets.publishing's rule (published categories, no 举报, no company cases); the units'
rates are the official ones, over every ticket dispatched to them, as supervision computes them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from youhu import clock
from youhu.supervision.metrics import RATE_DEFS, Period, month_period, scorecard
from youhu.supervision.ranking import RankedUnit, monthly_ranking
from youhu.tickets.errors import InvalidInput
from youhu.tickets.publishing import published_text, published_tickets

TREND_MONTHS = 12  # months offered and drawn in the trend
RECENT_REPLIES = 20
CACHE_SECONDS = 300  # the figures are the same for every visitor: computed once per five minutes and month
UNLOCATED = "未定位"
# The rates published per unit, in the order of the table: 响应率/解决率/满意率 and the two on-time rates.
PUBLISHED_RATES = ("response_rate", "accept_on_time_rate", "reply_on_time_rate", "resolution_rate",
                   "satisfaction_rate")
RATE_LABELS = {key: RATE_DEFS[key][0] for key in PUBLISHED_RATES}


@dataclass(frozen=True)
class Tally:
    name: str
    count: int


@dataclass(frozen=True)
class UnitFigures:
    rank: int | None  # None: 样本不足, not ranked
    name: str
    received: int
    score: float | None
    rates: dict[str, float | None]
    rank_change: int | None = None


@dataclass(frozen=True)
class PublishedReply:
    replied_on: date
    category: str
    street: str
    title: str
    reply: str


@dataclass
class OpenFigures:
    month: str  # "2026-06"
    period_label: str
    months: list[str]
    total: int
    district_rates: dict[str, float | None]
    streets: list[Tally] = field(default_factory=list)
    categories: list[Tally] = field(default_factory=list)
    trend: list[Tally] = field(default_factory=list)
    units: list[UnitFigures] = field(default_factory=list)
    unranked: list[UnitFigures] = field(default_factory=list)
    replies: list[PublishedReply] = field(default_factory=list)


def offered_months(now: datetime) -> list[str]:
    """The last TREND_MONTHS months, the current one first ("2026-06")."""
    local = timezone.localtime(now)
    months, year, month = [], local.year, local.month
    for _ in range(TREND_MONTHS):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def chosen_month(text: str | None, now: datetime) -> str:
    """The month asked for, one of the offered months; the current month when none is asked for."""
    months = offered_months(now)
    if not text:
        return months[0]
    if text not in months:
        raise InvalidInput(f"可查看的月份为 {months[-1]} 至 {months[0]}", field="month")
    return text


def _in(period: Period):
    return published_tickets().filter(created_at__gte=period.start, created_at__lt=period.end).order_by()


def _by_street(period: Period) -> list[Tally]:
    rows = _in(period).values("street__name").annotate(n=Count("id"))
    counts = Counter({row["street__name"] or UNLOCATED: row["n"] for row in rows})
    return [Tally(name, n) for name, n in counts.most_common()]


def _by_category(period: Period) -> list[Tally]:
    """By first-level category (a finer split of a small street's month could come down to one household)."""
    counts: Counter[str] = Counter()
    for row in _in(period).values("category__path").annotate(n=Count("id")):
        counts[row["category__path"].split("/")[0]] += row["n"]
    return [Tally(name, n) for name, n in counts.most_common()]


def _trend(months: list[str]) -> list[Tally]:
    first, last = month_period(months[-1], allow_future=True), month_period(months[0], allow_future=True)
    rows = (published_tickets().filter(created_at__gte=first.start, created_at__lt=last.end).order_by()
            .annotate(m=TruncMonth("created_at")).values("m").annotate(n=Count("id")))
    counts = {timezone.localtime(row["m"]).strftime("%Y-%m") if timezone.is_aware(row["m"])
              else row["m"].strftime("%Y-%m"): row["n"] for row in rows}
    return [Tally(month, counts.get(month, 0)) for month in reversed(months)]


def _unit(row: RankedUnit, ranked: bool) -> UnitFigures:
    return UnitFigures(rank=row.rank if ranked else None, name=row.unit.name, received=row.card.received,
                       score=row.score if ranked else None,
                       rates={key: row.card.rate(key) for key in PUBLISHED_RATES},
                       rank_change=row.rank_change if ranked else None)


def _recent_replies() -> list[PublishedReply]:
    tickets = (published_tickets().filter(replied_at__isnull=False, reply_withheld=False, duplicate_of__isnull=True)
               .exclude(reply_text="").select_related("category", "street").order_by("-replied_at")[:RECENT_REPLIES])
    return [PublishedReply(replied_on=timezone.localdate(t.replied_at), category=t.category.path,
                           street=t.street.name if t.street_id else UNLOCATED,
                           title=published_text(t.title, t), reply=published_text(t.reply_text, t))
            for t in tickets]


def compute_figures(month: str, *, now: datetime) -> OpenFigures:
    months = offered_months(now)
    period = month_period(month, now=now)
    ranking = monthly_ranking(period, now=now)
    district = scorecard(period, now=now)
    return OpenFigures(
        month=month, period_label=period.label, months=months, total=_in(period).count(),
        district_rates={key: district.rate(key) for key in PUBLISHED_RATES},
        streets=_by_street(period), categories=_by_category(period), trend=_trend(months),
        units=[_unit(row, True) for row in ranking.ranked],
        unranked=[_unit(row, False) for row in ranking.insufficient],
        replies=_recent_replies(),
    )


def open_figures(month: str | None = None, *, now: datetime | None = None) -> OpenFigures:
    """The figures of `month` (an offered month, default the current one), cached for CACHE_SECONDS.
    Raises InvalidInput for a month that is not offered."""
    now = now or clock.now()
    chosen = chosen_month(month, now)
    key = f"opendata:figures:{chosen}:{offered_months(now)[0]}"
    figures = cache.get(key)
    if figures is None:
        figures = compute_figures(chosen, now=now)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def csv_rows(figures: OpenFigures) -> list[list[object]]:
    """The aggregated figures in long form: 表, 名称, 统计期, 指标, 数值 (rates as fractions, 4 decimals)."""
    def rate(value: float | None) -> object:
        return "" if value is None else round(value, 4)

    rows: list[list[object]] = [["表", "名称", "统计期", "指标", "数值"]]
    rows += [["全区", "全区", figures.month, "诉求量", figures.total]]
    rows += [["全区", "全区", figures.month, RATE_LABELS[k], rate(v)] for k, v in figures.district_rates.items()]
    rows += [["街道", t.name, figures.month, "诉求量", t.count] for t in figures.streets]
    rows += [["分类", t.name, figures.month, "诉求量", t.count] for t in figures.categories]
    rows += [["月度趋势", "全区", t.name, "诉求量", t.count] for t in figures.trend]
    for unit in figures.units + figures.unranked:
        rows += [["单位", unit.name, figures.month, "受理量", unit.received],
                 ["单位", unit.name, figures.month, "排名", unit.rank if unit.rank is not None else "样本不足"],
                 ["单位", unit.name, figures.month, "综合得分", unit.score if unit.score is not None else ""]]
        rows += [["单位", unit.name, figures.month, RATE_LABELS[k], rate(v)] for k, v in unit.rates.items()]
    return rows
