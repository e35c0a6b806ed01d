"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) on top of Youhu's tickets.

Mapping: service = a category residents can choose (service_code = Category.code, group = its first-level
category); service request = ticket (service_request_id = ticket number); status open/closed; expected_datetime
= reply deadline; agency_responsible = main unit. Reads are public, rate-limited per address, and show only
what may be published (tickets.publishing): appeals of published categories, their description and status notes
masked, the place as its street (and community) and coordinates rounded to about 100 m, never the appellant.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from xml.etree import ElementTree

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from youhu import clock
from youhu.access.keys import user_for_key
from youhu.taxonomy.models import AppealType, Category, Urgency
from youhu.tickets import services as tickets
from youhu.tickets.errors import TicketError
from youhu.tickets.models import OPEN_STATUSES, Channel, Status, Ticket, TicketEvent
from youhu.tickets.policy import ACTION_LABELS
from youhu.tickets.publishing import published_text, published_tickets

from .flows import submit_appeal

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
DESCRIPTION_MAX = 4000  # the GeoReport schema's limit
TITLE_LEN = 30
COORDINATE_DECIMALS = 3  # published coordinates: about 100 m, the place but not the door
READ_GROUP = "open311.read"  # one rate limit for the list and the single request
# XML element names for the items of each list-valued field.
XML_ITEM = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# ---------------------------------------------------------------- rendering


def _xml_fill(parent: ElementTree.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, list):
            holder = ElementTree.SubElement(parent, key)
            for item in value:
                child = ElementTree.SubElement(holder, XML_ITEM.get(key, "item"))
                if isinstance(item, dict):
                    _xml_fill(child, item)
                else:
                    child.text = _xml_text(item)
        else:
            ElementTree.SubElement(parent, key).text = _xml_text(value)


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return tickets.clean_text(str(value))  # stored texts have none; older rows must not break the feed either


