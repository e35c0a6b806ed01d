"""The dashboard's figures in one place, for the page, the big screen and the JSON API."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.cache import cache

from youhu import clock
from youhu.directory.models import Area, District, User
from youhu.dispatch.geo import normalise
from youhu.supervision.metrics import RATE_DEFS, period_between, scorecard

from . import selectors

log = logging.getLogger(__name__)

RATE_KEYS = ("response_rate", "resolution_rate", "satisfaction_rate")
TREND_DAYS = (30, 90)
VIEW_ROLES = ("supervisor", "admin", "dispatcher", "unit_head")


def viewer_district(user: User, requested: int | None = None) -> int | None:
    """The district whose figures the viewer sees (docs/levels.md): a district's staff always their own; the
    city's staff the whole city (None), or one district they ask for (`?district=`). An unknown district is a
    400 naming the field."""
    own = user.district_id
    if own is not None or requested is None:
        return own
    if not District.objects.filter(pk=requested).exists():
        raise BadDistrict(requested)
    return requested


class BadDistrict(ValueError):
    """`?district=` names no district."""


def rates(now: datetime, days: int = 30, *, district_id: int | None = None) -> list[dict]:
    """三率 over the last `days` days, by the supervision definitions."""
    district = District.objects.get(pk=district_id) if district_id is not None else None
    card = scorecard(period_between(now - timedelta(days=days), now), district=district, now=now)
    return [{"key": key, "label": RATE_DEFS[key][0], "value": card.rate(key)} for key in RATE_KEYS]


def district_streets(shapes: dict, district_id: int | None) -> dict:
    """The street shapes (GeoJSON) of one district's streets (by the directory's names); all for the city."""
    if district_id is None:
        return shapes
    names = {normalise(n) for n in Area.objects.filter(kind=Area.Kind.STREET, district_id=district_id)
             .values_list("name", flat=True)}
    features = [f for f in shapes["features"] if normalise(f["properties"]["name"]) in names]
    return {**shapes, "features": features}


HOTSPOT_CACHE_SECONDS = 300


def hotspots(now: datetime, limit: int = 8, *, district_id: int | None = None) -> list[dict]:
    """The current hotspots from smart dispatch, recomputed at most every five minutes: grouping
    appeals by text similarity costs seconds, and hotspots form over days, not minutes. One entry per
    district (and one for the whole city): a district's staff never get another district's titles."""
    key = f"dashboard:hotspots:{limit}:{'city' if district_id is None else district_id}"
    cached = cache.get(key)
    if cached is None:
        cached = _compute_hotspots(now, limit, district_id)
        cache.set(key, cached, HOTSPOT_CACHE_SECONDS)
    return cached


def _compute_hotspots(now: datetime, limit: int, district_id: int | None) -> list[dict]:
    """An empty list (logged) if that part fails: the dashboard must still show everything else."""
    try:
        from youhu.dispatch.hotspots import current_hotspots

        groups = current_hotspots(now, district_id=district_id)
    except Exception:
        log.exception("hotspots unavailable")
        return []
    return [_hotspot_dict(g) for g in groups[:limit]]


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


def summary(now: datetime | None = None, *, days: int = 30, district_id: int | None = None) -> dict:
    """Every figure of one district (`district_id`), or of the whole city (None)."""
    now = now or clock.now()
    if days not in TREND_DAYS:
        days = TREND_DAYS[0]
    scope = {"district_id": district_id}
    return {
        "as_of": now.isoformat(),
        "days": days,
        "district": district_id,
        "overview": selectors.overview(now, **scope),
        "rates": rates(now, days, **scope),
        "trend": selectors.intake_trend(now, days, **scope),
        "top_categories": selectors.top_categories(now, days, **scope),
        "streets": selectors.street_figures(now, days, **scope),
        "overdue_units": selectors.overdue_by_unit(now, **scope),
        "surges": selectors.surges(now, **scope),
        "surge_rule": surge_rule_text(),
    }


def surge_rule_text() -> str:
    return (
        f"激增规则：某街道或某一级分类今日受理量不少于 {selectors.SURGE_MIN_COUNT} 件，"
        f"且高于其前 {selectors.SURGE_BASELINE_DAYS} 天日均值加 {selectors.SURGE_SIGMAS:g} 倍标准差"
        "（标准差小于 1 时按 1 计）。"
    )
