"""JSON endpoints behind the dashboard (session login; supervisors, leaders and the centre)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.security import django_auth

from youhu import clock
from youhu.dispatch.geo import street_shapes

from .figures import VIEW_ROLES, BadDistrict, district_streets, hotspots, summary, viewer_district

router = Router(auth=django_auth, tags=["dashboard"])


def _require_viewer(request: HttpRequest) -> None:
    if not request.user.has_role(*VIEW_ROLES):
        raise HttpError(403, "无权查看指挥大屏")


def _district(request: HttpRequest, district: int | None) -> int | None:
    """The viewer's district (a district's staff: theirs, whatever they ask); 400 for an unknown one."""
    try:
        return viewer_district(request.user, district)
    except BadDistrict:
        raise HttpError(400, "district: 没有这个区") from None


@router.get("/summary")
def dashboard_summary(request: HttpRequest, days: int = 30, district: int | None = None) -> dict:
    """Every figure of the dashboard: overview, 三率, trend by channel, categories, streets, hotspots, surges —
    of the viewer's district (the city's staff: the whole city, or `district`)."""
    _require_viewer(request)
    return summary(days=days, district_id=_district(request, district))


@router.get("/hotspots")
def dashboard_hotspots(request: HttpRequest, district: int | None = None) -> dict:
    """Current hotspots (热点): many appeals about one problem in one place, of the viewer's district, as the queue
    computed them (every 5 minutes) and when (`computed_at`; null while the first computation is queued)."""
    _require_viewer(request)
    return hotspots(clock.now(), district_id=_district(request, district))


@router.get("/streets")
def dashboard_streets(request: HttpRequest, district: int | None = None) -> dict:
    """Street shapes as GeoJSON (approximate unless a real street file is configured): a district's staff get
    their district's streets only."""
    _require_viewer(request)
    return district_streets(street_shapes(), _district(request, district))