def render(data: Any, fmt: str, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    """JSON as is; XML as <root> with one <item> per list element (or the dict's fields directly)."""
    if fmt == "json":
        return HttpResponse(json.dumps(data, ensure_ascii=False), status=status,
                            content_type="application/json; charset=utf-8")
    top = ElementTree.Element(root)
    for element in data if isinstance(data, list) else [data]:
        _xml_fill(ElementTree.SubElement(top, item) if item else top, element)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(top, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    return render([{"code": status, "description": description}], fmt, root="errors", item="error",
                  status=status)


def _has_nul(values: list[str]) -> bool:
    return any("\x00" in value for value in values)


def open311_view(view):
    """Errors become the spec's [{code, description}] in the requested format."""

    def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
        try:
            if _has_nul([*kwargs.values(), *(v for _k, vs in request.GET.lists() for v in vs)]):
                raise Open311Error(400, "参数中不能包含 NUL 字符")
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return error_response(fmt, exc.status, exc.description)
        except TicketError as exc:
            field = f"{exc.field}：" if exc.field else ""
            return error_response(fmt, 400, f"{field}{exc.message}")

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


# ---------------------------------------------------------------- services


def public_services() -> QuerySet[Category]:
    """Active public leaf categories (not the enterprise ones): what a resident picks from."""
    live_children = Category.objects.filter(parent=OuterRef("pk"), active=True, public=True)
    return (Category.objects.filter(active=True, public=True, is_enterprise=False)
            .exclude(Exists(live_children)).select_related("parent__parent"))


def service_json(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.path,
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(category.path.split("/")),
        "group": category.root.name,
    }


def service_by_code(code: str) -> Category:
    category = None
    if code[:1] == "C" and code[1:].isdigit() and len(code) < 12:
        category = public_services().filter(pk=int(code[1:])).first()
    if category is None:
        raise Open311Error(400, f"service_code {code[:40]!r} 不存在")
    return category


def _choices(choices) -> list[dict[str, str]]:
    return [{"key": value, "name": label} for value, label in choices]


def service_definition(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            {"variable": True, "code": "appeal_type", "datatype": "singlevaluelist", "required": False,
             "datatype_description": "诉求类型，默认“投诉”", "order": 1, "description": "诉求类型",
             "values": _choices(AppealType.choices)},
            {"variable": True, "code": "urgency", "datatype": "singlevaluelist", "required": False,
             "datatype_description": "紧急程度，默认“一般”", "order": 2, "description": "紧急程度",
             "values": _choices(Urgency.choices)},
        ],
    }


# ---------------------------------------------------------------- requests


def read_rate(group, request) -> str:
    return getattr(settings, "YOUHU_OPEN311_READ_RATE", "300/h")


class LastStep(NamedTuple):
    """What a request shows of its ticket's last public event."""

    action: str
    at: datetime


def _status_notes(ticket: Ticket, last: TicketEvent | LastStep | None) -> str:
    """The reply, masked, once it is given and not held; before that the last public step."""
    if ticket.duplicate_of_id is not None:
        # Its own outcome: the master's reply was written to another appellant.
        master = ticket.duplicate_of
        return f"已与工单 {master.number} 合并办理，该工单{Status(master.status).label}"
    if ticket.reply_text and not ticket.reply_withheld and ticket.replied_at:
        return published_text(ticket.reply_text, ticket)
    return ACTION_LABELS.get(last.action, last.action) if last else ""


def _place(ticket: Ticket) -> str | None:
    names = [area.name for area in (ticket.street, ticket.community) if area is not None]
    return "".join(names) or None


def _rounded(value: float | None) -> float | None:
    return round(value, COORDINATE_DECIMALS) if value is not None else None


def request_json(ticket: Ticket, last_event: TicketEvent | LastStep | None, request: HttpRequest) -> dict[str, Any]:
    category = ticket.category
    return {
        "service_request_id": ticket.number,
        "status": "open" if ticket.status in OPEN_STATUSES else "closed",
        "status_notes": _status_notes(ticket, last_event),
        "service_name": category.name if category else None,
        "service_code": category.code if category else "",
        "description": published_text(ticket.content, ticket)[:DESCRIPTION_MAX],
        "agency_responsible": ticket.main_unit.name if ticket.main_unit_id else None,
        "service_notice": None,
        "requested_datetime": _iso(ticket.created_at),
        "updated_datetime": _iso(last_event.at if last_event else ticket.created_at),
        "expected_datetime": _iso(ticket.reply_due),
        "address": _place(ticket),
        "address_id": None,
        "zipcode": None,
        "lat": _rounded(ticket.lat),
        "long": _rounded(ticket.lon),
        "media_url": request.build_absolute_uri(ticket.photo.url) if ticket.photo else None,
    }


def _public_tickets() -> QuerySet[Ticket]:
    return published_tickets().select_related("category", "main_unit", "street", "community", "duplicate_of")


def _requests_json(qs: QuerySet[Ticket], request: HttpRequest) -> list[dict[str, Any]]:
    """Two queries whatever the number of rows (at most MAX_REQUESTS, newest first: the created_at index read
    backwards stops there, however many tickets the window holds): the tickets with their categories, units
    and areas, then their public events as plain tuples (a model instance each was a third of the time)."""
    rows = list(qs)
    last: dict[int, LastStep] = {}
    events = (TicketEvent.objects.filter(ticket__in=rows, public=True).order_by("at", "id")
              .values_list("ticket_id", "action", "at"))
    for ticket_id, action, at in events:
        last[ticket_id] = LastStep(action, at)
    return [request_json(t, last.get(t.pk), request) for t in rows]


def _parse_date(value: str, name: str) -> datetime:
    parsed = parse_datetime(value.strip().replace(" ", "+"))
    if parsed is None:
        raise Open311Error(400, f"{name} 须为 W3C 日期时间，如 2026-03-02T00:00:00+08:00")
    try:  # the default window's 90 days either side must stay within Python's calendar
        clock.in_span(parsed)
    except clock.OutOfSpan as exc:
        raise Open311Error(400, f"{name}：{exc}") from exc
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def filter_requests(params) -> QuerySet[Ticket]:
    qs = _public_tickets()
    if params.get("service_request_id"):  # overrides every other filter, as the spec says
        return qs.filter(number__in=_csv(params["service_request_id"])[:MAX_REQUESTS])
    try:
        start = _parse_date(params["start_date"], "start_date") if params.get("start_date") else None
        end = _parse_date(params["end_date"], "end_date") if params.get("end_date") else None
    except (ValueError, OverflowError) as exc:
        raise Open311Error(400, "start_date / end_date 超出范围") from exc
    if start is None and end is None:
        start = clock.now() - timedelta(days=DEFAULT_DAYS)
    elif start is None:
        start = end - timedelta(days=DEFAULT_DAYS)
    elif end is None:
        end = start + timedelta(days=DEFAULT_DAYS)
    if end is not None and start > end:
        raise Open311Error(400, "start_date 不能晚于 end_date")
    if end is not None and end - start > timedelta(days=DEFAULT_DAYS):
        raise Open311Error(400, f"时间范围不能超过 {DEFAULT_DAYS} 天")
    qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    if params.get("service_code"):
        codes = [c for c in _csv(params["service_code"]) if c[:1] == "C" and c[1:].isdigit() and len(c) < 12]
        qs = qs.filter(category_id__in=[int(c[1:]) for c in codes])
    if params.get("status"):
        wanted = set(_csv(params["status"].lower()))
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, "status 只能是 open 或 closed")
        if wanted == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif wanted == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATUSES)
    return qs.order_by("-created_at", "-id")[:MAX_REQUESTS]


