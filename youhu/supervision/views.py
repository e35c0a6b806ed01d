"""The supervisor's pages (督查督办). Thin: read through metrics/ranking/selectors, act through services."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from youhu import clock, spreadsheet
from youhu.directory.models import Area, Unit
from youhu.taxonomy.models import Category
from youhu.tickets.errors import TicketError
from youhu.tickets.models import Extension, Status
from youhu.tickets.policy import has_districts
from youhu.tickets.search import count_upto
from youhu.tickets.selectors import level_tickets, visible_tickets

from . import selectors, services
from .metrics import COUNT_LABELS, RATE_DEFS, Period, format_rate, month_period, scorecard
from .ranking import district_ranking, monthly_ranking
from .reply_quality import latest_checks
from .reports import monthly_workbook, ticket_rows
from .rollup import REFRESH_MINUTES

SUPERVISORS = ("supervisor", "admin")
VIEWERS = ("supervisor", "admin", "unit_head")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roles_required(*roles: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied("无权访问督查督办")
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def _month(request: HttpRequest) -> tuple[Period | None, str]:
    """The month asked for (default: this month); a bad or future month becomes a message."""
    text = request.GET.get("month") or f"{timezone.localdate(clock.now()):%Y-%m}"
    try:
        return month_period(text), text
    except TicketError as exc:
        messages.error(request, str(exc))
        return None, text


def _pick(request: HttpRequest, model, name: str):
    value = request.GET.get(name, "")
    # isdecimal, not isdigit: "²" is a digit int() refuses; 18 digits stay within a database integer.
    return model.objects.filter(pk=int(value)).first() if value.isdecimal() and len(value) <= 18 else None


@roles_required(*VIEWERS)
def home(request: HttpRequest) -> HttpResponse:
    period, month = _month(request)
    unit, category, street = _pick(request, Unit, "unit"), _pick(request, Category, "category"), \
        _pick(request, Area, "street")
    if not request.user.has_role(*SUPERVISORS):  # a unit head sees its own unit (and those below it)
        own = request.user.unit
        if own is None:
            raise PermissionDenied("单位负责人未关联单位")
        unit = unit if unit is not None and unit.pk in own.subtree_ids() else own
    district = request.user.district  # a district sees its own
    card = scorecard(period, unit=unit, category=category, street=street, district=district) if period else None
    rows = []
    if card is not None:
        rows = [(label, card.counts.get(key, 0)) for key, label in COUNT_LABELS.items()]
        rows += [(label, format_rate(card.rate(key))) for key, (label, _n, _d) in RATE_DEFS.items()]
        days = card.avg_handling_days
        rows.append(("平均办理时长（工作日）", "—" if days is None else f"{days:.2f}"))
    return render(request, "supervision/home.html", {
        "month": month, "period": period, "rows": rows, "unit": unit, "category": category, "street": street,
        "units": selectors.in_district(Unit.objects.exclude(kind=Unit.Kind.CENTRE).filter(active=True),
                                       request.user.district_id).order_by("name"),
        "categories": Category.objects.filter(level=1).order_by("path"),
        "streets": selectors.in_district(Area.objects.filter(kind=Area.Kind.STREET),
                                         request.user.district_id).order_by("name"),
        "is_supervisor": request.user.has_role(*SUPERVISORS),
        "refreshed_at": card.refreshed_at if card else None, "refresh_minutes": REFRESH_MINUTES,
        "tiles": _work_tiles(request.user.district_id),
    })


@roles_required(*VIEWERS)
def ranking(request: HttpRequest) -> HttpResponse:
    period, month = _month(request)
    table = districts = None
    district = request.user.district
    if period is not None:
        try:
            table = monthly_ranking(period, district=district)  # a district ranks its own units
            if district is None and has_districts():  # the city ranks its districts too
                districts = district_ranking(period)
        except TicketError as exc:
            messages.error(request, str(exc))
    return render(request, "supervision/ranking.html", {
        "month": month, "period": period, "ranking": table, "districts": districts, "district": district,
        "refreshed_at": table.refreshed_at if table else None, "refresh_minutes": REFRESH_MINUTES})


@roles_required(*VIEWERS)
def report(request: HttpRequest) -> HttpResponse:
    period, month = _month(request)
    if period is None:
        return redirect(f"{reverse('supervision:ranking')}?month={month}")
    try:
        # a district's staff get their district's workbook; the city's the whole city's, districts ranked
        workbook = monthly_workbook(period, district=request.user.district)
    except TicketError as exc:
        messages.error(request, str(exc))
        return redirect("supervision:ranking")
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="youhu-report-{month}.xlsx"'
    workbook.save(response)
    return response


def _work_tiles(district_id: int | None) -> list[tuple[str, str, int, bool]]:
    """The home page's links to the supervisor's lists, with counts capped like the work queues' tiles: a
    district's overdue work is 100 k tickets at 5 M, 240 ms to count exactly on every visit."""
    lists = (("supervision:overdue", "超期未办结", selectors.overdue_tickets),
             ("supervision:extensions", "待审批延期", selectors.pending_extensions),
             ("supervision:replies", "暂缓公开的答复", selectors.withheld_replies))
    return [(name, label, *count_upto(tickets(district_id=district_id))) for name, label, tickets in lists]


