"""Places for a person choosing where an appeal is (the portal's map): names to search — the gazetteer's
streets, roads and landmarks and the directory's streets and communities — and the street and community at
a point of the map.

The map's street shapes are the dashboard's (`geo.street_shapes`), in GCJ-02 as Chinese web maps are;
a phone's location (WGS-84) is converted first (`from_wgs84`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import eviltransform

from youhu.directory.models import Area

from . import geo
from .gazetteer import load_data, normalise
from .location import all_areas, locate_point

QUERY_MAX = 32
KIND_LABELS = {"street": "街道", "community": "社区", "road": "道路", "landmark": "地标"}
_KIND_ORDER = {"street": 0, "community": 1, "landmark": 2, "road": 3}


@dataclass(frozen=True)
class Place:
    """A named place: the street (and community) it lies in when that is known, else the streets it spans."""

    name: str
    kind: str  # street | community | road | landmark
    street: Area | None
    community: Area | None
    streets: tuple[str, ...]  # the streets' names it may lie in (one when `street` is known)
    lon: float | None  # where the map centres on it: an office's approximate location, when one is known
    lat: float | None

    def as_dict(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "kind_label": KIND_LABELS[self.kind],
            "street": _area_dict(self.street), "community": _area_dict(self.community),
            "streets": list(self.streets), "lon": self.lon, "lat": self.lat,
        }


@dataclass(frozen=True)
class PointPlace:
    """What lies at a point: its street (None outside the district's streets) and the nearest community."""

    lon: float
    lat: float
    street: Area | None
    community: Area | None
    note: str

    def as_dict(self) -> dict:
        return {"lon": self.lon, "lat": self.lat, "street": _area_dict(self.street),
                "community": _area_dict(self.community), "note": self.note}


def _area_dict(area: Area | None) -> dict | None:
    return {"id": area.pk, "name": area.name} if area is not None else None


def from_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """A browser's location (WGS-84) on the map's datum (GCJ-02); outside China both agree."""
    gcj_lat, gcj_lon = eviltransform.wgs2gcj(lat, lon)
    return gcj_lon, gcj_lat


# ---------------------------------------------------------------- the street and community at a point


def _nearest_community(street: Area, lon: float, lat: float, areas: list[Area]) -> Area | None:
    """The street's community whose office is nearest the point (communities have no outlines): a guess the
    resident sees in words and may correct."""
    placed = [a for a in areas if a.kind == Area.Kind.COMMUNITY and a.parent_id == street.pk
              and a.lon is not None and a.lat is not None]
    if not placed:
        return None
    scale = math.cos(math.radians(lat))  # a degree of longitude is shorter than one of latitude
    return min(placed, key=lambda a: ((a.lon - lon) * scale) ** 2 + (a.lat - lat) ** 2)


def place_at(lon: float, lat: float, *, areas: list[Area] | None = None) -> PointPlace:
    areas = all_areas() if areas is None else areas
    found = locate_point(lon, lat, areas)
    if found.street is None:
        return PointPlace(lon, lat, None, None, found.note)
    return PointPlace(lon, lat, found.street, _nearest_community(found.street, lon, lat, areas), found.note)


# ---------------------------------------------------------------- names


@dataclass(frozen=True)
class _Named:
    name: str
    aliases: tuple[str, ...]
    kind: str
    streets: tuple[str, ...]  # normalised street names
    community: Area | None = None


def _named(areas: list[Area]) -> Iterator[_Named]:
    """Every searchable name once: the directory's areas win over the file's entries of the same name."""
    data = load_data()
    seen: set[tuple[str, str]] = set()
    for area in areas:
        aliases = tuple(a.strip() for a in area.aliases.replace("，", ",").split(",") if a.strip())
        if area.kind == Area.Kind.STREET:
            seen.add(("street", normalise(area.name)))
            yield _Named(area.name, aliases, "street", (normalise(area.name),))
        elif area.parent is not None:
            seen.add(("community", normalise(area.name)))
            yield _Named(area.name, aliases, "community", (normalise(area.parent.name),), area)
    for street in data["streets"]:
        if ("street", normalise(street["name"])) not in seen:
            yield _Named(street["name"], tuple(street.get("aliases", [])), "street", (normalise(street["name"]),))
    for key in ("landmarks", "roads"):
        for item in data.get(key, []):
            streets = tuple(sorted(normalise(s) for s in item.get("streets", [])))
            yield _Named(item["name"], tuple(item.get("aliases", [])), key[:-1], streets)


def _rank(named: _Named, query: str) -> int | None:
    """0 an exact name, 1 a name starting with the query, 2 one containing it; None no match."""
    names = (named.name, normalise(named.name), *named.aliases)
    if query in names:
        return 0
    if any(n.startswith(query) for n in names):
        return 1
    if any(query in n for n in names):
        return 2
    return None


def search_places(query: str, *, limit: int = 10, areas: list[Area] | None = None) -> list[Place]:
    """Places whose name (or another name of it) contains the query, best matches first."""
    query = query.strip()[:QUERY_MAX]
    if not query:
        return []
    areas = all_areas() if areas is None else areas
    hits = [(rank, named) for named in _named(areas) if (rank := _rank(named, query)) is not None]
    hits.sort(key=lambda hit: (hit[0], _KIND_ORDER[hit[1].kind], len(hit[1].name)))
    street_areas = {normalise(a.name): a for a in areas if a.kind == Area.Kind.STREET}
    centres = {normalise(name): point for name, point in geo.street_centres(areas).items()}
    street_names = {normalise(s["name"]): s["name"] for s in load_data()["streets"]}
    street_names.update((key, area.name) for key, area in street_areas.items())
    places = []
    for _, named in hits[:limit]:
        street = street_areas.get(named.streets[0]) if len(named.streets) == 1 else None
        community = named.community
        if community is not None and community.lon is not None and community.lat is not None:
            point: tuple[float, float] | None = (community.lon, community.lat)
        else:
            point = centres.get(named.streets[0]) if len(named.streets) == 1 else None
        names = tuple(street_names.get(s, s) for s in named.streets)
        places.append(Place(named.name, named.kind, street, community, names,
                            point[0] if point else None, point[1] if point else None))
    return places
