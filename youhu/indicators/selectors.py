"""Reading score runs for the pages: ranking, trace, radar against the median, trend, change."""

from __future__ import annotations

import statistics
from datetime import date
from typing import Any

from youhu.directory.models import Unit

from .compute import compute
from .models import Entity, Indicator, Period, ScoreRun, Source, Value
from .tree import current


def latest_run(period: Period, method: str | None = None) -> ScoreRun | None:
    runs = ScoreRun.objects.filter(period=period)
    if method:
        runs = runs.filter(method=method)
    return runs.order_by("-created_at", "-pk").first()


def result_for(period: Period, method: str) -> tuple[dict[str, Any], ScoreRun | None]:
    """The period's latest kept run for that weighting, or (none kept yet) the index computed now."""
    run = latest_run(period, method)
    return (run.result, run) if run else (compute(period, method=method), None)


def ranked(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The entities best first; those without an index last."""
    return sorted(result["entities"], key=lambda e: (e["rank"] == 0, e["rank"] or 0, e["name"]))


def entry(result: dict[str, Any], entity_id: int) -> dict[str, Any] | None:
    return next((e for e in result["entities"] if e["id"] == entity_id), None)


def trace(result: dict[str, Any], entity_id: int) -> list[dict[str, Any]]:
    """Each indicator of one entity: raw value, normalised value, weight, and its share of the index
    (weight × normalised / the sum of the weights of the indicators it has)."""
    e = entry(result, entity_id)
    if e is None:
        return []
    present = sum(i["weight"] for i, x in zip(result["indicators"], e["normalised"], strict=True) if x is not None)
    rows = []
    for i, raw, x in zip(result["indicators"], e["raw"], e["normalised"], strict=True):
        contribution = i["weight"] * x / present if x is not None and present else None
        rows.append({**i, "dimension_name": result["dimensions"][i["dimension"]]["name"], "raw": raw,
                     "normalised": x, "product": None if x is None else i["weight"] * x,
                     "rescaled_weight": i["weight"] / present if x is not None and present else None,
                     "contribution": contribution})
    return rows


def medians(result: dict[str, Any]) -> list[float | None]:
    """Per dimension, the median sub-score over the entities that have one."""
    columns = zip(*(e["dimensions"] for e in result["entities"]), strict=True) if result["entities"] else []
    return [statistics.median(v) if (v := [x for x in col if x is not None]) else None for col in columns]


def trend(entity: Entity, method: str) -> list[dict[str, Any]]:
    """The entity's index and rank in the latest run of each period, oldest first."""
    points = []
    for period in Period.objects.order_by("start"):
        run = latest_run(period, method)
        if run and (e := entry(run.result, entity.pk)) and e["index"] is not None:
            points.append({"period": period.code, "label": period.label, "index": e["index"], "rank": e["rank"],
                           "of": sum(1 for x in run.result["entities"] if x["rank"])})
    return points


def change(now: dict[str, Any], before: dict[str, Any] | None, entity_id: int, *, top: int = 3
           ) -> dict[str, Any] | None:
    """The change of index from the previous period, and the indicators whose contribution moved most."""
    if before is None or (then := entry(before, entity_id)) is None or then["index"] is None:
        return None
    current_entry = entry(now, entity_id)
    if current_entry is None or current_entry["index"] is None:
        return None
    was = {t["code"]: t for t in trace(before, entity_id)}
    moves = []
    for t in trace(now, entity_id):
        old = was.get(t["code"])
        if t["contribution"] is None or old is None or old["contribution"] is None:
            continue
        moves.append({"code": t["code"], "name": t["name"], "delta": t["contribution"] - old["contribution"],
                      "raw": t["raw"], "raw_before": old["raw"], "unit": t["unit"]})
    moves.sort(key=lambda m: -abs(m["delta"]))
    return {"delta": current_entry["index"] - then["index"], "rank_before": then["rank"],
            "rank": current_entry["rank"], "moves": moves[:top]}


def missing_unit_figures(period: Period, *, today: date | None = None, unit: Unit | None = None
                         ) -> list[dict[str, Any]]:
    """The unit-reported figures of the period not filled (after the deadline when `today` is given:
    an empty list before it), per entity and its responsible unit."""
    if today is not None and (period.deadline is None or today <= period.deadline):
        return []
    indicators = list(Indicator.objects.filter(dimension__version=current(), source=Source.UNIT))
    entities = Entity.objects.filter(active=True, unit__isnull=False).select_related("unit")
    if unit is not None:
        entities = entities.filter(unit=unit)
    have = set(Value.objects.filter(period=period, indicator_code__in=[i.code for i in indicators])
               .values_list("entity_id", "indicator_code"))
    return [{"entity": e, "unit": e.unit, "indicator": i} for e in entities for i in indicators
            if (e.pk, i.code) not in have]
