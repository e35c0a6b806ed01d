"""/open/: the district's open data, no login (figures in services.py)."""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from youhu import spreadsheet
from youhu.dispatch.geo import street_shapes  # read-only: the same offline map as the dashboard
from youhu.supervision.metrics import format_rate
from youhu.tickets.errors import InvalidInput

from .services import RATE_LABELS, csv_rows, open_figures


def _figures_or_error(request: HttpRequest):
    try:
        return open_figures(request.GET.get("month") or None), ""
    except InvalidInput as exc:
        return open_figures(None), exc.message


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    figures, error = _figures_or_error(request)
    rates = [(RATE_LABELS[key], format_rate(value)) for key, value in figures.district_rates.items()]
    units = [(unit, [format_rate(v) for v in unit.rates.values()]) for unit in figures.units]
    unranked = [(unit, [format_rate(v) for v in unit.rates.values()]) for unit in figures.unranked]
    chart = {"streets": [{"name": t.name, "count": t.count} for t in figures.streets],
             "categories": [{"name": t.name, "count": t.count} for t in figures.categories],
             "trend": [{"month": t.name, "count": t.count} for t in figures.trend]}
    context = {"figures": figures, "rates": rates, "rate_labels": list(RATE_LABELS.values()), "units": units,
               "unranked": unranked, "chart": chart, "error": error}
    return render(request, "opendata/home.html", context, status=400 if error else 200)


@require_GET
def figures_csv(request: HttpRequest) -> HttpResponse:
    try:
        figures = open_figures(request.GET.get("month") or None)
    except InvalidInput as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    out = io.StringIO()
    out.write("\ufeff")  # the BOM lets Excel read the UTF-8 Chinese headers
    spreadsheet.writer(out).writerows(csv_rows(figures))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="youhu-open-{figures.month}.csv"'
    return response


@require_GET
@cache_control(max_age=3600, public=True)
def streets(request: HttpRequest) -> JsonResponse:
    """The street outlines the dashboard draws (GeoJSON), for the page's map."""
    return JsonResponse(street_shapes(), json_dumps_params={"ensure_ascii": False})


