"""The dashboard's figures in one place, for the page, the big screen and the JSON API."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from youhu import clock
from youhu.directory.models import Area, District, User
from youhu.dispatch.geo import normalise

from . import rollup, selectors, stored, tasks
from .models import Computed
from .stored import TREND_DAYS

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


def rates(now: datetime, days: int = 30, *, district_id: int | None = None) -> list[dict] | None:
    """三率 over the last `days` days as the queue last computed them (stored.py); None until it has."""
    found = _stored(stored.rates_key(days, district_id), district_id)
    return found.value if found else None


def district_streets(shapes: dict, district_id: int | None) -> dict:
    """The street shapes (GeoJSON) of one district's streets (by the directory's names); all for the city."""
    if district_id is None:
        return shapes
    names = {normalise(n) for n in Area.objects.filter(kind=Area.Kind.STREET, district_id=district_id)
             .values_list("name", flat=True)}
    features = [f for f in shapes["features"] if normalise(f["properties"]["name"]) in names]
    return {**shapes, "features": features}


def hotspots(now: datetime, limit: int = 8, *, district_id: int | None = None) -> dict:
    """The scope's hotspots as the queue last computed them (every five minutes: grouping appeals by text
    similarity costs seconds, and hotspots form over days, not minutes), and when; `computed_at` None while the
    first computation is still queued. One entry per district and one for the whole city: a district's staff
    never get another district's titles."""
    found = _stored(stored.hotspots_key(district_id), district_id)
    return {"computed_at": _local(found.computed_at) if found else None,
            "hotspots": found.value[:limit] if found else []}


def _stored(key: str, district_id: int | None) -> Computed | None:
    """A stored figure; the first request that finds none queues its scope's computation (with the queue run
    in-process, as in tests, it is there at once)."""
    found = stored.read(key)
    if found is None:
        tasks.compute_scope(district_id)
        found = stored.read(key)
    return found


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat()


def refreshed_at() -> datetime | None:
    """When the rollups were last brought up to date; a database whose rollups were never built has its first
    build queued here (the minutely task would do it within the minute)."""
    at = rollup.refreshed_at()
    if at is None:
        tasks.refresh_dashboard_rollup()
        at = rollup.refreshed_at()
    return at


def summary(now: datetime | None = None, *, days: int = 30, district_id: int | None = None) -> dict:
    """Every figure of one district (`district_id`), or of the whole city (None)."""
    now = now or clock.now()
    if days not in TREND_DAYS:
        days = TREND_DAYS[0]
    scope = {"district_id": district_id}
    updated = refreshed_at()
    return {
        "as_of": now.isoformat(),
        # what the page shows as 数据更新于: the counts are the rollups' of that moment (None: being built)
        "updated_at": _local(updated) if updated else None,
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
