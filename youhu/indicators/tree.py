"""The indicator tree: its written form (a list of dimensions, each with its indicators), its checks, and
publishing a new version. A published version is never edited: a change is a new version."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from youhu import clock, db
from youhu.directory.models import Role, User
from youhu.tickets.errors import InvalidInput, NotAllowed

from .models import Dimension, Direction, Indicator, PeriodKind, Source, TreeVersion

EDIT_ROLES = (Role.ADMIN,)
WEIGHT_TOLERANCE = 1e-6


def _sum_problem(weights: Iterable[float], level: str) -> str | None:
    total = math.fsum(weights)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        return f"{level}的权重合计为 {total:.6g}，应为 1 / weights at {level} sum to {total:.6g}, not 1"
    return None


def _weight(raw: Any, where: str, problems: list[str]) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        problems.append(f"{where}的权重“{raw}”不是数字 / weight is not a number")
        return 0.0
    if not 0 <= value <= 1 or math.isnan(value):
        problems.append(f"{where}的权重 {raw} 应在 0 到 1 之间 / weight must be within 0..1")
    return value


def check(spec: list[dict[str, Any]]) -> list[str]:
    """Every problem of a tree written as a list of dimensions, each one named precisely."""
    problems: list[str] = []
    if not spec:
        return ["指标体系没有任何维度 / the tree has no dimension"]
    codes: dict[str, str] = {}
    dim_weights = []
    for d in spec:
        dname = f"维度“{d.get('name') or d.get('code')}”"
        dim_weights.append(_weight(d.get("weight"), dname, problems))
        indicators = d.get("indicators") or []
        if not indicators:
            problems.append(f"{dname}下没有指标 / dimension has no indicator")
            continue
        weights = []
        for i in indicators:
            where = f"{dname}的指标“{i.get('name') or i.get('code')}”"
            weights.append(_weight(i.get("weight"), where, problems))
            code = str(i.get("code") or "")
            if not code:
                problems.append(f"{where}缺少代码 / indicator has no code")
            elif code in codes:
                problems.append(f"指标代码“{code}”重复 / duplicate indicator code")
            codes[code] = i.get("unit", "")
            if not i.get("unit"):
                problems.append(f"{where}缺少计量单位 / indicator has no unit of measure")
            if i.get("direction", Direction.HIGHER) not in Direction.values:
                problems.append(f"{where}的方向应为 higher 或 lower / direction must be higher or lower")
            if i.get("source") not in Source.values:
                problems.append(f"{where}的数据来源应为 {'/'.join(Source.values)} / unknown data source")
            if i.get("period", PeriodKind.YEAR) not in PeriodKind.values:
                problems.append(f"{where}的统计周期应为 year 或 quarter / period kind must be year or quarter")
        if problem := _sum_problem(weights, f"{dname}下各指标"):
            problems.append(problem)
    if problem := _sum_problem(dim_weights, "维度层"):
        problems.insert(0, problem)
    problems += _unit_changes(codes)
    return problems


def _unit_changes(units: dict[str, str]) -> list[str]:
    """Values are kept by indicator code across versions: a code may not change its unit of measure."""
    known = dict(Indicator.objects.filter(code__in=list(units)).order_by("dimension__version__number")
                 .values_list("code", "unit_of_measure"))
    return [f"指标“{code}”的计量单位原为“{known[code]}”，不能改为“{unit}”（请使用新代码） / "
            f"unit of measure of {code} cannot change" for code, unit in units.items()
            if code in known and unit and known[code] != unit]


def publish(spec: list[dict[str, Any]], *, by: User | None, note: str = "", now: datetime | None = None
            ) -> TreeVersion:
    """A new version of the tree, in force from now. `by` None is the system (the demo, a command)."""
    if by is not None and not by.has_role(*EDIT_ROLES):
        raise NotAllowed("只有管理员可以修改指标体系 / only an administrator may change the indicator tree")
    if problems := check(spec):
        raise InvalidInput("；".join(problems), field="tree")
    with db.writing():
        last = TreeVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0
        version = TreeVersion.objects.create(number=last + 1, note=note, created_at=now or clock.now(), created_by=by)
        for d_order, d in enumerate(spec):
            dim = Dimension.objects.create(version=version, code=d["code"], name=d["name"],
                                           weight=float(d["weight"]), order=d_order)
            Indicator.objects.bulk_create([Indicator(
                dimension=dim, code=i["code"], name=i["name"], unit_of_measure=i["unit"],
                direction=i.get("direction", Direction.HIGHER), weight=float(i["weight"]), source=i["source"],
                period_kind=i.get("period", PeriodKind.YEAR), auto_key=i.get("auto", ""), order=i_order,
            ) for i_order, i in enumerate(d["indicators"])])
    return version


def current() -> TreeVersion | None:
    return TreeVersion.objects.order_by("-number").first()


def as_spec(version: TreeVersion) -> list[dict[str, Any]]:
    """The version in its written form (to edit it into the next version)."""
    return [{"code": d.code, "name": d.name, "weight": d.weight, "indicators": [
        {"code": i.code, "name": i.name, "unit": i.unit_of_measure, "direction": i.direction, "weight": i.weight,
         "source": i.source, "period": i.period_kind, **({"auto": i.auto_key} if i.auto_key else {})}
        for i in d.indicators.all()]} for d in version.dimensions.prefetch_related("indicators")]
