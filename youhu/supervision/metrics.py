"""The 12345 scorecard: counts aggregated in the database, rates derived from those counts.

Definitions are written out in docs/metrics.md. Every figure here comes from one GROUP BY query over
the tickets dispatched in the period (plus one over return events); nothing loops over tickets. Once the
daily rollup is built (rollup.py), a month's figures by unit, district or in all are its days' sums instead,
with the open tickets' 超期 counted live (docs/metrics.md, "The monthly rollup").
A rate whose denominator is zero is None ("—"), never 0 and never a division error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from youhu import clock
from youhu.directory.models import Area, District, Unit
from youhu.taxonomy.models import Category
from youhu.tickets.errors import InvalidInput
from youhu.tickets.models import Satisfaction, Ticket, TicketEvent
from youhu.tickets.selectors import reply_overdue_q

from .models import DayFigures, RollupState

# Count keys aggregated in the database, with their Chinese labels (sheet and page headers).
COUNT_LABELS: dict[str, str] = {
    "received": "受理量",
    "accepted": "签收数",
    "accepted_on_time": "按时签收数",
    "replied": "办结数",
    "replied_on_time": "按时办结数",
    "reviewed": "回访数",
    "resolved": "解决数",
    "satisfied": "满意数",
    "replied_ever": "曾答复数",
    "reopened": "重办件数",
    "extended": "延期件数",
    "overdue": "超期件数",
    "returns": "退单次数",
}

# rate key -> (label, numerator, denominator or a tuple of count keys added together)
RATE_DEFS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "accept_on_time_rate": ("按时签收率", "accepted_on_time", ("accepted",)),
    "response_rate": ("响应率", "accepted_on_time", ("received",)),
    "reply_on_time_rate": ("按时办结率", "replied_on_time", ("replied",)),
    "resolution_rate": ("解决率", "resolved", ("reviewed",)),
    "satisfaction_rate": ("满意率", "satisfied", ("reviewed",)),
    "return_rate": ("退单率", "returns", ("received", "returns")),
    "reopen_rate": ("重办率", "reopened", ("replied_ever",)),
    "extension_rate": ("延期率", "extended", ("received",)),
}


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive
    end: datetime  # exclusive
    label: str

    def previous_month(self) -> Period:
        local = timezone.localtime(self.start)
        year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
        return _month(year, month)


def month_period(text: str, *, now: datetime | None = None, allow_future: bool = False) -> Period:
    """'2026-10' -> the month in the district's time zone. A month that has not begun is refused, and so is
    one outside the clock's span of years (its neighbours must exist: the ranking reads the month before)."""
    try:
        year, month = clock.parse_month(text)
    except clock.OutOfSpan as exc:
        raise InvalidInput(str(exc), field="month") from exc
    period = _month(year, month)
    if not allow_future and period.start > (now or clock.now()):
        raise InvalidInput(f"{year} 年 {month} 月尚未开始，无法统计", field="month")
    return period


def _month(year: int, month: int) -> Period:
    tz = timezone.get_default_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return Period(start=start, end=end, label=f"{year}年{month}月")


def month_of(day: date) -> Period:
    """The calendar month a local day is in."""
    return _month(day.year, day.month)


def period_between(start: datetime, end: datetime) -> Period:
    if end <= start:
        raise InvalidInput("统计截止时间须晚于开始时间", field="end")
    return Period(start=start, end=end, label=f"{timezone.localdate(start)} 至 {timezone.localdate(end)}")


@dataclass
class Scorecard:
    """The figures of one unit (or street, category, or the whole district) over one period."""

    key: Any = None
    counts: dict[str, int] = field(default_factory=dict)
    avg_handling_days: float | None = None
    refreshed_at: datetime | None = None  # summed from the rollup as it was then; None: counted live

    def __getattr__(self, name: str) -> Any:
        if name in RATE_DEFS:
            return self.rate(name)
        if name in COUNT_LABELS:
            return self.counts.get(name, 0)
        raise AttributeError(name)

    def rate(self, key: str) -> float | None:
        _label, num, den = RATE_DEFS[key]
        denominator = sum(self.counts.get(k, 0) for k in den)
        if not denominator:
            return None
        return self.counts.get(num, 0) / denominator

    def rates(self) -> dict[str, float | None]:
        return {key: self.rate(key) for key in RATE_DEFS}

    def as_dict(self) -> dict[str, Any]:
        return {**{k: self.counts.get(k, 0) for k in COUNT_LABELS}, **self.rates(),
                "avg_handling_days": self.avg_handling_days}


class Scorecards(dict[Any, Scorecard]):
    """Scorecards by key, and when the rollup they were summed from was refreshed (None: counted live)."""

    refreshed_at: datetime | None = None


