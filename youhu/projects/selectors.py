"""Reads: who sees which project, projects with their computed lights, the board's figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from youhu.directory.models import User
from youhu.tickets.models import OPEN_STATUSES
from youhu.workdays import calendar

from . import lights
from .models import Investment, Kind, Node, Problem, Project, Stage
from .policy import visible_projects


@dataclass
class Filters:
    leader: int | None = None
    unit: int | None = None
    stage: str = ""
    kind: str = ""
    light: str = ""


def filtered(user: User, filters: Filters) -> QuerySet[Project]:
    qs = visible_projects(user)
    if filters.leader:
        qs = qs.filter(leader_id=filters.leader)
    if filters.unit:
        qs = qs.filter(Q(lead_unit_id=filters.unit) | Q(co_units=filters.unit)).distinct()
    if filters.stage in Stage.values:
        qs = qs.filter(stage=filters.stage)
    if filters.kind in Kind.values:
        qs = qs.filter(kind=filters.kind)
    return qs


@dataclass
class ProjectRow:
    """A project with its lights, computed now from its nodes."""

    project: Project
    light: str
    nodes: list[tuple[Node, lights.NodeLight]]
    year_planned: Decimal = Decimal(0)
    year_completed: Decimal = Decimal(0)
    open_problems: int = 0

    @property
    def light_label(self) -> str:
        return lights.LABELS[self.light]

    @property
    def red_nodes(self) -> list[tuple[Node, lights.NodeLight]]:
        return [(n, nl) for n, nl in self.nodes if nl.light == lights.RED]

    @property
    def completion_rate(self) -> float | None:
        return float(self.year_completed / self.year_planned) if self.year_planned else None


def rows(projects: QuerySet[Project], now: datetime, *, light: str = "") -> list[ProjectRow]:
    year = timezone.localdate(now).year
    projects = projects.prefetch_related(
        Prefetch("nodes", queryset=Node.objects.select_related("owner_unit")),
        Prefetch("investments", queryset=Investment.objects.filter(year=year), to_attr="this_year"),
        "co_units",
    )
    open_counts: dict[int, int] = defaultdict(int)
    for pid in Problem.objects.filter(project__in=projects, ticket__status__in=OPEN_STATUSES).values_list(
            "project_id", flat=True):
        open_counts[pid] += 1
    warn = lights.warn_working_days()
    result = []
    for project in projects:
        nodes = [(n, lights.node_light(n, now, warn_days=warn)) for n in project.nodes.all()]
        row = ProjectRow(project, lights.worst(nl.light for _, nl in nodes), nodes,
                         open_problems=open_counts[project.pk])
        if project.this_year:
            row.year_planned, row.year_completed = project.this_year[0].planned, project.this_year[0].completed
        if not light or row.light == light:
            result.append(row)
    return result


@dataclass
class Tally:
    count: int = 0
    investment: Decimal = Decimal(0)
    by_light: dict[str, int] = field(default_factory=lambda: {lights.GREEN: 0, lights.YELLOW: 0, lights.RED: 0})


def tallies(project_rows: list[ProjectRow]) -> dict[str, list[dict]]:
    """Counts and planned investment by stage, type and lead unit, with lights."""
    groups: dict[str, dict[str, Tally]] = {"stage": {}, "kind": {}, "unit": {}}
    for row in project_rows:
        p = row.project
        for group, key in (("stage", p.get_stage_display()), ("kind", p.get_kind_display()),
                           ("unit", p.lead_unit.name)):
            tally = groups[group].setdefault(key, Tally())
            tally.count += 1
            tally.investment += p.total_investment
            tally.by_light[row.light] += 1
    order = {"stage": list(Stage.labels), "kind": list(Kind.labels)}
    out = {}
    for group, found in groups.items():
        keys = order.get(group) or sorted(found, key=lambda k: -found[k].count)
        out[group] = [{"label": k, "count": found[k].count, "investment": float(found[k].investment),
                       **found[k].by_light} for k in keys if k in found]
    return out


def red_list(project_rows: list[ProjectRow]) -> list[ProjectRow]:
    """Red projects for the leaders' weekly meeting, most overdue first."""
    red = [r for r in project_rows if r.light == lights.RED]
    return sorted(red, key=lambda r: min(nl.working_days_left for _, nl in r.red_nodes))


BOARD_OPEN_NODES = 2  # the board's Gantt shows each project's current and next node; its page shows all


def board_json(project_rows: list[ProjectRow]) -> dict:
    """What the board's script draws: points on the map and the Gantt bars of the open nodes."""
    points, bars = [], []
    for row in project_rows:
        p = row.project
        lon, lat = (p.lon, p.lat) if p.lon is not None else (
            (p.street.lon, p.street.lat) if p.street and p.street.lon is not None else (None, None))
        if lon is not None:
            points.append({"code": p.code, "name": p.name, "lon": lon, "lat": lat, "light": row.light,
                           "stage": p.get_stage_display(), "unit": p.lead_unit.name})
        open_nodes = [(n, nl) for n, nl in row.nodes if not n.done][:BOARD_OPEN_NODES]
        bars.extend(gantt_bars(row, open_nodes))
    return {"points": points, "bars": bars}


def gantt_bars(row: ProjectRow, nodes: list[tuple[Node, lights.NodeLight]] | None = None, *,
               with_project: bool = True) -> list[dict]:
    """Planned and actual spans of each node (a node not yet done runs to today on the chart)."""
    out = []
    for node, nl in row.nodes if nodes is None else nodes:
        label = f"{row.project.name} · {node.name}" if with_project else node.name
        start = node.planned_start or node.planned_end
        out.append({"label": label, "kind": "planned", "start": start.isoformat(),
                    "end": node.planned_end.isoformat(), "light": nl.light, "reason": nl.reason})
        if node.actual_start:
            out.append({"label": label, "kind": "actual", "start": node.actual_start.isoformat(),
                        "end": node.actual_end.isoformat() if node.actual_end else None, "light": nl.light,
                        "reason": nl.reason})
    return out


def open_problems(project: Project, now: datetime) -> list[dict]:
    """The project's problems not yet closed, oldest first, with how long each has been open."""
    problems = (Problem.objects.filter(project=project, ticket__status__in=OPEN_STATUSES)
                .select_related("ticket", "ticket__main_unit").order_by("created_at"))
    return [{"problem": p, "ticket": p.ticket, "days_open": (now - p.created_at).days,
             "working_days_open": calendar.working_days_between(p.created_at, now)} for p in problems]
