"""Writing values and score runs. Every write is one section (`db.writing()`): nothing half-written."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from youhu import clock, db
from youhu.directory.models import Role, User
from youhu.tickets.errors import InvalidInput, NotAllowed
from youhu.tickets.models import Notification
from youhu.tickets.services import notify

from . import scoring
from .compute import compute
from .models import Entity, Indicator, Period, ScoreRun, Value
from .selectors import missing_unit_figures
from .tree import current

VIEW_ROLES = (Role.SUPERVISOR, Role.ADMIN)  # rankings: supervisors and the zone's leaders (admin)
SCORE_ROLES = (Role.ADMIN, Role.SUPERVISOR)
FILL_ROLES = (Role.HANDLER, Role.UNIT_HEAD)  # of the entity's unit


@dataclass(frozen=True)
class Figure:
    entity: Entity
    period: Period
    code: str
    value: float


def can_view(user: User) -> bool:
    return user.has_role(*VIEW_ROLES)


def can_fill(user: User, entity: Entity) -> bool:
    return user.has_role(Role.ADMIN) or (
        user.has_role(*FILL_ROLES) and entity.unit_id is not None and user.unit_id == entity.unit_id)


def parse_number(raw: Any, *, where: str = "") -> float:
    """A figure as a float; text in a number cell is refused, never read as 0."""
    if isinstance(raw, bool):
        raise InvalidInput(f"{where}“{raw}”不是数字 / not a number", field="value")
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
        try:
            value = float(text)
        except ValueError:
            raise InvalidInput(f"{where}“{raw}”不是数字 / “{raw}” is not a number", field="value") from None
    if not math.isfinite(value):
        raise InvalidInput(f"{where}“{raw}”不是有限的数字 / not a finite number", field="value")
    return value


def store(figures: list[Figure], *, source: str, by: User | None, now: datetime | None = None) -> int:
    """Insert or replace the figures, all in one section."""
    now = now or clock.now()
    rows = [Value(entity=f.entity, period=f.period, indicator_code=f.code, value=f.value, source=source,
                  entered_by=by, entered_at=now) for f in figures]
    with db.writing():
        Value.objects.bulk_create(rows, update_conflicts=True,
                                  unique_fields=["entity", "period", "indicator_code"],
                                  update_fields=["value", "source", "entered_by", "entered_at"])
    return len(rows)


def fill(user: User, entity: Entity, period: Period, raw: dict[str, Any], *, now: datetime | None = None
         ) -> int:
    """A unit's form: the figures of the unit-reported indicators for its entity. Blank cells are left
    as they were; one bad cell refuses the whole form (InvalidInput naming the indicator)."""
    if not can_fill(user, entity):
        raise NotAllowed("只有该评价对象的填报单位可以填报 / only the entity's unit may fill its figures")
    version = current()
    allowed = {i.code: i for i in Indicator.objects.filter(dimension__version=version, source="unit")}
    figures = []
    for code, cell in raw.items():
        if code not in allowed:
            raise InvalidInput(f"“{code}”不是单位填报的指标 / not a unit-reported indicator", field=code)
        if cell in (None, ""):
            continue
        try:
            figures.append(Figure(entity, period, code, parse_number(cell, where=f"{allowed[code].name}：")))
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field=code) from None
    return store(figures, source="form", by=user, now=now)


def run_score(period: Period, *, method: str = scoring.GIVEN, by: User | None,
              now: datetime | None = None) -> ScoreRun:
    """Score the period on the tree in force and keep the run (with the tree version it used)."""
    if by is not None and not by.has_role(*SCORE_ROLES):
        raise NotAllowed("无权计算评价指数 / not allowed to score")
    result = compute(period, method=method)
    version = current()
    with db.writing():
        return ScoreRun.objects.create(version=version, period=period, method=method,
                                       method_used=result["method_used"], result=result,
                                       created_at=now or clock.now(), created_by=by)


OVERDUE_KIND = "indicator_overdue"


def remind_overdue(period: Period, *, now: datetime | None = None) -> int:
    """One inbox message (催报) to each unit with unit-reported figures still missing after the period's
    deadline, at most one a day per unit and period; the number of units reminded."""
    now = now or clock.now()
    today = timezone.localdate(now)
    by_unit: dict[Any, list[str]] = {}
    for row in missing_unit_figures(period, today=today):
        by_unit.setdefault(row["unit"], []).append(f"{row['entity'].name}·{row['indicator'].name}")
    tag = f"【{period.label}评价指标】"
    already = set(Notification.objects.filter(kind=OVERDUE_KIND, message__startswith=tag,
                                              created_at__date=today).values_list("unit_id", flat=True))
    with db.writing():
        for unit, missing in by_unit.items():
            if unit.pk in already:
                continue
            shown = "、".join(missing[:10]) + (f" 等 {len(missing)} 项" if len(missing) > 10 else "")
            notify(ticket=None, kind=OVERDUE_KIND, units=[unit], now=now,
                   message=f"{tag}填报已于 {period.deadline:%Y-%m-%d} 截止，尚未填报：{shown}。请尽快在“指标填报”页补报。")
    return sum(1 for unit in by_unit if unit.pk not in already)