def stored_counts() -> dict[str, Any]:
    """The counts that do not depend on the time of the report, by the rollup's field names (models.DayFigures):
    the live query and the rollup's refresh aggregate the same expressions. 超期 is here only as its late
    replies (`late_replied`); `days_sum / days_n` is the mean handling time, whichever way it is counted."""
    reviewed = ~Q(review_satisfaction="")
    replied = Q(replied_at__isnull=False)
    return {
        "received": Count("id"),
        "accepted": Count("id", filter=Q(accepted_at__isnull=False)),
        "accepted_on_time": Count("id", filter=Q(accepted_on_time=True)),
        "replied": Count("id", filter=replied),
        "replied_on_time": Count("id", filter=replied & Q(replied_on_time=True)),
        "reviewed": Count("id", filter=reviewed),
        "resolved": Count("id", filter=reviewed & Q(review_resolved=True)),
        "satisfied": Count("id", filter=Q(review_satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASICALLY))),
        "replied_ever": Count("id", filter=replied | Q(reopen_count__gt=0)),
        "reopened": Count("id", filter=Q(reopen_count__gt=0)),
        "extended": Count("id", filter=Q(extension_count__gt=0)),
        "late_replied": Count("id", filter=Q(replied_on_time=False)),
        "days_sum": Sum("handling_working_days", filter=replied),
        "days_n": Count("handling_working_days", filter=replied),  # a column's count skips its NULLs
    }


def prefixed(expressions: dict[str, Any]) -> dict[str, Any]:
    """Aliases carry an "n_" prefix: several counts share their name with a Ticket field."""
    return {f"n_{key}": value for key, value in expressions.items()}


def open_late_q(as_of: datetime) -> Q:
    """The part of 超期 that depends on the time: still open past the deadline, and not already a late reply
    (a reopened ticket keeps no reply, so in practice none is both)."""
    return reply_overdue_q(as_of) & (Q(replied_on_time__isnull=True) | Q(replied_on_time=True))


def _card(key: Any, row: dict[str, Any], overdue: int, refreshed_at: datetime | None = None) -> Scorecard:
    counts = {k: row.get(f"n_{k}") or 0 for k in COUNT_LABELS}
    counts["overdue"] = overdue
    n = row.get("n_days_n") or 0
    avg = (row.get("n_days_sum") or 0) / n if n else None
    return Scorecard(key=key, counts=counts, avg_handling_days=avg, refreshed_at=refreshed_at)


GROUP_FIELDS = {"unit": "main_unit_id", "category": "category_id", "street": "street_id",
                "district": "district_id"}
ROLLUP_GROUPS = {"unit": "unit_id", "district": "district_id"}  # what the rollup can group by


def dispatched_in(period: Period, *, unit: Unit | None = None, category: Category | None = None,
                  street: Area | None = None, district: District | None = None) -> QuerySet[Ticket]:
    """The tickets a scorecard counts: dispatched (or transferred) to a unit within the period and still
    with a unit (a ticket returned by 退单 and not yet re-dispatched belongs to nobody); with `district`,
    only that district's (docs/levels.md)."""
    qs = Ticket.objects.filter(dispatched_at__gte=period.start, dispatched_at__lt=period.end,
                               main_unit__isnull=False)
    if district is not None:
        qs = qs.filter(district=district)
    if unit is not None:
        qs = qs.filter(main_unit_id__in=unit.subtree_ids())
    if category is not None:
        qs = qs.filter(Q(category__path=category.path) | Q(category__path__startswith=f"{category.path}/"))
    if street is not None:
        qs = qs.filter(street=street)
    return qs.order_by()


def return_events(period: Period, *, unit: Unit | None = None, category: Category | None = None,
                  street: Area | None = None, district: District | None = None) -> QuerySet[TicketEvent]:
    """The 退单 events in the period: a returned ticket no longer names the unit that returned it, the event
    does (`unit`); a district's are its tickets' (as they are now)."""
    qs = TicketEvent.objects.filter(action="return", at__gte=period.start, at__lt=period.end)
    if district is not None:
        qs = qs.filter(ticket__district=district)
    if unit is not None:
        qs = qs.filter(unit_id__in=unit.subtree_ids())
    if category is not None:
        qs = qs.filter(Q(ticket__category__path=category.path)
                       | Q(ticket__category__path__startswith=f"{category.path}/"))
    if street is not None:
        qs = qs.filter(ticket__street=street)
    return qs.order_by()


def _returns(period: Period, *, unit: Unit | None, category: Category | None, street: Area | None,
             group_by: str | None, district: District | None = None) -> dict[Any, int]:
    """退单 counts by the group's key."""
    qs = return_events(period, unit=unit, category=category, street=street, district=district)
    if group_by is None:
        return {None: qs.count()}
    column = "unit_id" if group_by == "unit" else f"ticket__{GROUP_FIELDS[group_by]}"
    return {row[column]: row["n"] for row in qs.values(column).annotate(n=Count("id"))}


def _grouped(qs: QuerySet, column: str | None, aggregates: dict[str, Any]) -> list[dict[str, Any]]:
    """One row of `aggregates` per value of `column` (with the value as "key"), or one row for all (None)."""
    if column is None:
        return [{**qs.aggregate(**aggregates), "key": None}]
    return [{**row, "key": row[column]} for row in qs.values(column).annotate(**aggregates)]


