"""Figures computed from Youhu's own data for a period (the indicators whose source is `platform`).

Each figure is a function of (entity, period) returning a number or None (nothing to say: not stored,
so the entity is scored without it). A park or building is read through its `Building` (companies) and
that building's street (tickets, key projects); a street through its `Area`; a peer zone has no data here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from youhu import clock, db
from youhu.directory.models import Area
from youhu.enterprise.models import Company
from youhu.enterprise.selectors import zone_figures
from youhu.projects.models import Investment
from youhu.supervision.metrics import period_between, scorecard

from . import services
from .models import Entity, Indicator, Period, Source
from .tree import current

Compute = Callable[[Entity, Period, datetime], float | None]


def _street(entity: Entity) -> Area | None:
    if entity.area_id:
        return entity.area
    return entity.building.street if entity.building_id else None


def _companies(entity: Entity):
    if entity.building_id:
        return Company.objects.filter(building_id=entity.building_id)
    if entity.area_id:
        return Company.objects.filter(Q(street_id=entity.area_id) | Q(street__parent_id=entity.area_id))
    return None


def _span(period: Period, now: datetime) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.combine(period.start, time.min, tz)
    end = min(datetime.combine(period.end + timedelta(days=1), time.min, tz), now)
    return start, end


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 2)


def _rate(key: str) -> Compute:
    """A 12345 rate (supervision's definition) over the period's tickets of the entity's street, in %."""
    def figure(entity: Entity, period: Period, now: datetime) -> float | None:
        street, (start, end) = _street(entity), _span(period, now)
        if street is None or end <= start:
            return None
        return _percent(scorecard(period_between(start, end), street=street, now=now).rate(key))
    return figure


def _count(flag: str | None) -> Compute:
    """Companies on the register at the period's end (created before it)."""
    def figure(entity: Entity, period: Period, now: datetime) -> float | None:
        companies = _companies(entity)
        if companies is None:
            return None
        companies = companies.filter(created_at__lt=_span(period, now)[1])
        return float(companies.filter(**{flag: True}).count() if flag else companies.count())
    return figure


def _demand_resolution(entity: Entity, period: Period, now: datetime) -> float | None:
    companies, (start, end) = _companies(entity), _span(period, now)
    if companies is None or end <= start:
        return None
    return _percent(zone_figures(start, end, companies=companies)["resolution_rate"])


def _project_investment(entity: Entity, period: Period, now: datetime) -> float | None:
    """Completed / planned investment (%) in the period's last year of the key projects in the entity's
    street (or its communities); None where no project there planned any."""
    street = _street(entity)
    if street is None:
        return None
    totals = Investment.objects.filter(
        Q(project__street=street) | Q(project__street__parent=street), year=period.end.year,
    ).aggregate(planned=Sum("planned"), completed=Sum("completed"))
    if not totals["planned"]:
        return None
    return round(float(totals["completed"] or 0) / float(totals["planned"]) * 100, 2)


FIGURES: dict[str, Compute] = {
    "response_rate": _rate("response_rate"),
    "satisfaction_rate": _rate("satisfaction_rate"),
    "companies": _count(None),
    "above_scale": _count("above_scale"),
    "specialized": _count("specialized"),
    "demand_resolution": _demand_resolution,
    "project_investment": _project_investment,
}


def autofill(period: Period, *, now: datetime | None = None) -> int:
    """Compute and store every platform figure of the period for the active entities linked to Youhu's
    data; the reading happens before the write section."""
    now = now or clock.now()
    indicators = [i for i in Indicator.objects.filter(dimension__version=current(), source=Source.PLATFORM)
                  if i.auto_key in FIGURES]
    entities = Entity.objects.filter(active=True).filter(Q(building__isnull=False) | Q(area__isnull=False)) \
        .select_related("building__street", "area")
    figures = [services.Figure(e, period, i.code, value) for e in entities for i in indicators
               if (value := FIGURES[i.auto_key](e, period, now)) is not None]
    with db.writing():
        return services.store(figures, source="auto", by=None, now=now)


def open_periods(today: date) -> list[Period]:
    return list(Period.objects.filter(start__lte=today, end__gte=today - timedelta(days=31)))
