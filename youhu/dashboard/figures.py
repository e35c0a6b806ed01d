"""The dashboard's figures in one place, for the page, the big screen and the JSON API."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.cache import cache

from youhu import clock
from youhu.supervision.metrics import RATE_DEFS, period_between, scorecard

from . import selectors

log = logging.getLogger(__name__)

RATE_KEYS = ("response_rate", "resolution_rate", "satisfaction_rate")
TREND_DAYS = (30, 90)
VIEW_ROLES = ("supervisor", "admin", "dispatcher", "unit_head")


def rates(now: datetime, days: int = 30) -> list[dict]:
    """三率 over the last `days` days, by the supervision definitions."""
    card = scorecard(period_between(now - timedelta(days=days), now), now=now)
    return [{"key": key, "label": RATE_DEFS[key][0], "value": card.rate(key)} for key in RATE_KEYS]


HOTSPOT_CACHE_SECONDS = 300


def hotspots(now: datetime, limit: int = 8) -> list[dict]:
    """The current hotspots from smart dispatch, recomputed at most every five minutes: grouping
    appeals by text similarity costs seconds, and hotspots form over days, not minutes."""
    key = f"dashboard:hotspots:{limit}"
    cached = cache.get(key)
    if cached is None:
        cached = _compute_hotspots(now, limit)
        cache.set(key, cached, HOTSPOT_CACHE_SECONDS)
    return cached


def _compute_hotspots(now: datetime, limit: int) -> list[dict]:
    """An empty list (logged) if that part fails: the dashboard must still show everything else."""
    try:
        from youhu.dispatch.hotspots import current_hotspots

        groups = current_hotspots(now)
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


def summary(now: datetime | None = None, *, days: int = 30) -> dict:
    now = now or clock.now()
    if days not in TREND_DAYS:
        days = TREND_DAYS[0]
    return {
        "as_of": now.isoformat(),
        "days": days,
        "overview": selectors.overview(now),
        "rates": rates(now, days),
        "trend": selectors.intake_trend(now, days),
        "top_categories": selectors.top_categories(now, days),
        "streets": selectors.street_figures(now, days),
        "overdue_units": selectors.overdue_by_unit(now),
        "surges": selectors.surges(now),
        "surge_rule": surge_rule_text(),
    }


def surge_rule_text() -> str:
    return (
        f"激增规则：某街道或某一级分类今日受理量不少于 {selectors.SURGE_MIN_COUNT} 件，"
        f"且高于其前 {selectors.SURGE_BASELINE_DAYS} 天日均值加 {selectors.SURGE_SIGMAS:g} 倍标准差"
        "（标准差小于 1 时按 1 计）。"
    )