def scorecards(period: Period, *, group_by: str | None = "unit", unit: Unit | None = None,
               category: Category | None = None, street: Area | None = None, district: District | None = None,
               now: datetime | None = None) -> Scorecards:
    """Scorecards keyed by unit id / category id / street id / district id (group_by), or {None: total} for
    group_by=None. Summed from the rollup when it is built and can answer (whole days, no category or street
    filter, by unit, district or all); counted over the tickets otherwise (docs/metrics.md, "Freshness")."""
    if group_by is not None and group_by not in GROUP_FIELDS:
        raise InvalidInput(f"未知的分组方式：{group_by}", field="group_by")
    days = whole_days(period)
    if days is not None and category is None and street is None and (group_by is None or group_by in ROLLUP_GROUPS):
        state = RollupState.objects.first()
        if state is not None:
            return _summed(days, min(period.end, now or clock.now()), state.refreshed_at, period=period, group_by=group_by, unit=unit,
                           district=district)
    return counted_scorecards(period, group_by=group_by, unit=unit, category=category, street=street,
                              district=district, now=now)


def counted_scorecards(period: Period, *, group_by: str | None = "unit", unit: Unit | None = None,
                       category: Category | None = None, street: Area | None = None,
                       district: District | None = None, now: datetime | None = None) -> Scorecards:
    """The figures counted over the tickets now, never from the rollup: one GROUP BY over the base set, one
    over the return events. What the rollup's sums must equal."""
    as_of = min(period.end, now or clock.now())
    qs = dispatched_in(period, unit=unit, category=category, street=street, district=district)
    aggregates = {**prefixed(stored_counts()),
                  "n_overdue": Count("id", filter=Q(replied_on_time=False) | reply_overdue_q(as_of))}
    cards = Scorecards()
    for row in _grouped(qs, GROUP_FIELDS[group_by] if group_by else None, aggregates):
        cards[row["key"]] = _card(row["key"], row, row["n_overdue"] or 0)
    for key, n in _returns(period, unit=unit, category=category, street=street, group_by=group_by,
                           district=district).items():
        card = cards.setdefault(key, Scorecard(key=key, counts=dict.fromkeys(COUNT_LABELS, 0)))
        card.counts["returns"] = n
    return cards


def _summed(days: tuple[date, date], as_of: datetime, refreshed_at: datetime, *, period: Period,
            group_by: str | None, unit: Unit | None, district: District | None) -> Scorecards:
    """The figures summed over the rollup's days. 超期 of the open tickets: for days of one month judged at its
    end (a month that has ended), the rollup's own count at the month's end; otherwise counted now, since an
    open ticket becomes overdue with no event to refresh anything."""
    qs = DayFigures.objects.filter(day__gte=days[0], day__lt=days[1])
    if district is not None:
        qs = qs.filter(district=district)
    if unit is not None:
        qs = qs.filter(unit_id__in=unit.subtree_ids())
    at_month_end = period.end == as_of == month_of(days[0]).end  # one month's days, judged at its end
    sums = {f"n_{key}": Sum(key) for key in (*stored_counts(), "returns", "open_late_at_month_end")}
    open_late: dict[Any, int] = {}
    if not at_month_end:
        late = dispatched_in(period, unit=unit, district=district).filter(open_late_q(as_of))
        open_late = {row["key"]: row["n"] for row in
                     _grouped(late, GROUP_FIELDS[group_by] if group_by else None, {"n": Count("id")})}
    cards = Scorecards()
    cards.refreshed_at = refreshed_at
    for row in _grouped(qs.order_by(), ROLLUP_GROUPS[group_by] if group_by else None, sums):
        late_open = (row["n_open_late_at_month_end"] or 0) if at_month_end else open_late.pop(row["key"], 0)
        cards[row["key"]] = _card(row["key"], row, (row["n_late_replied"] or 0) + late_open, refreshed_at)
    for key, n in open_late.items():  # dispatched since the last refresh, and already late
        if n:
            cards[key] = _card(key, {}, n, refreshed_at)
    return cards


def whole_days(period: Period) -> tuple[date, date] | None:
    """(first day, day after the last) when the period runs from a local midnight to a local midnight."""
    tz = timezone.get_default_timezone()
    start, end = timezone.localtime(period.start, tz), timezone.localtime(period.end, tz)
    if start.time() != time(0) or end.time() != time(0):
        return None
    return start.date(), end.date()


def scorecard(period: Period, *, unit: Unit | None = None, category: Category | None = None,
              street: Area | None = None, district: District | None = None, now: datetime | None = None) -> Scorecard:
    """One scorecard for a unit with its sub-units, a category with its sub-categories, a street, a district,
    or all."""
    cards = scorecards(period, group_by=None, unit=unit, category=category, street=street, district=district,
                       now=now)
    return cards.get(None) or Scorecard(counts=dict.fromkeys(COUNT_LABELS, 0), refreshed_at=cards.refreshed_at)


def format_rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
