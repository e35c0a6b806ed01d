"""The dispatcher's queue (/dispatch/): suggestions, one-click dispatch, merge, place correction."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from youhu.directory.models import Area, Role, Unit
from youhu.taxonomy.models import Category
from youhu.tickets import services as tickets
from youhu.tickets.errors import InvalidInput, TicketError
from youhu.tickets.models import Status, Ticket
from youhu.tickets.selectors import merge_target

from . import selectors, services

PAGE_SIZE = 20


def _require_dispatcher(request: HttpRequest) -> None:
    if not request.user.has_role(Role.DISPATCHER, Role.ADMIN):
        raise PermissionDenied("只有派单员可以使用派单队列")


def _back(request: HttpRequest, ticket: Ticket | None = None) -> HttpResponse:
    page = request.POST.get("page") or ""
    url = reverse("dispatch:queue") + (f"?page={page}" if page.isdigit() else "")
    return redirect(url + (f"#t-{ticket.number}" if ticket else ""))


def _pick(model, value: str | None, field: str, label: str, **filters):
    if not value:
        raise InvalidInput(f"请选择{label}", field=field)
    try:
        return model.objects.get(pk=int(value), **filters)
    except (ValueError, model.DoesNotExist) as exc:
        raise InvalidInput(f"所选{label}不存在", field=field) from exc


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _require_dispatcher(request)
    page = Paginator(selectors.waiting_tickets(), PAGE_SIZE).get_page(request.GET.get("page"))
    items = [selectors.queue_item(t) for t in page.object_list]
    return render(request, "dispatch/queue.html", {
        "page": page, "items": items, "threshold": services.auto_dispatch_threshold(),
        **selectors.dispatch_choices(),
    })


@login_required
@require_POST
def dispatch(request: HttpRequest, number: str) -> HttpResponse:
    """派单: a suggestion by its position (`option`), or a category and unit of the dispatcher's own."""
    _require_dispatcher(request)
    ticket = get_object_or_404(Ticket, number=number)
    try:
        if request.POST.get("option", "").isdecimal():  # not isdigit: int() refuses "²"
            item = selectors.queue_item(ticket)
            index = int(request.POST["option"])
            if index >= len(item.options):
                raise InvalidInput("该建议已失效，请刷新", field="option")
            option = item.options[index]
            if option.category is None or option.unit is None:
                raise InvalidInput(f"建议“{option.label}”没有可派单位：{option.reason}", field="option")
            category, unit = option.category, option.unit
        else:
            category = _pick(Category, request.POST.get("category"), "category", "分类", active=True)
            unit = _pick(Unit, request.POST.get("unit"), "unit", "承办单位", active=True)
        services.dispatch_ticket(ticket, by=request.user, unit=unit, category=category)
    except TicketError as exc:
        messages.error(request, f"工单 {ticket.number} 派单未成功：{exc.message}")
    else:
        messages.success(request, f"工单 {ticket.number} 已派至 {unit}（{category.name}）")
    return _back(request, ticket)


@login_required
@require_POST
def merge(request: HttpRequest, number: str) -> HttpResponse:
    _require_dispatcher(request)
    ticket = get_object_or_404(Ticket, number=number)
    try:
        into = merge_target(request.user, request.POST.get("into"))
        services.merge_duplicate(ticket, by=request.user, into=into)
    except TicketError as exc:
        messages.error(request, f"工单 {ticket.number} 合并未成功：{exc.message}")
    else:
        messages.success(request, f"工单 {ticket.number} 已并入 {into.number}，主件答复时一并答复诉求人")
    return _back(request)


@login_required
@require_POST
def locate(request: HttpRequest, number: str) -> HttpResponse:
    """The dispatcher sets the street the locator could not resolve (or corrects it)."""
    _require_dispatcher(request)
    ticket = get_object_or_404(Ticket, number=number, status__in=[Status.NEW, Status.REGISTERED])
    try:
        street = _pick(Area, request.POST.get("street"), "street", "街道", kind=Area.Kind.STREET)
    except TicketError as exc:
        messages.error(request, f"工单 {ticket.number}：{exc.message}")
    else:
        community = ticket.community if ticket.community and ticket.community.parent_id == street.pk else None
        tickets.update_location(ticket, street=street, community=community, unresolved=False, by=request.user)
        messages.success(request, f"工单 {ticket.number} 的街道已设为 {street}")
    return _back(request, ticket)


@login_required
@require_POST
def retriage(request: HttpRequest, number: str) -> HttpResponse:
    """Ask smart dispatch again, e.g. after a model was trained or the place corrected."""
    _require_dispatcher(request)
    ticket = get_object_or_404(Ticket, number=number, status=Status.REGISTERED)
    services.triage(ticket)
    ticket.refresh_from_db()
    if ticket.status == Status.DISPATCHED:
        messages.success(request, f"工单 {ticket.number} 已自动派至 {ticket.main_unit}")
    else:
        suggestion = services.latest_suggestion(ticket)
        messages.info(request, f"工单 {ticket.number} 仍需人工派单：{suggestion.hold_reason if suggestion else ''}")
    return _back(request, ticket)
