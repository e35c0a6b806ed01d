"""The district outline (the map data in youhu/dispatch/data) and the street points, to keep demo points honest."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep

from youhu.dispatch import geo as dispatch_geo

from . import district as d

JITTER_DEGREES = 0.002  # about 200 m: a ticket lies near its community's centre


def district_shape() -> BaseGeometry:
    return dispatch_geo.district_shape(d.DISTRICT_ADCODE)


def nearest_street(lon: float, lat: float) -> d.Street:
    """The street whose office point is nearest: the street a point falls in when street shapes are
    approximated by the cells around these points."""
    return min(d.STREETS, key=lambda s: math.hypot(s.lon - lon, s.lat - lat))


@dataclass
class DistrictOutline:
    prepared: PreparedGeometry

    @classmethod
    def load(cls) -> DistrictOutline:
        return cls(prep(district_shape()))

    def contains(self, lon: float, lat: float) -> bool:
        return self.prepared.contains(Point(lon, lat))

    def near(self, lon: float, lat: float, rng: random.Random) -> tuple[float, float]:
        """A point close to (lon, lat), inside the district and in the same street; else the point itself."""
        street = nearest_street(lon, lat)
        for _ in range(8):
            x = round(lon + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES), 6)
            y = round(lat + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES), 6)
            if self.contains(x, y) and nearest_street(x, y) is street:
                return x, y
        return lon, lat
