"""A period's index from the stored values: the matrix built, scored (`scoring`), and packed as the
JSON a score run keeps (every raw and normalised figure and weight, so that a page can trace it)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from youhu.tickets.errors import InvalidInput

from . import scoring
from .models import Entity, Indicator, Period, TreeVersion, Value
from .tree import current


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 6)


def indicators_of(version: TreeVersion) -> list[Indicator]:
    return list(Indicator.objects.filter(dimension__version=version).select_related("dimension")
                .order_by("dimension__order", "order"))


def compute(period: Period, *, method: str = scoring.GIVEN, version: TreeVersion | None = None) -> dict[str, Any]:
    if method not in scoring.METHODS:
        raise InvalidInput(f"权重方法应为 given 或 entropy，收到“{method}” / weights must be given or entropy",
                           field="weights")
    version = version or current()
    if version is None:
        raise InvalidInput("尚未建立指标体系 / no indicator tree yet", field="tree")
    indicators = indicators_of(version)
    dims = list(version.dimensions.order_by("order"))
    dim_pos = {d.pk: k for k, d in enumerate(dims)}
    col = {i.code: j for j, i in enumerate(indicators)}
    rows = list(Value.objects.filter(period=period, indicator_code__in=list(col), entity__active=True)
                .values_list("entity_id", "indicator_code", "value"))
    entity_ids = sorted({r[0] for r in rows})
    entities = {e.pk: e for e in Entity.objects.filter(pk__in=entity_ids)}
    row = {pk: k for k, pk in enumerate(entity_ids)}
    matrix = np.full((len(entity_ids), len(indicators)), np.nan)
    for entity_id, code, value in rows:
        matrix[row[entity_id], col[code]] = value
    weights = np.array([i.dimension.weight * i.weight for i in indicators])
    result = scoring.score(matrix, higher_is_better=np.array([i.higher_is_better for i in indicators]),
                           weights=weights, dimension=np.array([dim_pos[i.dimension_id] for i in indicators]),
                           n_dimensions=len(dims), method=method)
    if not entity_ids:
        result.notes.append("本期尚无任何指标数据。")
    return {
        "version": version.number, "period": period.code, "method": method, "method_used": result.method,
        "notes": result.notes,
        "dimensions": [{"code": d.code, "name": d.name, "weight": d.weight} for d in dims],
        "indicators": [{"code": i.code, "name": i.name, "unit": i.unit_of_measure, "direction": i.direction,
                        "source": i.source, "dimension": dim_pos[i.dimension_id], "given_weight": _num(w),
                        "weight": _num(u)} for i, w, u in zip(indicators, weights, result.weights, strict=True)],
        "entities": [{
            "id": pk, "code": entities[pk].code, "name": entities[pk].name, "kind": entities[pk].kind,
            "index": _num(result.index[k]), "rank": int(result.rank[k]), "counted": int(result.counted[k]),
            "dimensions": [_num(x) for x in result.dimensions[k]],
            "raw": [_num(x) for x in matrix[k]], "normalised": [_num(x) for x in result.normalised[k]],
        } for k, pk in enumerate(entity_ids)],
    }
