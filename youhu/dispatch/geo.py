"""Street shapes of the district and point-in-polygon location.

No street boundaries are available offline, so by default each street's shape is the Voronoi cell
around its office's approximate location, clipped to the real district outline: good enough to
colour a map and to place a reported point near the right street office, but approximate — every
feature says so. Setting YOUHU_STREETS_GEOJSON to a file of real street polygons (a FeatureCollection
whose features carry the street's name in `properties.name`) replaces them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import shapely
from django.conf import settings
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from .gazetteer import DATA_DIR, load_data, normalise

if TYPE_CHECKING:
    from youhu.directory.models import Area

# Guangzhou's 11 district outlines (anzhou99/GeoJsons 440100_full.json, 2021; GCJ-02 lon/lat), keyed by adcode.
DISTRICTS_FILE = DATA_DIR / "guangzhou_districts.geojson"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreetShape:
    name: str  # as in the gazetteer / directory, e.g. '琶洲街道'
    geometry: BaseGeometry
    approximate: bool
    centre: tuple[float, float] | None  # (lon, lat) the cell was grown from


@lru_cache(maxsize=8)
def district_shape(adcode: int) -> BaseGeometry:
    """The outline of the district with this adcode (440105: 海珠区); LookupError for one not in the file."""
    with open(DISTRICTS_FILE, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    found = [shape(f["geometry"]) for f in features if str(f["properties"].get("adcode")) == str(adcode)]
    if not found:
        raise LookupError(f"{DISTRICTS_FILE} 中没有 adcode {adcode} (no district with adcode {adcode})")
    return shapely.union_all(found)


def district_outline() -> BaseGeometry:
    """The outline of the gazetteer's district."""
    return district_shape(int(load_data()["district"]["adcode"]))


def default_centres() -> dict[str, tuple[float, float]]:
    """Approximate street office locations from the gazetteer file, by street name."""
    return {s["name"]: (s["lon"], s["lat"]) for s in load_data()["streets"]}


def _directory_centres(areas: list[Area] | None = None) -> dict[str, tuple[float, float]]:
    """Office locations the directory knows (Area.lon/lat), which win over the file's defaults; from
    `areas` when the caller has read them already."""
    from youhu.directory.models import Area

    if areas is not None:
        return {a.name: (a.lon, a.lat) for a in areas
                if a.kind == Area.Kind.STREET and a.lon is not None and a.lat is not None}
    try:
        rows = Area.objects.filter(kind=Area.Kind.STREET, lon__isnull=False, lat__isnull=False)
        return {a.name: (a.lon, a.lat) for a in rows}
    except Exception:  # no database yet (e.g. before migrate): the defaults serve
        return {}


def street_centres(areas: list[Area] | None = None) -> dict[str, tuple[float, float]]:
    """Each street's office location by name: the directory's (read from `areas` when given), else the file's."""
    centres = default_centres()
    by_key = {normalise(name): name for name in centres}
    for name, point in _directory_centres(areas).items():
        centres[by_key.get(normalise(name), name)] = point
    return centres


@lru_cache(maxsize=8)
def voronoi_streets(centres: tuple[tuple[str, float, float], ...]) -> tuple[StreetShape, ...]:
    """One cell per centre, clipped to the district outline. Centres outside the outline are dropped."""
    outline = district_outline()
    inside = [(n, lon, lat) for n, lon, lat in centres if outline.contains(Point(lon, lat))]
    if not inside:
        return ()
    if len(inside) == 1:
        n, lon, lat = inside[0]
        return (StreetShape(n, outline, True, (lon, lat)),)
    points = MultiPoint([(lon, lat) for _, lon, lat in inside])
    cells = shapely.voronoi_polygons(points, extend_to=outline.envelope.buffer(0.05))
    shapes = []
    for name, lon, lat in inside:
        point = Point(lon, lat)
        cell = next(c for c in cells.geoms if c.contains(point) or c.touches(point))
        shapes.append(StreetShape(name, cell.intersection(outline), True, (lon, lat)))
    return tuple(shapes)


@lru_cache(maxsize=4)
def _load_real_streets(path: str) -> tuple[StreetShape, ...]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    shapes = []
    for feature in data.get("features", []):
        name = (feature.get("properties") or {}).get("name")
        if name and feature.get("geometry"):
            shapes.append(StreetShape(name, shape(feature["geometry"]), False, None))
    return tuple(shapes)


def street_geometries() -> tuple[StreetShape, ...]:
    real = settings.YOUHU.get("STREETS_GEOJSON") or ""
    if real:
        try:
            return _load_real_streets(real)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # A broken file must not take the map and location down: say so, use the approximate cells.
            log.error("YOUHU_STREETS_GEOJSON %s unusable (%s); using approximate street shapes", real, exc)
    centres = tuple(sorted((n, lon, lat) for n, (lon, lat) in street_centres().items()))
    return voronoi_streets(centres)


@lru_cache(maxsize=8)
def _prepared(shapes: tuple[StreetShape, ...]) -> tuple[tuple[str, BaseGeometry], ...]:
    for street in shapes:
        shapely.prepare(street.geometry)
    return tuple((s.name, s.geometry) for s in shapes)


def street_locator(shapes: tuple[StreetShape, ...] | None = None):
    """A function (lon, lat) → street name or None, for locating many points with the same shapes."""
    prepared = _prepared(street_geometries() if shapes is None else shapes)

    def street_of(lon: float, lat: float) -> str | None:
        point = Point(lon, lat)
        return next((name for name, geometry in prepared if geometry.covers(point)), None)

    return street_of


def street_at(lon: float, lat: float) -> str | None:
    """The street containing the point, or None outside every street (e.g. outside the district)."""
    return street_locator()(lon, lat)


def street_shapes() -> dict:
    """The street shapes as a GeoJSON FeatureCollection (for the dashboard's map)."""
    features = []
    for street in street_geometries():
        props = {"name": street.name, "approximate": street.approximate}
        if street.centre:
            props["centre"] = list(street.centre)
        features.append({"type": "Feature", "properties": props, "geometry": mapping(street.geometry)})
    approximate = any(s.approximate for s in street_geometries())
    return {
        "type": "FeatureCollection",
        "properties": {
            "approximate": approximate,
            "note": "街道边界为示意（以各街道办近似位置划分并裁剪到区界），非官方边界" if approximate else "",
        },
        "features": features,
    }