@roles_required(*SUPERVISORS)
def overdue(request: HttpRequest) -> HttpResponse:
    unit = _pick(request, Unit, "unit")
    district_id = request.user.district_id
    tickets = selectors.overdue_tickets(district_id=district_id, unit=unit)[:300]
    return render(request, "supervision/overdue.html", {
        "by_unit": selectors.overdue_by_unit(district_id=district_id), "unit": unit, "tickets": tickets,
        "now": clock.now()})


@roles_required(*SUPERVISORS)
def extensions(request: HttpRequest) -> HttpResponse:
    pending = selectors.pending_extensions(district_id=request.user.district_id)
    return render(request, "supervision/extensions.html", {"extensions": pending[:200]})


@roles_required(*SUPERVISORS)
def replies(request: HttpRequest) -> HttpResponse:
    held = list(selectors.withheld_replies(district_id=request.user.district_id)[:200])
    recent = list(selectors.awaiting_review(district_id=request.user.district_id)[:50])
    checks = latest_checks([t.pk for t in held + recent])
    return render(request, "supervision/replies.html", {
        "held": [(t, checks.get(t.pk)) for t in held], "recent": [(t, checks.get(t.pk)) for t in recent]})


def _act(request: HttpRequest, action: Callable[[], object], done: str, back: str) -> HttpResponse:
    try:
        action()
        messages.success(request, done)
    except TicketError as exc:
        messages.error(request, str(exc))
    return redirect(back)


@require_POST
@roles_required(*SUPERVISORS)
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(level_tickets(request.user), pk=pk)
    kind = request.POST.get("kind", "")
    label = services.ESCALATION_LABELS.get(kind, "督办")
    return _act(request, lambda: services.escalate(ticket, kind=kind, by=request.user,
                                                   message=request.POST.get("message", "")),
                f"已对工单 {ticket.number} 发出{label}", "supervision:overdue")


@require_POST
@roles_required(*SUPERVISORS)
def decide_extension(request: HttpRequest, pk: int) -> HttpResponse:
    extension = get_object_or_404(Extension, pk=pk, ticket__in=level_tickets(request.user))
    approve = request.POST.get("decision") == "approve"
    return _act(request, lambda: services.decide(extension, by=request.user, approve=approve,
                                                 reason=request.POST.get("reason", "")),
                f"已{'批准' if approve else '驳回'}工单 {extension.ticket.number} 的延期申请", "supervision:extensions")


@require_POST
@roles_required(*SUPERVISORS)
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(level_tickets(request.user), pk=pk, status=Status.REPLIED)
    return _act(request, lambda: services.send_back(ticket, by=request.user, reason=request.POST.get("reason", "")),
                f"工单 {ticket.number} 已退回重办", "supervision:replies")


@require_POST
@roles_required(*SUPERVISORS)
def release(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(level_tickets(request.user), pk=pk)
    return _act(request, lambda: services.release(ticket, by=request.user, reason=request.POST.get("reason", "")),
                f"工单 {ticket.number} 的答复已放行", "supervision:replies")


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """CSV of the tickets this user can see (filters: status, month), only the columns the role may see."""
    tickets = visible_tickets(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        tickets = tickets.filter(status=status)
    if request.GET.get("month"):
        try:
            period = month_period(request.GET["month"])
        except TicketError as exc:
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        tickets = tickets.filter(created_at__gte=period.start, created_at__lt=period.end)
    writer = spreadsheet.writer(_Echo())
    lines = itertools.chain(["\ufeff"],  # the BOM lets Excel read the UTF-8 Chinese headers
                            (writer.writerow(row) for row in ticket_rows(request.user, tickets.order_by("-created_at"))))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="youhu-tickets.csv"'
    return response
