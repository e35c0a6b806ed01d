"""Status lights (红黄绿灯), computed from the nodes and the working-day calendar, never typed in.

green: on track (or done). yellow: the deadline is within N working days (settings), or the node
should have started by its planned start and has not. red: past the deadline and not done.
A project's light is its worst node's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.utils import timezone

from youhu.workdays import calendar

from .models import Node

GREEN, YELLOW, RED = "green", "yellow", "red"
ORDER = {GREEN: 0, YELLOW: 1, RED: 2}
LABELS = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}


def warn_working_days() -> int:
    return int(settings.YOUHU_PROJECTS["WARN_WORKING_DAYS"])


def deadline_of(day: date) -> datetime:
    """A node is due by the close of office hours on its planned end day."""
    closing = time.fromisoformat(settings.YOUHU["OFFICE_HOURS"][-1][1])
    return datetime.combine(day, closing, tzinfo=calendar.local_tz())


@dataclass(frozen=True)
class NodeLight:
    light: str
    reason: str
    working_days_left: int  # negative: working days overdue

    @property
    def label(self) -> str:
        return LABELS[self.light]


def node_light(node: Node, now: datetime, *, warn_days: int | None = None) -> NodeLight:
    warn = warn_working_days() if warn_days is None else warn_days
    if node.actual_end is not None:
        late = node.actual_end > node.planned_end
        return NodeLight(GREEN, "已完成（逾期完成）" if late else "已完成", 0)
    due = deadline_of(node.planned_end)
    if now > due:
        overdue = calendar.working_days_between(due, now)  # 0: past closing time on the day itself
        return NodeLight(RED, f"已超期 {overdue} 个工作日" if overdue else "今日到期未完成", -overdue)
    left = calendar.working_days_between(now, due)
    if left <= warn:
        return NodeLight(YELLOW, f"距计划完成还有 {left} 个工作日", left)
    today = timezone.localdate(now, calendar.local_tz())
    if node.planned_start is not None and node.actual_start is None and today > node.planned_start:
        return NodeLight(YELLOW, "滞后于计划：应已开始尚未开始", left)
    return NodeLight(GREEN, "按计划推进", left)


def worst(lights: Iterable[str]) -> str:
    return max(lights, key=ORDER.__getitem__, default=GREEN)


def project_light(nodes: Iterable[Node], now: datetime, *, warn_days: int | None = None) -> str:
    return worst(node_light(n, now, warn_days=warn_days).light for n in nodes)
