"""The board (挂图作战) and the project pages: thin, services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from youhu import clock
from youhu.directory.models import Unit, User
from youhu.tickets.errors import TicketError

from . import policy, selectors, services
from .forms import CompleteForm, FilterForm, ProblemForm, ReportForm
from .models import Evidence, Node, Project, ReportPhoto


def _require_viewer(request: HttpRequest) -> None:
    if not request.user.has_role(*policy.VIEW_ROLES):
        raise PermissionDenied("重点项目仅对项目办、挂点领导、责任单位和首席服务官开放")


def _project_for(request: HttpRequest, code: str) -> Project:
    _require_viewer(request)
    project = policy.visible_projects(request.user).filter(code=code).first()
    if project is None:
        raise Http404("没有这个项目，或您无权查看")
    return project


def board_context(user: User, params) -> dict:
    now = clock.now()
    visible = policy.visible_projects(user)
    leaders = User.objects.filter(pk__in=visible.values("leader_id")).order_by("username")
    units = Unit.objects.filter(pk__in=visible.values("lead_unit_id")).order_by("name")
    form = FilterForm(params or None, leaders=leaders, units=units)
    filters = selectors.Filters(**form.cleaned_data) if form.is_valid() else selectors.Filters()
    rows = selectors.rows(selectors.filtered(user, filters), now, light=filters.light)
    return {"now": now, "form": form, "rows": rows, "tallies": selectors.tallies(rows),
            "red_list": selectors.red_list(rows), "board": selectors.board_json(rows),
            "counts": {light: sum(1 for r in rows if r.light == light) for light in ("green", "yellow", "red")}}


@login_required
def board(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    return render(request, "projects/board.html", board_context(request.user, request.GET))


@login_required
def red_list(request: HttpRequest) -> HttpResponse:
    """The printable red list for the leaders' weekly meeting."""
    _require_viewer(request)
    return render(request, "projects/red_list.html", board_context(request.user, request.GET))


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    project = _project_for(request, code)
    now, user = clock.now(), request.user
    row = selectors.rows(Project.objects.filter(pk=project.pk), now)[0]
    context = {
        "now": now, "project": project, "row": row, "board": {"points": [], "bars": selectors.gantt_bars(row, with_project=False)},
        "problems": selectors.open_problems(project, now),
        "all_problems": project.problems.select_related("ticket", "ticket__main_unit"),
        "reports": project.reports.select_related("reported_by").prefetch_related("photos")[:12],
        "events": project.events.select_related("node").order_by("-at", "-id")[:50],
        "investments": project.investments.all(),
        "can_report": policy.reports_for(user, project),
        # one completion form per open node the user may report, each with its own field ids
        "nodes": [(n, nl, CompleteForm(prefix=f"n{n.pk}") if not n.done and policy.completes(user, n) else None)
                  for n, nl in row.nodes],
        "report_form": ReportForm(), "problem_form": ProblemForm(),
    }
    return render(request, "projects/detail.html", context)


def _done(request: HttpRequest, project: Project, form, action) -> HttpResponse:
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect("projects:detail", code=project.code)
    try:
        text = action(form.cleaned_data)
    except TicketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, text)
    return redirect("projects:detail", code=project.code)


@login_required
@require_POST
def complete(request: HttpRequest, code: str, node_id: int) -> HttpResponse:
    project = _project_for(request, code)
    node = get_object_or_404(Node, pk=node_id, project=project)

    def act(data):
        services.complete_node(node, by=request.user, on=data["actual_end"], files=data["evidence"])
        return f"节点“{node.name}”已填报完成"
    return _done(request, project, CompleteForm(request.POST, request.FILES, prefix=f"n{node.pk}"), act)


@login_required
@require_POST
def report(request: HttpRequest, code: str) -> HttpResponse:
    project = _project_for(request, code)

    def act(data):
        services.submit_report(project, by=request.user, month=data["month"], text=data["text"],
                               investment_completed=data["investment_completed"], photos=data["photos"])
        return f"{data['month']:%Y 年 %m 月}进展已填报"
    return _done(request, project, ReportForm(request.POST, request.FILES), act)


@login_required
@require_POST
def problem(request: HttpRequest, code: str) -> HttpResponse:
    project = _project_for(request, code)

    def act(data):
        raised = services.raise_problem(project, services.ProblemData(**data), by=request.user)
        return f"问题已派单 {raised.ticket.number} 至 {data['unit']}"
    return _done(request, project, ProblemForm(request.POST), act)



@login_required
def evidence(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """A node's evidence file, to those who see the project (media is not served publicly)."""
    item = get_object_or_404(Evidence, pk=pk, node__project=_project_for(request, code))
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


@login_required
def photo(request: HttpRequest, code: str, pk: int) -> FileResponse:
    item = get_object_or_404(ReportPhoto, pk=pk, report__project=_project_for(request, code))
    return FileResponse(item.file.open("rb"))
