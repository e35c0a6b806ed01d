"""Where an appeal is: from what intake already knew, from its coordinates, or from its text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from youhu.directory.models import Area
from youhu.tickets.models import Ticket

from . import gazetteer, geo
from .gazetteer import normalise


@dataclass(frozen=True)
class Location:
    street: Area | None
    community: Area | None
    unresolved: bool
    note: str  # how it was found, or why not


def all_areas() -> list[Area]:
    return list(Area.objects.select_related("parent"))


def _street_area(name: str, streets: list[Area]) -> Area | None:
    key = normalise(name)
    hits = [a for a in streets if normalise(a.name) == key]
    return hits[0] if len(hits) == 1 else None


def _community_area(name: str, street: Area, areas: list[Area]) -> Area | None:
    hits = [a for a in areas if a.kind == Area.Kind.COMMUNITY and a.parent_id == street.pk
            and normalise(a.name) == name]
    return hits[0] if len(hits) == 1 else None


@lru_cache(maxsize=4)
def _gazetteer(areas: tuple[tuple[str, str, str, str], ...]) -> gazetteer.Gazetteer:
    return gazetteer.build(list(areas))


def locate_text(text: str, areas: list[Area] | None = None) -> Location:
    areas = all_areas() if areas is None else areas
    # Cached by the directory's content: rebuilt only when an area or alias changes.
    table = _gazetteer(tuple((a.kind, a.name, a.aliases, a.parent.name if a.parent else "") for a in areas))
    guess = table.resolve(text)
    if not guess.resolved:
        return Location(None, None, True, guess.note)
    streets = [a for a in areas if a.kind == Area.Kind.STREET]
    street = _street_area(guess.street or "", streets)
    if street is None:
        return Location(None, None, True, f"识别为{guess.street}，但目录中没有该街道")
    community = _community_area(guess.community, street, areas) if guess.community else None
    return Location(street, community, False, f"据文本地名：{'、'.join(guess.matched)}")


def locate_point(lon: float, lat: float, areas: list[Area] | None = None) -> Location:
    areas = all_areas() if areas is None else areas
    name = geo.street_at(lon, lat)
    if name is None:
        return Location(None, None, True, "坐标不在本区街道范围内")
    street = _street_area(name, [a for a in areas if a.kind == Area.Kind.STREET])
    if street is None:
        return Location(None, None, True, f"坐标位于{name}，但目录中没有该街道")
    return Location(street, None, False, f"据坐标定位（{'示意边界' if not geo_is_real() else '街道边界'}）")


def geo_is_real() -> bool:
    return not any(s.approximate for s in geo.street_geometries())


def locate(ticket: Ticket, areas: list[Area] | None = None) -> Location:
    """Intake's own street stands; else coordinates; else the text. Disagreement → a person decides.

    `areas` (all of the directory's) may be passed in by a caller locating many tickets at once."""
    if ticket.street_id:
        return Location(ticket.street, ticket.community, False, "诉求人或坐席已指定街道")
    areas = all_areas() if areas is None else areas
    text = " ".join(p for p in (ticket.address, ticket.title, ticket.content) if p)
    by_text = locate_text(text, areas)
    if ticket.lon is None or ticket.lat is None:
        return by_text
    by_point = locate_point(ticket.lon, ticket.lat, areas)
    if by_point.unresolved:
        return by_point if by_text.unresolved else by_text
    if not by_text.unresolved and by_text.street != by_point.street:
        # Street shapes may be approximate: when coordinates and text disagree, do not pick one.
        return Location(None, None, True, f"坐标（{by_point.street}）与文本地名（{by_text.street}）不一致")
    community = by_text.community if not by_text.unresolved else None
    return Location(by_point.street, community, False, by_point.note)
