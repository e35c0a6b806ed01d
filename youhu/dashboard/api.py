"""JSON endpoints behind the dashboard (session login; supervisors, leaders and the centre)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.security import django_auth

from youhu import clock
from youhu.dispatch.geo import street_shapes

from .figures import VIEW_ROLES, hotspots, summary

router = Router(auth=django_auth, tags=["dashboard"])


def _require_viewer(request: HttpRequest) -> None:
    if not request.user.has_role(*VIEW_ROLES):
        raise HttpError(403, "无权查看指挥大屏")


@router.get("/summary")
def dashboard_summary(request: HttpRequest, days: int = 30) -> dict:
    """Every figure of the dashboard: overview, 三率, trend by channel, categories, streets, hotspots, surges."""
    _require_viewer(request)
    return summary(days=days)


@router.get("/hotspots")
def dashboard_hotspots(request: HttpRequest) -> list[dict]:
    """Current hotspots (热点): many appeals about one problem in one place (refreshed every 5 minutes)."""
    _require_viewer(request)
    return hotspots(clock.now())


@router.get("/streets")
def dashboard_streets(request: HttpRequest) -> dict:
    """Street shapes as GeoJSON (approximate unless a real street file is configured)."""
    _require_viewer(request)
    return street_shapes()
