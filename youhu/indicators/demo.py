"""Demo extension: the zone's parks and five peer zones over the last three years, with plausible figures
(invented, shaped like the zones' published reports), the tree's first version and score runs of both
weightings. Idempotent: a second load leaves the tree, entities, values and runs as they are."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
from django.utils import timezone

from youhu import db
from youhu.directory.models import Area, Unit
from youhu.enterprise.models import Building

from . import periods, scoring, services, tree
from .defaults import DEFAULT_TREE
from .models import Entity, ScoreRun

SEED = 17
OFFICE = "琶洲试验区管委会"
# code, name, kind, the Building it is (enterprise demo), or the street it covers
ENTITIES = [
    ("PZ01", "琶洲互联网创新集聚区", Entity.Kind.PARK, None, "琶洲"),
    ("PZ02", "会展数字产业园", Entity.Kind.PARK, "琶洲会展数字产业园", None),
    ("PZ03", "南岸人工智能园", Entity.Kind.PARK, "琶洲南岸人工智能园", None),
    ("PZ04", "琶洲西区数字经济总部区", Entity.Kind.PARK, None, None),
    ("PZ05", "琶洲东区数字创意港", Entity.Kind.PARK, None, None),
    ("PEER01", "北京中关村科学城", Entity.Kind.PEER, None, None),
    ("PEER02", "深圳南山科技园", Entity.Kind.PEER, None, None),
    ("PEER03", "杭州未来科技城", Entity.Kind.PEER, None, None),
    ("PEER04", "上海张江科学城", Entity.Kind.PEER, None, None),
    ("PEER05", "广州黄埔科学城", Entity.Kind.PEER, None, None),
]
CODES = ["revenue", "revenue_growth", "companies", "above_scale", "rd_intensity", "patents", "specialized",
         "gigabit", "base_5g", "compute", "response_rate", "satisfaction_rate", "demand_resolution",
         "approval_days"]
# The latest year's figures, in CODES order (亿元, %, 家, 家, %, 件, 家, %, 个/km², PFlops, %, %, %, 工作日).
LATEST = {
    "PZ01": [1850, 12.5, 2600, 310, 4.2, 1650, 48, 98, 42, 180, 96.5, 93.2, 88, 9],
    "PZ02": [420, 18.0, 640, 85, 3.1, 320, 15, 95, 35, 40, 95.1, 91.8, 85, 10],
    "PZ03": [260, 26.0, 380, 42, 6.8, 540, 22, 96, 38, 320, 94.0, 92.5, 82, 11],
    "PZ04": [980, 9.5, 420, 120, 3.6, 760, 19, 99, 45, 60, 97.2, 94.0, 90, 8],
    "PZ05": [150, 21.0, 510, 30, 2.9, 120, 8, 92, 28, 15, 93.5, 90.1, 80, 12],
    "PEER01": [5200, 10.2, 9800, 1400, 7.5, 12000, 260, 99, 55, 900, 95.8, 92.0, 86, 10],
    "PEER02": [4600, 11.8, 8200, 1250, 6.9, 9800, 230, 99, 60, 650, 96.0, 93.0, 89, 9],
    "PEER03": [1900, 15.5, 3600, 420, 5.2, 2600, 95, 97, 40, 300, 95.5, 93.5, 87, 8],
    "PEER04": [3800, 9.0, 6100, 900, 8.1, 7300, 180, 98, 50, 700, 94.8, 91.5, 84, 11],
    "PEER05": [2400, 13.0, 4100, 600, 5.8, 4200, 140, 97, 44, 400, 95.2, 92.8, 88, 9],
}
# The latest year's figure a unit has not filled: the overdue list and the "computed on 13" rule show it.
NOT_FILLED = ("PZ03", "compute")


def _entities() -> dict[str, Entity]:
    office = Unit.objects.filter(name=OFFICE).first()
    out = {}
    for code, name, kind, building, street in ENTITIES:
        zone = kind != Entity.Kind.PEER
        out[code], _ = Entity.objects.get_or_create(code=code, defaults={
            "name": name, "kind": kind, "unit": office if zone else None,
            "building": Building.objects.filter(name=building).first() if building else None,
            "area": Area.objects.filter(kind=Area.Kind.STREET, name__startswith=street).first() if street else None,
        })
    return out


def _year_figures(latest: list[float], back: int, rng: np.random.Generator) -> list[float]:
    """`back` years before the latest: stocks shrink by the growth rate, rates wander, approvals were slower."""
    x = np.array(latest, dtype=float)
    growth = x[1] / 100
    shrink = (1 + growth + rng.normal(0, 0.02)) ** back
    stocks = [0, 2, 3, 5, 6, 9]
    x[stocks] = x[stocks] / np.where(np.arange(len(stocks)) == 0, shrink, (1.08 + rng.normal(0, 0.02)) ** back)
    x[1] = max(1.0, x[1] + rng.normal(0, 3) * back)
    x[[4, 7, 8]] -= back * np.array([0.3, 2.0, 6.0]) * rng.uniform(0.6, 1.2, 3)
    x[[10, 11, 12]] = np.clip(x[[10, 11, 12]] - back * rng.uniform(0.3, 1.5, 3), 0, 100)
    x[13] += back * rng.choice([0, 1, 1, 2])
    digits = [1, 1, 0, 0, 2, 0, 0, 1, 1, 0, 1, 1, 1, 0]
    return [round(float(v), d) if d else float(round(v)) for v, d in zip(x, digits, strict=True)]


def load(now: datetime) -> None:
    if tree.current() is None:
        tree.publish(DEFAULT_TREE, by=None, note="琶洲试验区数字经济评价指标体系（演示）", now=now)
    entities = _entities()
    latest_year = timezone.localdate(now).year - 1
    rng = np.random.default_rng(SEED)
    with db.writing():
        for back in (2, 1, 0):
            year = latest_year - back
            period = periods.get_or_create(str(year), deadline=date(year + 1, 3, 31))
            if period.values.exists():  # loaded before: what units have filled since stays
                continue
            figures = [services.Figure(entities[code], period, indicator, value)
                       for code, latest in LATEST.items()
                       for indicator, value in zip(CODES, _year_figures(latest, back, rng), strict=True)
                       if not (back == 0 and (code, indicator) == NOT_FILLED)]
            services.store(figures, source="demo", by=None, now=now)
            for method in scoring.METHODS:
                if not ScoreRun.objects.filter(period=period, method=method).exists():
                    services.run_score(period, method=method, by=None, now=now)