# The spec's coordinates are WGS84 decimal degrees: ASCII digits only (float() would also take "٢٣", full-width
# digits, "1e1", "1_0", "inf").
DECIMAL_RE = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{1,15})?", re.ASCII)


def _coordinate(value: str, name: str) -> float:
    if not DECIMAL_RE.fullmatch(value):
        raise Open311Error(400, f"{name} 须为十进制度数（ASCII 数字，如 23.1062）")
    return float(value)


def appeal_from_form(form) -> tickets.NewAppeal:
    """The POST's form fields as a NewAppeal (the service validates lengths, ranges and phones)."""
    category = service_by_code(form.get("service_code", "").strip())
    lat_raw, lon_raw = form.get("lat", "").strip(), form.get("long", "").strip()
    address = form.get("address_string", "").strip()
    if not (lat_raw and lon_raw) and not address:
        raise Open311Error(400, "请提供位置：lat 和 long，或 address_string")
    description = tickets.clean_text(form.get("description", "")).strip()  # the title is its first line
    if not description:
        raise Open311Error(400, "description 不能为空：请描述诉求")
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description 不能超过 {DESCRIPTION_MAX} 字（Open311 规范）")
    name = f"{form.get('last_name', '').strip()}{form.get('first_name', '').strip()}"
    appeal_type = form.get("attribute[appeal_type]", "").strip() or AppealType.COMPLAINT
    urgency = form.get("attribute[urgency]", "").strip() or Urgency.NORMAL
    title = description.splitlines()[0][:TITLE_LEN]
    return tickets.NewAppeal(
        title=title, content=description, channel=Channel.OPEN311, appeal_type=appeal_type, urgency=urgency,
        appellant_name=name, appellant_phone=form.get("phone", "").strip(), address=address,
        lat=_coordinate(lat_raw, "lat") if lat_raw else None, lon=_coordinate(lon_raw, "long") if lon_raw else None,
        category=category,
    )


# ---------------------------------------------------------------- views


@require_GET
@open311_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    return render({
        "changeset": "2026-01-01T00:00:00+08:00",
        "contact": "区12345政务服务便民热线",
        "key_service": "API 密钥由区指挥中心发放（youhu apikey create）",
        "endpoints": [{"specification": SPEC_URL, "url": base, "changeset": "2026-01-01T00:00:00+08:00",
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    }, fmt, root="discovery")


@require_GET
@open311_view
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return render([service_json(c) for c in public_services()], fmt, root="services", item="service")


@require_GET
@open311_view
def service_detail(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    try:
        category = service_by_code(code)
    except Open311Error as exc:
        raise Open311Error(404, exc.description) from exc
    return render(service_definition(category), fmt, root="service_definition")


def _check_read_rate(request: HttpRequest) -> None:
    if getattr(request, "limited", False):
        raise Open311Error(429, "查询太频繁，请稍后再试")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@ratelimit(group=READ_GROUP, key="ip", rate=read_rate, method="GET", block=False)
@open311_view
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "GET":
        _check_read_rate(request)
        return render(_requests_json(filter_requests(request.GET), request), fmt, root="service_requests",
                      item="request")
    if _has_nul([v for _k, vs in request.POST.lists() for v in vs]):
        raise Open311Error(400, "请求中不能包含 NUL 字符")
    if user_for_key(request.POST.get("api_key")) is None:
        raise Open311Error(403, "api_key 缺失或无效")
    ticket = submit_appeal(appeal_from_form(request.POST))
    # Extensions (docs/security.md, "Open311"): the appellant's tracking code, shown here once as the portal shows
    # it, and the portal page that takes it, so that the resident can follow and review the appeal.
    track_url = request.build_absolute_uri(f"{reverse('portal:track')}?number={ticket.number}")
    return render([{"service_request_id": ticket.number, "token": ticket.number, "service_notice": "",
                    "account_id": None, "tracking_code": ticket.tracking_code, "tracking_url": track_url}],
                  fmt, root="service_requests", item="request")


@require_GET
@open311_view
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    # Every appeal filed through the API gets its id back (it says nothing but the id, the token itself), also
    # one whose content is not published (a 举报, a sensitive category); company cases stay out.
    ticket = Ticket.objects.exclude(channel=Channel.ENTERPRISE).filter(number=token).only("number").first()
    if ticket is None:
        raise Open311Error(404, f"token {token[:40]} 不存在")
    return render([{"service_request_id": ticket.number, "token": token}], fmt, root="service_requests",
                  item="request")


@require_GET
@ratelimit(group=READ_GROUP, key="ip", rate=read_rate, method="GET", block=False)
@open311_view
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    _check_read_rate(request)
    qs = _public_tickets().filter(number=request_id)
    found = _requests_json(qs, request)
    if not found:
        raise Open311Error(404, f"service_request_id {request_id[:40]} 不存在")
    return render(found, fmt, root="service_requests", item="request")

