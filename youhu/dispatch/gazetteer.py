"""Place names of the district (streets, roads, landmarks, villages and communities) and how to find
the street an appeal's text speaks of.

Every name maps to the set of streets it may lie in. A road crossing several streets says little on
its own; together with a landmark or a community the sets are intersected. Only a single remaining
street counts as resolved: anything ambiguous or unknown is left for a person, never guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
GAZETTEER_FILE = DATA_DIR / "haizhu_gazetteer.json"
_SUFFIXES = ("街道办事处", "街道", "社区居委会", "社区", "居委会", "街")


def normalise(name: str) -> str:
    """'琶洲街道' → '琶洲'; used to match gazetteer names with the directory's Area names."""
    name = name.strip()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str  # street | road | landmark | community | other_district
    streets: frozenset[str]  # normalised street names it may lie in; empty = not in any street of ours
    community: str = ""  # normalised community name, for kind == community


@dataclass
class PlaceGuess:
    street: str | None = None  # normalised street name when exactly one street fits
    community: str | None = None
    matched: list[str] = field(default_factory=list)  # the names found in the text
    candidates: list[str] = field(default_factory=list)  # streets still possible when ambiguous
    note: str = ""

    @property
    def resolved(self) -> bool:
        return self.street is not None


class Gazetteer:
    def __init__(self, entries: list[Entry]):
        self._by_key: dict[str, list[Entry]] = {}
        for entry in entries:
            self._add(entry.name, entry)
        self.street_names = sorted({s for e in entries for s in e.streets if e.kind == "street"})
        self._pattern = self._compile()

    def _add(self, key: str, entry: Entry) -> None:
        if len(key) >= 2:
            self._by_key.setdefault(key, []).append(entry)

    def _compile(self) -> re.Pattern[str] | None:
        if not self._by_key:
            return None
        # Longest names first: at each position the regex engine takes the first alternative that
        # matches, so '南洲路' wins over '南洲' and '新港中路' over '新港'.
        keys = sorted(self._by_key, key=len, reverse=True)
        return re.compile("|".join(re.escape(k) for k in keys))

    def find(self, text: str) -> list[tuple[str, list[Entry]]]:
        if not text or self._pattern is None:
            return []
        return [(m.group(0), self._by_key[m.group(0)]) for m in self._pattern.finditer(text)]

    def resolve(self, text: str) -> PlaceGuess:
        found = self.find(text)
        guess = PlaceGuess(matched=list(dict.fromkeys(name for name, _ in found)))
        if not found:
            guess.note = "文本中未找到本区地名"
            return guess
        sets: list[frozenset[str]] = []
        communities: dict[str, str] = {}
        foreign = False
        for _name, entries in found:
            streets = frozenset().union(*(e.streets for e in entries))
            if any(e.kind == "other_district" for e in entries):
                foreign = True
            if streets:
                sets.append(streets)
            if any(e.kind == "street" for e in entries):
                continue  # '赤岗' names the street, even if a community is also called so
            for e in entries:
                if e.kind == "community" and len(e.streets) == 1:
                    communities[e.community] = next(iter(e.streets))
        if not sets:
            guess.note = "地点不在本区" if foreign else "地名无法对应到街道"
            return guess
        remaining = frozenset.intersection(*sets)
        if len(remaining) == 1:
            guess.street = next(iter(remaining))
            in_street = [c for c, s in communities.items() if s == guess.street]
            if len(in_street) == 1:
                guess.community = in_street[0]
            return guess
        if not remaining:
            guess.candidates = sorted(frozenset().union(*sets))
            guess.note = "文本中的地名指向不同街道"
        else:
            guess.candidates = sorted(remaining)
            guess.note = f"地名跨越多个街道：{'、'.join(guess.candidates)}"
        return guess


def _names(item: dict) -> list[str]:
    return [item["name"], *item.get("aliases", [])]


@lru_cache(maxsize=1)
def load_data(path: str = str(GAZETTEER_FILE)) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def file_entries(data: dict | None = None) -> list[Entry]:
    """The entries of the data file shipped with the app."""
    data = data or load_data()
    entries: list[Entry] = []
    for street in data["streets"]:
        key = frozenset({normalise(street["name"])})
        entries += [Entry(n, "street", key) for n in _names(street)]
    for kind in ("roads", "landmarks"):
        for item in data.get(kind, []):
            streets = frozenset(normalise(s) for s in item.get("streets", []))
            entries += [Entry(n, kind[:-1], streets) for n in _names(item)]
    for item in data.get("communities", []):
        street = frozenset({normalise(item["street"])})
        entries += [Entry(n, "community", street, normalise(item["name"])) for n in _names(item)]
    entries += [Entry(n, "other_district", frozenset()) for n in data.get("other_districts", [])]
    return entries


def area_entries(areas: list[tuple[str, str, str, str]]) -> list[Entry]:
    """Entries for the directory's areas: (kind, name, aliases, parent name) each."""
    entries: list[Entry] = []
    for kind, name, aliases, parent in areas:
        names = {name, normalise(name), *(a.strip() for a in aliases.replace("，", ",").split(",") if a.strip())}
        if kind == "street":
            entries += [Entry(n, "street", frozenset({normalise(name)})) for n in names]
        elif parent:
            entries += [Entry(n, "community", frozenset({normalise(parent)}), normalise(name)) for n in names]
    return entries


def build(areas: list[tuple[str, str, str, str]] = ()) -> Gazetteer:
    return Gazetteer(file_entries() + area_entries(list(areas)))
