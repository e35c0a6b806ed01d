"""Read-only figures for the command dashboard, from its rollups (models.py): every count is a sum of their rows."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Model, Q, QuerySet, Sum
from django.utils import timezone

from youhu.supervision.selectors import in_district
from youhu.tickets.models import Channel, Status
from youhu.tickets.selectors import reply_overdue_q

from .models import CategoryDay, ChannelDay, OpenWork, StreetDay

# The surge rule, stated on the page: today's intake is at least SURGE_MIN_COUNT and at least
# SURGE_SIGMAS standard deviations (never less than one appeal) above the mean of the previous
# SURGE_BASELINE_DAYS days of the same street or category.
SURGE_BASELINE_DAYS = 28
SURGE_SIGMAS = 3.0
SURGE_MIN_COUNT = 5


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _today(now: datetime) -> date:
    return timezone.localdate(now)


def overdue_q(now: datetime) -> Q:
    """Open work past a deadline: not accepted in time, or not replied in time."""
    late_accept = Q(status=Status.DISPATCHED, accept_due__lt=now)
    return late_accept | reply_overdue_q(now)


# Every figure below reads the rollups (models.py, filled by rollup.py), never the tickets: the intake of a
# window is the days' rows (the window is whole local days, today included), the open work is the last
# refresh's count. Each is scoped as `tickets.selectors.level_tickets` scopes the tickets (docs/levels.md):
# one district's rows for its staff, every district's for the city (None).


def _rows(model: type[Model], district_id: int | None) -> QuerySet:
    return in_district(model.objects.all(), district_id)


def _days(model: type[Model], first: date, last: date, district_id: int | None) -> QuerySet:
    return _rows(model, district_id).filter(day__gte=first, day__lte=last)


def _first(now: datetime, days: int) -> date:
    """The first day of a window of `days` days ending today."""
    return _today(now) - timedelta(days=days - 1)


def overview(now: datetime, *, district_id: int | None = None) -> dict:
    today = _today(now)
    work = _rows(OpenWork, district_id).aggregate(open=Sum("open"), overdue=Sum("overdue"), replied=Sum("replied"))
    received = _days(ChannelDay, today, today, district_id).aggregate(n=Sum("count"))["n"]
    return {"today": received or 0, **{k: v or 0 for k, v in work.items()}}


def intake_trend(now: datetime, days: int = 30, *, district_id: int | None = None) -> dict:
    """Daily intake by channel for the last `days` days (today included), zero-filled."""
    first = _first(now, days)
    rows = (_days(ChannelDay, first, _today(now), district_id)
            .values("day", "channel").order_by().annotate(n=Sum("count")))
    dates = [first + timedelta(days=i) for i in range(days)]
    series: dict[str, list[int]] = {}
    index = {d: i for i, d in enumerate(dates)}
    for row in rows:
        counts = series.setdefault(row["channel"], [0] * days)
        counts[index[row["day"]]] += row["n"]
    labels = dict(Channel.choices)
    return {
        "dates": [d.isoformat() for d in dates],
        "series": [{"channel": c, "label": labels.get(c, c), "counts": series[c]} for c in sorted(series)],
    }


UNCLASSIFIED = "未分类"


def top_categories(now: datetime, days: int = 30, limit: int = 10, *, district_id: int | None = None) -> list[dict]:
    """First-level categories by intake in the last `days` days (today included); unclassified ones as one."""
    rows = (_days(CategoryDay, _first(now, days), _today(now), district_id)
            .values("category__name").order_by().annotate(n=Sum("count")))
    totals: dict[str, int] = {}
    for row in rows:
        name = row["category__name"] or UNCLASSIFIED
        totals[name] = totals.get(name, 0) + row["n"]
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [{"category": name, "count": n} for name, n in ranked]


def street_figures(now: datetime, days: int = 30, *, district_id: int | None = None) -> list[dict]:
    """Per street: intake in the window (today included), open now, overdue now. A street with neither intake
    in the window nor open or replied work is left out."""
    figures: dict[int, dict] = {}

    def street(pk: int, name: str) -> dict:
        return figures.setdefault(pk, {"street_id": pk, "street": name, "intake": 0, "open": 0, "overdue": 0})

    intake = (_days(StreetDay, _first(now, days), _today(now), district_id)
              .values("street_id", "street__name").order_by().annotate(n=Sum("count")))
    for row in intake:
        street(row["street_id"], row["street__name"])["intake"] = row["n"]
    work = (_rows(OpenWork, district_id).filter(street__isnull=False)
            .values("street_id", "street__name").order_by().annotate(open=Sum("open"), overdue=Sum("overdue")))
    for row in work:
        street(row["street_id"], row["street__name"]).update(open=row["open"], overdue=row["overdue"])
    return sorted(figures.values(), key=lambda f: (-f["intake"], f["street"]))


def overdue_by_unit(now: datetime, limit: int = 10, *, district_id: int | None = None) -> list[dict]:
    rows = (
        _rows(OpenWork, district_id).filter(overdue__gt=0, unit__isnull=False)
        .values("unit_id", "unit__name").order_by().annotate(n=Sum("overdue"))
        .order_by("-n", "unit__name")[:limit]
    )
    return [{"unit_id": r["unit_id"], "unit": r["unit__name"], "overdue": r["n"]} for r in rows]


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


def _daily_counts(first: date, last: date, district_id: int | None
                  ) -> tuple[dict[str, dict[date, int]], dict[str, dict[date, int]]]:
    """Daily intake of first..last per street name and per first-level category name."""
    by_street: dict[str, dict[date, int]] = {}
    by_category: dict[str, dict[date, int]] = {}
    for model, name, table in ((StreetDay, "street__name", by_street), (CategoryDay, "category__name", by_category)):
        rows = (_days(model, first, last, district_id).filter(**{f"{name}__isnull": False})
                .values(name, "day").order_by().annotate(n=Sum("count")))
        for row in rows:
            days = table.setdefault(row[name], {})
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
    by_street, by_category = _daily_counts(first, today, district_id)
    for dimension, table in (("street", by_street), ("category", by_category)):
        for name, days in table.items():
            count = days.get(today, 0)
            hit, mean, threshold = is_surge(count, [days.get(d, 0) for d in baseline_days])
            if hit:
                found.append(Surge(dimension, str(name), count, mean, threshold))
    found.sort(key=lambda s: (-(s.today - s.threshold), s.name))
    return [s.as_dict() for s in found]
