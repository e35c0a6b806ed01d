from __future__ import annotations

from pathlib import Path

import plotly
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from youhu import clock
from youhu.directory.models import Area
from youhu.tickets.models import OPEN_STATUSES
from youhu.tickets.selectors import visible_tickets

from .figures import VIEW_ROLES, surge_rule_text
from .selectors import overdue_q

# Plotly's own bundle, shipped inside the PyPI package: the dashboard works without internet.
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _viewer(request: HttpRequest) -> None:
    if not request.user.has_role(*VIEW_ROLES):
        raise PermissionDenied("无权查看指挥大屏")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    # The map is drawn by script and clicked with a mouse; the same streets as plain links serve keyboards.
    streets = Area.objects.filter(kind=Area.Kind.STREET).order_by("code").only("pk", "name")
    return render(request, "dashboard/home.html", {"surge_rule": surge_rule_text(), "streets": streets})


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    return render(request, "dashboard/screen.html", {"surge_rule": surge_rule_text()})


@login_required
def street(request: HttpRequest, pk: int) -> HttpResponse:
    _viewer(request)
    area = get_object_or_404(Area, pk=pk, kind=Area.Kind.STREET)
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
