from __future__ import annotations

from pathlib import Path

import plotly
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from youhu import clock
from youhu.directory.models import Area, District
from youhu.tickets.models import OPEN_STATUSES
from youhu.tickets.selectors import visible_tickets

from .figures import VIEW_ROLES, BadDistrict, surge_rule_text, viewer_district
from .selectors import overdue_q

# Plotly's own bundle, shipped inside the PyPI package: the dashboard works without internet.
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _viewer(request: HttpRequest) -> int | None:
    """Checks the viewer may open the dashboard; returns the district whose figures they see (docs/levels.md)."""
    if not request.user.has_role(*VIEW_ROLES):
        raise PermissionDenied("无权查看指挥大屏")
    requested = request.GET.get("district", "")
    try:
        return viewer_district(request.user, int(requested) if requested.isdigit() else None)
    except BadDistrict:
        raise Http404("没有这个区") from None


def _scope_context(request: HttpRequest, district_id: int | None) -> dict:
    """What the page needs to ask the API for the right district, and the city's staff a district selector."""
    own = request.user.district_id is not None
    # The page names the district it shows; the whole city's keeps the deployment's own title.
    scope_name = District.objects.filter(pk=district_id).values_list("name", flat=True).first() if district_id else ""
    return {"surge_rule": surge_rule_text(), "district_id": district_id, "scope_name": scope_name,
            "districts": [] if own else District.objects.filter(active=True).order_by("code")}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    district_id = _viewer(request)
    # The map is drawn by script and clicked with a mouse; the same streets as plain links serve keyboards.
    streets = (Area.objects.filter(kind=Area.Kind.STREET, **_district_filter(district_id))
               .order_by("code").only("pk", "name"))
    return render(request, "dashboard/home.html", {**_scope_context(request, district_id), "streets": streets})


def _district_filter(district_id: int | None) -> dict:
    return {} if district_id is None else {"district_id": district_id}


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    district_id = _viewer(request)
    return render(request, "dashboard/screen.html", _scope_context(request, district_id))


@login_required
def street(request: HttpRequest, pk: int) -> HttpResponse:
    district_id = _viewer(request)
    # A district's staff find no other district's street (404, as for its tickets).
    area = get_object_or_404(Area, pk=pk, kind=Area.Kind.STREET, **_district_filter(district_id))
    now = clock.now()
    tickets = visible_tickets(request.user).filter(street=area)
    context = {
        "street": area,
        "open_tickets": tickets.filter(status__in=OPEN_STATUSES)
        .select_related("main_unit", "category").order_by("reply_due")[:100],
        "overdue_count": tickets.filter(overdue_q(now)).count(),
        "total": tickets.count(),
    }
    return render(request, "dashboard/street.html", context)


@require_GET
@cache_control(max_age=86400, public=True)
def plotly_js(request: HttpRequest) -> FileResponse:
    return FileResponse(PLOTLY_JS.open("rb"), content_type="application/javascript")
