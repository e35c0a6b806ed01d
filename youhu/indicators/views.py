"""Staff pages: ranking, an entity's trace (radar, trend, change), Excel export, the units' form, overdue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from youhu import clock
from youhu.tickets.errors import TicketError

from . import charts, periods, scoring, selectors, services
from .exports import workbook
from .forms import figures_form
from .models import Entity, Indicator, Period, Source, TreeVersion, Value
from .tree import current

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _viewer(request: HttpRequest) -> None:
    if not services.can_view(request.user):
        raise PermissionDenied("无权查看评价指数")


def _choice(request: HttpRequest) -> tuple[Period | None, str]:
    """The period asked for (default: the latest with values) and the weighting."""
    method = request.GET.get("weights") or scoring.GIVEN
    if method not in scoring.METHODS:
        method = scoring.GIVEN
    code = request.GET.get("period")
    if code:
        try:
            return periods.find(code), method
        except TicketError as exc:
            messages.error(request, exc.message)
    return Period.objects.filter(values__isnull=False).order_by("-start").first(), method


def _query(period: Period, method: str) -> str:
    return f"?period={period.code}&weights={method}"


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    period, method = _choice(request)
    context: dict[str, Any] = {"periods": Period.objects.order_by("-start"), "period": period, "method": method,
                               "methods": scoring.METHOD_LABELS, "version": current()}
    if period is not None:
        try:
            result, run = selectors.result_for(period, method)
        except TicketError as exc:
            messages.error(request, exc.message)
        else:
            context.update(result=result, run=run, rows=selectors.ranked(result), query=_query(period, method),
                           method_used=scoring.METHOD_LABELS[result["method_used"]],
                           can_score=request.user.has_role(*services.SCORE_ROLES))
    return render(request, "indicators/ranking.html", context)


@login_required
@require_POST
def score(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    method = request.POST.get("weights", scoring.GIVEN)
    try:
        period = periods.find(request.POST.get("period", ""))
        run = services.run_score(period, method=method, by=request.user)
    except TicketError as exc:
        messages.error(request, exc.message)
        return redirect("indicators:ranking")
    messages.success(request, f"已计算并保存{period.label}评价指数（指标体系第 {run.version.number} 版）")
    return redirect(reverse("indicators:ranking") + _query(period, method))


@login_required
def entity(request: HttpRequest, pk: int) -> HttpResponse:
    _viewer(request)
    target = get_object_or_404(Entity, pk=pk)
    period, method = _choice(request)
    context: dict[str, Any] = {"entity": target, "period": period, "method": method,
                               "periods": Period.objects.order_by("-start"), "methods": scoring.METHOD_LABELS}
    if period is not None:
        result, run = selectors.result_for(period, method)
        mine = selectors.entry(result, target.pk)
        before = periods.previous(period)
        context.update(result=result, run=run, mine=mine, trace=selectors.trace(result, target.pk),
                       query=_query(period, method), previous=before,
                       method_used=scoring.METHOD_LABELS[result["method_used"]],
                       change=selectors.change(result, selectors.result_for(before, method)[0] if before else None, target.pk))
        if mine is not None:
            names = [d["name"] for d in result["dimensions"]]
            context["figures"] = {
                "radar": charts.radar(names, target.name, mine["dimensions"], selectors.medians(result)),
                "trend": charts.trend(selectors.trend(target, method)),
            }
    return render(request, "indicators/entity.html", context)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    period, method = _choice(request)
    if period is None:
        return redirect("indicators:ranking")
    result, _run = selectors.result_for(period, method)
    response = HttpResponse(workbook(result, period.label), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="youhu-index-{period.code}-{method}.xlsx"'
    return response


@login_required
def fill(request: HttpRequest) -> HttpResponse:
    """The unit's figures for the entities it is responsible for, period by period."""
    user = request.user
    entities = Entity.objects.filter(active=True, unit__isnull=False)
    if not user.has_role("admin"):
        entities = entities.filter(unit_id=user.unit_id) if user.unit_id else entities.none()
    period, _method = _choice(request)
    period = period or Period.objects.order_by("-start").first()
    indicators = list(Indicator.objects.filter(dimension__version=current(), source=Source.UNIT))
    if request.method == "POST" and period is not None:
        target = get_object_or_404(entities, pk=request.POST.get("entity"))
        try:
            n = services.fill(user, target, period, {i.code: request.POST.get(i.code, "") for i in indicators})
        except TicketError as exc:
            messages.error(request, f"{target.name}：{exc.message}")
        else:
            messages.success(request, f"已保存{target.name}的 {n} 项数据")
            return redirect(reverse("indicators:fill") + f"?period={period.code}")
    have: dict[int, dict[str, float]] = {}
    if period is not None:
        for e_id, code, value in Value.objects.filter(period=period, entity__in=entities,
                                                      indicator_code__in=[i.code for i in indicators]) \
                .values_list("entity_id", "indicator_code", "value"):
            have.setdefault(e_id, {})[code] = value
    today = timezone.localdate(clock.now())
    return render(request, "indicators/fill.html", {
        "period": period, "periods": Period.objects.order_by("-start"),
        "late": period is not None and period.deadline is not None and today > period.deadline,
        "forms": [(e, figures_form(indicators, initial=have.get(e.pk, {})), len(have.get(e.pk, {})))
                  for e in entities],
        "total": len(indicators)})


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    period, _method = _choice(request)
    rows = selectors.missing_unit_figures(period, today=timezone.localdate(clock.now())) if period else []
    return render(request, "indicators/overdue.html", {"period": period, "rows": rows,
                                                       "periods": Period.objects.order_by("-start")})


@login_required
def tree_page(request: HttpRequest) -> HttpResponse:
    """The tree in force (or the version asked for), and every version with the runs computed on it."""
    _viewer(request)
    versions = TreeVersion.objects.order_by("-number").annotate(n_runs=Count("runs"))
    number = request.GET.get("version")
    shown = next((v for v in versions if str(v.number) == number), None) or versions.first()
    dimensions = shown.dimensions.prefetch_related("indicators").order_by("order") if shown else []
    return render(request, "indicators/tree.html", {"versions": versions, "shown": shown,
                                                    "dimensions": dimensions})
