"""Figures the queue computes whole, per viewing scope, and the dashboard's requests read as stored
(`models.Computed`): the hotspots (grouping appeals by text costs seconds) and 三率 over the windows (the
supervision scorecard of a month of tickets). `dashboard.tasks.compute_figures` refreshes every scope every
few minutes; a scope never computed is computed once by a queued task the first request asks for.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from youhu import clock, db
from youhu.directory.models import District
from youhu.supervision.metrics import RATE_DEFS, period_between, scorecard

from .models import Computed

log = logging.getLogger(__name__)

RATE_KEYS = ("response_rate", "resolution_rate", "satisfaction_rate")
TREND_DAYS = (30, 90)  # the windows the page offers (近 30 天, 近 90 天)
HOTSPOT_LIMIT = 10
FRESH = timedelta(minutes=1)  # a scope computed this recently is not computed again (several workers' schedules)


def scope_name(district_id: int | None) -> str:
    return "city" if district_id is None else str(district_id)


def hotspots_key(district_id: int | None) -> str:
    return f"hotspots:{scope_name(district_id)}"


def rates_key(days: int, district_id: int | None) -> str:
    return f"rates:{days}:{scope_name(district_id)}"


def read(key: str) -> Computed | None:
    return Computed.objects.filter(key=key).first()


def scopes() -> list[int | None]:
    """Every scope a dashboard shows: the whole city (None) and each active district."""
    return [None, *District.objects.filter(active=True).order_by("pk").values_list("pk", flat=True)]


def compute_all(now: datetime | None = None) -> int:
    """Every scope's hotspots and rates; returns how many scopes were computed (fresh ones are skipped)."""
    now = now or clock.now()
    return sum(compute_scope(district_id, now) for district_id in scopes())


def compute_scope(district_id: int | None, now: datetime | None = None) -> bool:
    """One scope's hotspots and rates for each window, unless another worker has just computed them."""
    now = now or clock.now()
    keys = [hotspots_key(district_id), *(rates_key(days, district_id) for days in TREND_DAYS)]
    fresh = Computed.objects.filter(key__in=keys, computed_at__gt=now - FRESH, computed_at__lte=now).count()
    if fresh == len(keys):
        return False
    values = {hotspots_key(district_id): _hotspots(now, district_id)}
    values.update({rates_key(days, district_id): _rates(now, days, district_id) for days in TREND_DAYS})
    with db.writing():
        for key, value in values.items():
            Computed.objects.update_or_create(key=key, defaults={"computed_at": now, "value": value})
    return True


def _rates(now: datetime, days: int, district_id: int | None) -> list[dict]:
    """三率 over the last `days` days, by the supervision definitions."""
    district = District.objects.get(pk=district_id) if district_id is not None else None
    card = scorecard(period_between(now - timedelta(days=days), now), district=district, now=now)
    return [{"key": key, "label": RATE_DEFS[key][0], "value": card.rate(key)} for key in RATE_KEYS]


def _hotspots(now: datetime, district_id: int | None) -> list[dict]:
    """The scope's hotspots from smart dispatch; an empty list (logged) if that fails: the dashboard must still
    show everything else."""
    try:
        # numpy, scipy and scikit-learn load here, in the queue's worker, not in every web process
        from youhu.dispatch.hotspots import current_hotspots

        groups = current_hotspots(now, district_id=district_id, limit=HOTSPOT_LIMIT)
    except Exception:
        log.exception("hotspots unavailable")
        return []
    return [_hotspot_dict(g) for g in groups]


def _hotspot_dict(group) -> dict:
    return {
        "title": group.title,
        "place": group.place,
        "size": group.size,
        "heat": round(float(group.heat), 2),
        "votes": group.votes,
        "growth": group.growth,
        "first_at": group.first_at.isoformat() if group.first_at else None,
        "last_at": group.last_at.isoformat() if group.last_at else None,
        "tickets": [a.id for a in group.appeals[:20]],
    }
