"""/api/portal: what the portal's place picker reads (no login, read-only): the district's street outlines,
a search of place names, and the street and community at a point of the map."""

from __future__ import annotations

from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from youhu.directory.models import Area
from youhu.dispatch import geo, places
from youhu.dispatch.gazetteer import normalise

router = Router(auth=None, tags=["portal"])


def portal_api_rate(group, request) -> str:
    # Generous: one resident's map makes a request per search and per tap, and many share a carrier's address.
    return getattr(settings, "YOUHU_PORTAL_API_RATE", "1200/h")


def check_rate(request: HttpRequest) -> None:
    """No login guards these reads, so each address gets its share of them (in the cache every worker shares)."""
    if is_ratelimited(request, group="portal-api", key="ip", rate=portal_api_rate, method="GET", increment=True):
        raise HttpError(429, "查询太频繁，请稍后再试")


class PointQuery(Schema):
    lon: Annotated[float, Field(ge=-180, le=180)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    datum: Literal["gcj02", "wgs84"] = "gcj02"  # wgs84: a browser's own location (navigator.geolocation)


@router.get("/streets")
def portal_streets(request: HttpRequest) -> dict:
    """The street outlines the dashboard draws (GeoJSON), each with the directory's street id (`area_id`)."""
    check_rate(request)
    shapes = geo.street_shapes()
    ids = {normalise(a.name): a.pk for a in Area.objects.filter(kind=Area.Kind.STREET)}
    for feature in shapes["features"]:
        feature["properties"]["area_id"] = ids.get(normalise(feature["properties"]["name"]))
    return shapes


@router.get("/places")
def portal_places(request: HttpRequest, q: Annotated[str, Field(max_length=places.QUERY_MAX)] = "") -> list[dict]:
    """Streets, communities, roads and landmarks whose name contains `q`, best first."""
    check_rate(request)
    return [p.as_dict() for p in places.search_places(q)]


@router.get("/locate")
def portal_locate(request: HttpRequest, point: Query[PointQuery]) -> dict:
    """The street (and the nearest community) at a point; `street` is null outside the district's streets."""
    check_rate(request)
    lon, lat = (places.from_wgs84(point.lon, point.lat) if point.datum == "wgs84" else (point.lon, point.lat))
    return places.place_at(lon, lat).as_dict()
