"""Read-only figures for the command dashboard. Every count is a database aggregation."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from youhu.supervision.selectors import in_district
from youhu.taxonomy.models import Category
from youhu.tickets.models import OPEN_STATUSES, Channel, Status, Ticket
from youhu.tickets.selectors import reply_overdue_q

# The surge rule, stated on the page: today's intake is at least SURGE_MIN_COUNT and at least
# SURGE_SIGMAS standard deviations (never less than one appeal) above the mean of the previous
# SURGE_BASELINE_DAYS days of the same street or category.
SURGE_BASELINE_DAYS = 28
SURGE_SIGMAS = 3.0
SURGE_MIN_COUNT = 5


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _today(now: datetime) -> date:
    return timezone.localdate(now)


def overdue_q(now: datetime) -> Q:
    """Open work past a deadline: not accepted in time, or not replied in time."""
    late_accept = Q(status=Status.DISPATCHED, accept_due__lt=now)
    return late_accept | reply_overdue_q(now)


def _today_or_open(since: datetime) -> Q:
    """The only rows a dashboard count can include: received since `since`, or still open (or awaiting
    review). Both halves are index ranges (created_at; status, …), so the counts read those rows, not the
    whole table — the closed past is most of it."""
    return Q(created_at__gte=since) | Q(status__in=(*OPEN_STATUSES, Status.REPLIED))


def _tickets(district_id: int | None) -> QuerySet[Ticket]:
    """The tickets a figure counts: one district's for its staff, every district's for the city (None), as
    `tickets.selectors.level_tickets` gives each viewer (docs/levels.md)."""
    return in_district(Ticket.objects.all(), district_id)


def overview(now: datetime, *, district_id: int | None = None) -> dict:
    today = _today(now)
    counts = _tickets(district_id).filter(_today_or_open(_day_start(today))).aggregate(
        today=Count("id", filter=Q(created_at__gte=_day_start(today))),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=overdue_q(now)),
        replied=Count("id", filter=Q(status=Status.REPLIED)),
    )
    return counts


def intake_trend(now: datetime, days: int = 30, *, district_id: int | None = None) -> dict:
    """Daily intake by channel for the last `days` days (today included), zero-filled."""
    first = _today(now) - timedelta(days=days - 1)
    rows = (
        _tickets(district_id).filter(created_at__gte=_day_start(first))
        .annotate(day=TruncDate("created_at"))
        .values("day", "channel")
        .annotate(n=Count("id"))
    )
    dates = [first + timedelta(days=i) for i in range(days)]
    series: dict[str, list[int]] = {}
    index = {d: i for i, d in enumerate(dates)}
    for row in rows:
        counts = series.setdefault(row["channel"], [0] * days)
        if row["day"] in index:
            counts[index[row["day"]]] += row["n"]
    labels = dict(Channel.choices)
    return {
        "dates": [d.isoformat() for d in dates],
        "series": [{"channel": c, "label": labels.get(c, c), "counts": series[c]} for c in sorted(series)],
    }


def _root_names() -> dict[int, str]:
    """Category id -> its first-level name (the tree is small; one query)."""
    rows = {pk: (name, parent) for pk, name, parent in Category.objects.values_list("id", "name", "parent_id")}
    roots: dict[int, str] = {}
    for pk in rows:
        node = pk
        while rows[node][1] in rows:
            node = rows[node][1]
        roots[pk] = rows[node][0]
    return roots


def top_categories(now: datetime, days: int = 30, limit: int = 10, *, district_id: int | None = None) -> list[dict]:
    since = now - timedelta(days=days)
    rows = (
        _tickets(district_id).filter(created_at__gte=since)
        .values("category_id")
        .annotate(n=Count("id"))
    )
    roots = _root_names()
    totals: dict[str, int] = {}
    for row in rows:
        name = roots.get(row["category_id"], "未分类") if row["category_id"] else "未分类"
        totals[name] = totals.get(name, 0) + row["n"]
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [{"category": name, "count": n} for name, n in ranked]


def street_figures(now: datetime, days: int = 30, *, district_id: int | None = None) -> list[dict]:
    """Per street: intake in the window, open now, overdue now."""
    since = now - timedelta(days=days)
    rows = (
        _tickets(district_id).filter(_today_or_open(since), street__isnull=False)
        .values("street_id", "street__name")
        .annotate(
            intake=Count("id", filter=Q(created_at__gte=since)),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("id", filter=overdue_q(now)),
        )
        .order_by("-intake", "street__name")
    )
    return [
        {"street_id": r["street_id"], "street": r["street__name"], "intake": r["intake"],
         "open": r["open"], "overdue": r["overdue"]}
        for r in rows
    ]


def overdue_by_unit(now: datetime, limit: int = 10, *, district_id: int | None = None) -> list[dict]:
    rows = (
        _tickets(district_id).filter(overdue_q(now), main_unit__isnull=False)
        .values("main_unit_id", "main_unit__name")
        .annotate(n=Count("id"))
        .order_by("-n", "main_unit__name")[:limit]
    )
    return [{"unit_id": r["main_unit_id"], "unit": r["main_unit__name"], "overdue": r["n"]} for r in rows]


@dataclass(frozen=True)
class Surge:
    dimension: str  # "street" or "category"
    name: str
    today: int
    baseline_mean: float
    threshold: float

    def as_dict(self) -> dict:
        return {"dimension": self.dimension, "name": self.name, "today": self.today,
                "baseline_mean": round(self.baseline_mean, 2), "threshold": round(self.threshold, 2)}


def _daily_counts(first: date, district_id: int | None) -> tuple[dict[str, dict[date, int]], dict[str, dict[date, int]]]:
    """Daily intake since `first` per street name and per first-level category, in one grouped query."""
    rows = (
        _tickets(district_id).filter(created_at__gte=_day_start(first))
        .annotate(day=TruncDate("created_at"))
        .values("street__name", "category_id", "day")
        .annotate(n=Count("id"))
    )
    roots = _root_names()
    by_street: dict[str, dict[date, int]] = {}
    by_category: dict[str, dict[date, int]] = {}
    for row in rows:
        keys = ((by_street, row["street__name"]), (by_category, roots.get(row["category_id"])))
        for table, key in keys:
            if key:
                days = table.setdefault(key, {})
                days[row["day"]] = days.get(row["day"], 0) + row["n"]
    return by_street, by_category


def is_surge(today: int, baseline: list[int]) -> tuple[bool, float, float]:
    """Apply the surge rule; returns (surge?, baseline mean, threshold)."""
    mean = statistics.fmean(baseline) if baseline else 0.0
    spread = max(statistics.pstdev(baseline) if len(baseline) > 1 else 0.0, 1.0)
    threshold = max(float(SURGE_MIN_COUNT), mean + SURGE_SIGMAS * spread)
    return today >= threshold, mean, threshold


def surges(now: datetime, *, district_id: int | None = None) -> list[dict]:
    today = _today(now)
    first = today - timedelta(days=SURGE_BASELINE_DAYS)
    baseline_days = [first + timedelta(days=i) for i in range(SURGE_BASELINE_DAYS)]
    found: list[Surge] = []
    by_street, by_category = _daily_counts(first, district_id)
    for dimension, table in (("street", by_street), ("category", by_category)):
        for name, days in table.items():
            count = days.get(today, 0)
            hit, mean, threshold = is_surge(count, [days.get(d, 0) for d in baseline_days])
            if hit:
                found.append(Surge(dimension, str(name), count, mean, threshold))
    found.sort(key=lambda s: (-(s.today - s.threshold), s.name))
    return [s.as_dict() for s in found]
