"""The dispatcher's desk (/dispatch/): a dense, sortable table of the tickets waiting for dispatch with one-key
actions (desk.js), batch dispatch to one unit, and a detail pane beside the list with the suggestions, duplicates,
returns and place correction. Every page works without scripts: the actions post and come back; with them, the
desk posts in the background (the views answer JSON when asked for it) and stays on the page."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from youhu.directory.models import Area, Role, Unit
from youhu.http import wants_json
from youhu.taxonomy.models import Category
from youhu.tickets import services as tickets
from youhu.tickets.errors import InvalidInput, TicketError
from youhu.tickets.models import Status, Ticket
from youhu.tickets.selectors import at_level, merge_target, visible_tickets

from . import selectors, services

PAGE_SIZE = 50
_NUMBER = re.compile(r"^\d{8}-\d{6}$")


def _require_dispatcher(request: HttpRequest) -> None:
    if not request.user.has_role(Role.DISPATCHER, Role.ADMIN):
        raise PermissionDenied("只有派单员可以使用派单队列")


def _level(request: HttpRequest):
    """The tickets of the dispatcher's own level (docs/levels.md): a district's dispatcher never reaches another
    district's, the city's only those not sent to a district."""
    return at_level(visible_tickets(request.user), request.user)


def _ticket(request: HttpRequest, number: str, **filters) -> Ticket:
    return get_object_or_404(_level(request), number=number, **filters)


def _desk_url(request: HttpRequest, opened: str = "") -> str:
    """Back to the desk as the dispatcher left it: same page and sort, with a ticket open in the pane."""
    params = {"page": request.POST.get("page") or "", "sort": request.POST.get("sort") or "", "open": opened}
    query = "&".join(f"{k}={v}" for k, v in params.items() if v and (k != "page" or v.isdigit())
                     and (k != "sort" or v.lstrip("-") in selectors.SORTS) and (k != "open" or _NUMBER.match(v)))
    return reverse("dispatch:queue") + (f"?{query}" if query else "")


def _done(request: HttpRequest, message: str, *, opened: str = "", level: int = messages.SUCCESS,
          status: int = 200) -> HttpResponse:
    """The outcome of an action: JSON for the desk's script, else a message and back to the desk."""
    if wants_json(request):
        return JsonResponse({"ok": level != messages.ERROR, "message": message}, status=status)
    messages.add_message(request, level, message)
    return redirect(_desk_url(request, opened))


def _failed(request: HttpRequest, ticket: Ticket | None, what: str, exc: TicketError) -> HttpResponse:
    prefix = f"工单 {ticket.number} {what}未成功：" if ticket else f"{what}未成功："
    if wants_json(request):
        return JsonResponse({"ok": False, "message": prefix + exc.message, "field": exc.field},
                            status=exc.http_status)
    messages.error(request, prefix + exc.message)
    return redirect(_desk_url(request, ticket.number if ticket else ""))


def _pick(model, value: str | None, field: str, label: str, **filters):
    if not value:
        raise InvalidInput(f"请选择{label}", field=field)
    try:
        return model.objects.get(pk=int(value), **filters)
    except (ValueError, model.DoesNotExist) as exc:
        raise InvalidInput(f"所选{label}不存在", field=field) from exc


def _sort(request: HttpRequest) -> str:
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    return sort if sort.lstrip("-") in selectors.SORTS else selectors.DEFAULT_SORT


COLUMNS = [("number", "编号"), ("time", "时间"), ("channel", "渠道"), ("title", "标题"), ("place", "地点"),
           ("confidence", "建议（置信度）"), ("duplicates", "重复"), ("returns", "退单")]


