"""JSON API of the key projects (session login): lists with lights, one project, the board, and the
writes a unit makes (monthly report, problem). Thin: services decide; their errors come back as
{code, message, field} through the API's shared handlers."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from youhu import clock
from youhu.directory.models import Unit
from youhu.tickets.errors import InvalidInput

from . import policy, selectors, services
from .models import ProblemKind, Project
from .report import parse_month

router = Router(auth=django_auth, tags=["projects"])


def _viewer(request: HttpRequest) -> None:
    if not request.user.has_role(*policy.VIEW_ROLES):
        raise HttpError(403, "无权查看重点项目 / not allowed")


def _project(request: HttpRequest, code: str) -> Project:
    _viewer(request)
    project = policy.visible_projects(request.user).filter(code=code).first()
    if project is None:
        raise HttpError(404, "没有这个项目，或您无权查看 / no such project")
    return project


def _row_dict(row: selectors.ProjectRow) -> dict:
    p = row.project
    return {"code": p.code, "name": p.name, "kind": p.kind, "stage": p.stage, "light": row.light,
            "lead_unit": p.lead_unit.name, "leader": str(p.leader) if p.leader else None,
            "total_investment": float(p.total_investment), "year_planned": float(row.year_planned),
            "year_completed": float(row.year_completed), "open_problems": row.open_problems,
            "nodes": [{"id": n.pk, "name": n.name, "planned_end": n.planned_end, "actual_end": n.actual_end,
                       "owner_unit": n.owner_unit.name, "light": nl.light, "reason": nl.reason} for n, nl in row.nodes]}


@router.get("/")
def list_projects(request: HttpRequest, leader: int | None = None, unit: int | None = None, stage: str = "",
                  kind: str = "", light: str = "") -> list[dict]:
    """The projects the caller may see, with computed lights; filters as on the board."""
    _viewer(request)
    filters = selectors.Filters(leader=leader, unit=unit, stage=stage, kind=kind, light=light)
    return [_row_dict(r) for r in selectors.rows(selectors.filtered(request.user, filters), clock.now(),
                                                 light=light)]


@router.get("/board")
def board(request: HttpRequest) -> dict:
    """Map points, Gantt bars, tallies by stage/type/unit and the red list's codes."""
    _viewer(request)
    rows = selectors.rows(policy.visible_projects(request.user), clock.now())
    return {**selectors.board_json(rows), "tallies": selectors.tallies(rows),
            "red_list": [r.project.code for r in selectors.red_list(rows)]}


@router.get("/streets")
def streets(request: HttpRequest) -> dict:
    """The dashboard's street outlines (GeoJSON), for the board's map."""
    from youhu.dispatch.geo import street_shapes  # read-only: the same offline map as the dashboard

    _viewer(request)
    return street_shapes()


@router.get("/{code}")
def project_detail(request: HttpRequest, code: str) -> dict:
    project = _project(request, code)
    now = clock.now()
    row = selectors.rows(Project.objects.filter(pk=project.pk), now)[0]
    problems = [{"ticket": p["ticket"].number, "title": p["ticket"].title, "status": p["ticket"].status,
                 "unit": str(p["ticket"].main_unit or ""), "days_open": p["days_open"]}
                for p in selectors.open_problems(project, now)]
    return {**_row_dict(row), "open_problem_list": problems}


class ReportIn(Schema):
    month: str  # YYYY-MM
    text: str
    investment_completed: Decimal


@router.post("/{code}/reports", response={201: dict})
def submit_report(request: HttpRequest, code: str, body: ReportIn):
    project = _project(request, code)
    try:
        month = parse_month(body.month)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="month") from exc
    report = services.submit_report(project, by=request.user, month=month, text=body.text,
                                    investment_completed=body.investment_completed)
    return Status(201, {"month": f"{report.month:%Y-%m}", "investment_completed": float(report.investment_completed)})


class ProblemIn(Schema):
    kind: str = ProblemKind.OTHER
    title: str
    content: str
    unit: int


@router.post("/{code}/problems", response={201: dict})
def raise_problem(request: HttpRequest, code: str, body: ProblemIn):
    project = _project(request, code)
    unit = Unit.objects.filter(pk=body.unit, active=True).first()
    problem = services.raise_problem(project, services.ProblemData(kind=body.kind, title=body.title,
                                                                   content=body.content, unit=unit), by=request.user)
    return Status(201, {"ticket": problem.ticket.number, "unit": str(problem.ticket.main_unit)})