def _columns(sort: str) -> list[dict]:
    """The table's headers: each sorts by its column, a second click the other way round."""
    current, descending = sort.lstrip("-"), sort.startswith("-")
    return [{"key": key, "label": label, "sorted": key == current,
             "aria": ("descending" if descending else "ascending") if key == current else "none",
             "next": f"-{key}" if key == current and not descending else key}
            for key, label in COLUMNS]


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _require_dispatcher(request)
    sort = _sort(request)
    page = Paginator(selectors.waiting_tickets(sort, request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    items = selectors.queue_items(list(page.object_list))
    wanted = request.GET.get("open", "")
    pane = next((i for i in items if i.ticket.number == wanted), None) or _waiting_item(request, wanted)
    if pane is None and items and not wanted:
        pane = items[0]  # the desk opens on the first ticket: the dispatcher starts at once
    return render(request, "dispatch/queue.html", {
        "page": page, "items": items, "pane": pane, "sort": sort, "columns": _columns(sort),
        "threshold": services.auto_dispatch_threshold(), **selectors.dispatch_choices(request.user),
    })


def _waiting_item(request: HttpRequest, number: str) -> selectors.QueueItem | None:
    """A waiting ticket of the dispatcher's level asked for by number that is not on this page (e.g. after a sort)."""
    ticket = (_level(request).filter(number=number, status=Status.REGISTERED).first()
              if _NUMBER.match(number) else None)
    return selectors.queue_item(ticket) if ticket else None


@login_required
def pane(request: HttpRequest, number: str) -> HttpResponse:
    """The detail pane of one waiting ticket (an HTML fragment the desk's script puts beside the list)."""
    _require_dispatcher(request)
    item = _waiting_item(request, number)
    if item is None:
        raise Http404("该工单已不在派单队列中")
    return render(request, "dispatch/_pane.html", {
        "item": item, "sort": _sort(request), "page_number": request.GET.get("page", ""),
        **selectors.dispatch_choices(request.user),
    })


@login_required
@require_POST
def dispatch(request: HttpRequest, number: str) -> HttpResponse:
    """派单: a suggestion by its position (`option`), or a category and unit of the dispatcher's own."""
    _require_dispatcher(request)
    ticket = _ticket(request, number)
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
            if ticket.district_id is None and unit.district_id is not None:
                # The city's desk: a suggestion of a district's unit sends the ticket to that district, whose
                # centre dispatches it on (docs/levels.md).
                tickets.to_district(ticket, by=request.user, centre=unit.district.centre())
                return _done(request, f"工单 {ticket.number} 已派至{unit.district}（建议承办：{unit}）")
        else:
            category = _pick(Category, request.POST.get("category"), "category", "分类", active=True)
            unit = _pick(Unit, request.POST.get("unit"), "unit", "承办单位", active=True)
        services.dispatch_ticket(ticket, by=request.user, unit=unit, category=category)
    except TicketError as exc:
        return _failed(request, ticket, "派单", exc)
    return _done(request, f"工单 {ticket.number} 已派至 {unit}（{category.name}）")


@login_required
@require_POST
def batch(request: HttpRequest) -> HttpResponse:
    """批量派单: the ticked tickets to one unit (each keeps its category unless one is chosen)."""
    _require_dispatcher(request)
    numbers = [n for n in request.POST.getlist("numbers") if _NUMBER.match(n)]
    found = _level(request).select_related("category").in_bulk(numbers, field_name="number")
    try:
        unit = _pick(Unit, request.POST.get("unit"), "unit", "承办单位", active=True)
        category = (_pick(Category, request.POST["category"], "category", "分类", active=True)
                    if request.POST.get("category") else None)
        result = services.dispatch_batch([found[n] for n in numbers if n in found], by=request.user, unit=unit,
                                         category=category)
    except TicketError as exc:
        return _failed(request, None, "批量派单", exc)
    message = f"已将 {len(result.dispatched)} 件工单派至 {unit}"
    if result.failed:
        message += "；未成功 " + "；".join(f"{t.number}：{why}" for t, why in result.failed)
    return _done(request, message, level=messages.WARNING if result.failed else messages.SUCCESS)


@login_required
@require_POST
def merge(request: HttpRequest, number: str) -> HttpResponse:
    _require_dispatcher(request)
    ticket = _ticket(request, number)
    try:
        into = merge_target(request.user, request.POST.get("into"))
        services.merge_duplicate(ticket, by=request.user, into=into)
    except TicketError as exc:
        return _failed(request, ticket, "合并", exc)
    return _done(request, f"工单 {ticket.number} 已并入 {into.number}，主件答复时一并答复诉求人")


@login_required
@require_POST
def locate(request: HttpRequest, number: str) -> HttpResponse:
    """The dispatcher sets the street the locator could not resolve (or corrects it)."""
    _require_dispatcher(request)
    ticket = _ticket(request, number, status__in=[Status.NEW, Status.REGISTERED])
    try:
        street = _pick(Area, request.POST.get("street"), "street", "街道", kind=Area.Kind.STREET)
    except TicketError as exc:
        return _failed(request, ticket, "设定街道", exc)
    community = ticket.community if ticket.community and ticket.community.parent_id == street.pk else None
    tickets.update_location(ticket, street=street, community=community, unresolved=False, by=request.user)
    return _done(request, f"工单 {ticket.number} 的街道已设为 {street}", opened=ticket.number)


@login_required
@require_POST
def retriage(request: HttpRequest, number: str) -> HttpResponse:
    """Ask smart dispatch again, e.g. after a model was trained or the place corrected."""
    _require_dispatcher(request)
    ticket = _ticket(request, number, status=Status.REGISTERED)
    services.triage(ticket)
    ticket.refresh_from_db()
    if ticket.status == Status.DISPATCHED:
        return _done(request, f"工单 {ticket.number} 已自动派至 {ticket.main_unit}")
    suggestion = services.latest_suggestion(ticket)
    return _done(request, f"工单 {ticket.number} 仍需人工派单：{suggestion.hold_reason if suggestion else ''}",
                 opened=ticket.number, level=messages.INFO)
