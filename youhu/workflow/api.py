"""/api/tickets: create, list, read and act on tickets. Thin: a new appeal goes through intake, every
action through the action table (`workflow.actions`), as the staff pages' do."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator

from youhu import clock
from youhu.access.auth import api_auth
from youhu.directory.models import Area, District, Unit, User
from youhu.intake.flows import submit_appeal
from youhu.intake.idempotency import idempotent
from youhu.taxonomy.models import AppealType, Category, Urgency
from youhu.tickets import search, selectors
from youhu.tickets import services as tickets
from youhu.tickets.errors import Conflict, ErrorOut, InvalidInput
from youhu.tickets.models import Channel, Status, Ticket, TicketEvent
from youhu.tickets.policy import allowed_actions

from . import actions
from .inputs import ActionInput

router = Router(auth=api_auth, tags=["tickets"])

NUMBER_RE = re.compile(r"^\d{8}-\d{6}$")
CATEGORY_RE = re.compile(r"^C\d{1,9}$")
MAX_ID = 2**62  # beyond any primary key; keeps SQLite from overflowing on absurd ids


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; say so instead of failing at the database.
    if "\x00" in value:
        raise ValueError("不能包含 NUL 字符")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# ---------------------------------------------------------------- schemas


class TicketIn(Schema):
    title: Text = Field(description="标题（≤200 字）")
    content: Text = Field(description="诉求内容（≤5000 字）")
    appeal_type: AppealType = AppealType.COMPLAINT
    urgency: Urgency = Urgency.NORMAL
    channel: Channel = Channel.API
    category: Text | None = Field(None, description="分类代码，如 C0012")
    appellant_name: Text = ""
    appellant_phone: Text = ""
    address: Text = ""
    street: Id | None = Field(None, description="街道 id")
    community: Id | None = Field(None, description="社区 id")
    lat: float | None = None
    lon: float | None = None
    external_id: Text = Field("", description="来源系统的编号（同一渠道内唯一）")


class Ref(Schema):
    id: int
    name: str


class CategoryRef(Schema):
    code: str
    path: str


class Appellant(Schema):
    name: str
    phone: str


class TicketOut(Schema):
    number: str
    status: Status
    status_label: str
    channel: Channel
    title: str
    content: str
    appeal_type: str
    urgency: str
    category: CategoryRef | None
    main_unit: Ref | None
    district: Ref | None = Field(None, description="所在区（市级派至区后）；空 = 市级或单区部署")
    street: Ref | None
    community: Ref | None
    address: str
    lat: float | None
    lon: float | None
    appellant: Appellant
    external_id: str
    created_at: datetime
    accept_due: datetime | None
    reply_due: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    reply_text: str
    duplicate_of: str | None


class CreatedOut(TicketOut):
    tracking_code: str = Field(description="诉求人查询进度用的私密查询码，只在创建时返回一次")


class EventOut(Schema):
    action: str
    actor: str
    at: datetime
    from_status: str
    to_status: str
    reason: str
    payload: dict[str, Any]
    public: bool


class TicketDetailOut(TicketOut):
    allowed_actions: list[str]
    events: list[EventOut]


class TicketPage(Schema):
    count: int | None = Field(description="符合条件的总数；超过 1000 件或按游标翻页时不计（null）")
    page: int
    page_size: int
    items: list[TicketOut]
    next_cursor: str | None = Field(None, description="下一页的游标（cursor 参数）；没有下一页时为 null")


class TicketFilters(Schema):
    status: list[Status] | None = Field(None, description="可多选")
    channel: list[Channel] | None = None
    unit: Id | None = Field(None, description="主办单位 id")
    district: Id | None = Field(None, description="所在区 id（市级人员按区筛选，docs/levels.md）")
    category: Text | None = Field(None, description="分类代码（含下级分类）")
    street: Id | None = Field(None, description="街道 id")
    created_from: clock.Day | None = Field(None, description="登记日期起（含）")
    created_to: clock.Day | None = Field(None, description="登记日期止（含）")
    page: int = Field(1, ge=1, le=100000,
                      description=f"页码；只到前 {search.MAX_OFFSET} 条（(page-1)×page_size ≤ {search.MAX_OFFSET}），"
                                  "更深处请按 next_cursor 翻页（cursor 参数）")
    page_size: int = Field(50, ge=1, le=200)
    cursor: Text | None = Field(None, max_length=64,
                                description="上一页返回的 next_cursor：按游标翻页，不计总数，多深都一样快（此时忽略 page）")


# The table's order, which is the OpenAPI document's.
ActionName = Literal[actions.API_ACTIONS]  # type: ignore[valid-type]


class ActionIn(Schema):
    """Fields each action reads; the others are ignored."""

    reason: Text = Field("", description="退单/转派/重办/无效/归档/延期/督办的理由")
    text: Text = Field("", description="办结答复、直办答复或协办意见")
    note: Text = Field("", description="办理记录")
    unit: Id | None = Field(None, description="派单/转派的主办单位 id；派至区时为区指挥中心的 id")
    co_units: list[Id] | None = Field(None, max_length=50, description="协办单位 id")
    category: Text | None = Field(None, description="分类代码")
    into: Text | None = Field(None, description="合并到的主件编号")
    working_days: int | None = Field(None, ge=-1000, le=1000, description="申请延期的工作日数")
    extension: Id | None = Field(None, description="要审批的延期申请 id")
    approve: bool | None = None
    resolved: bool | None = None
    satisfaction: Text | None = Field(None, description="satisfied / basically / dissatisfied")
    comment: Text = ""
    entry: Id | None = Field(None, description="直办答复所依据的知识库条目 id（答复留空时用其答复口径）")


# ---------------------------------------------------------------- output


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def _ref(obj: Unit | Area | District | None) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def ticket_json(ticket: Ticket, user: User) -> dict[str, Any]:
    """The API's view of a ticket for this user (appellant masked when the user has no need)."""
    category = ticket.category
    return {
        "number": ticket.number,
        "status": ticket.status,
        "status_label": Status(ticket.status).label,
        "channel": ticket.channel,
        "title": ticket.title,
        "content": ticket.content,
        "appeal_type": ticket.appeal_type,
        "urgency": ticket.urgency,
        "category": {"code": category.code, "path": category.path} if category else None,
        "main_unit": _ref(ticket.main_unit),
        "district": _ref(ticket.district) if ticket.district_id else None,
        "street": _ref(ticket.street),
        "community": _ref(ticket.community),
        "address": ticket.address,
        "lat": ticket.lat,
        "lon": ticket.lon,
        "appellant": selectors.appellant_for(user, ticket),
        "external_id": ticket.external_id,
        "created_at": _local(ticket.created_at),
        "accept_due": _local(ticket.accept_due),
        "reply_due": _local(ticket.reply_due),
        "replied_at": _local(ticket.replied_at),
        "closed_at": _local(ticket.closed_at),
        "reply_text": ticket.reply_text,
        "duplicate_of": ticket.duplicate_of.number if ticket.duplicate_of_id else None,
    }


def _json_ready(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}


def _event_json(event: TicketEvent) -> dict[str, Any]:
    return {"action": event.action, "actor": event.actor_label, "at": _local(event.at),
            "from_status": event.from_status, "to_status": event.to_status, "reason": event.reason,
            "payload": event.payload, "public": event.public}


# ---------------------------------------------------------------- lookups


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, return-value]


def _visible(user: User):
    return selectors.visible_tickets(user).select_related("category", "main_unit", "street", "community",
                                                          "duplicate_of", "district")


def get_visible_ticket(user: User, number: str) -> Ticket:
    """404 both for a missing ticket and for one the user may not see: no probing of numbers."""
    ticket = _visible(user).filter(number=number).first() if NUMBER_RE.match(number) else None
    if ticket is None:
        raise HttpError(404, f"没有编号为 {number[:40]} 的工单")
    return ticket


def category_by_code(code: str | None, field: str = "category") -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(pk=int(code[1:]), active=True).first() if CATEGORY_RE.match(code) else None
    if category is None:
        raise InvalidInput(f"未知分类代码：{code[:40]}", field=field)
    return category


def _area(pk: int | None, kind: str, field: str) -> Area | None:
    if pk is None:
        return None
    area = Area.objects.filter(pk=pk, kind=kind).first()
    if area is None:
        raise InvalidInput(f"没有 id 为 {pk} 的{Area.Kind(kind).label}", field=field)
    return area


def _unit(pk: int | None, field: str = "unit") -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise InvalidInput(f"没有 id 为 {pk} 的单位", field=field)
    return unit


# ---------------------------------------------------------------- endpoints


def _operation(name: str) -> str:
    # The ids ninja derived when these endpoints lived in youhu/intake/api.py: clients generated from the
    # OpenAPI document name their methods after them.
    return f"youhu_intake_api_{name}"


@router.post("", response={201: CreatedOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut},
             summary="登记诉求（支持 Idempotency-Key）", operation_id=_operation("create"))
def create(request, payload: TicketIn):
    user = _user(request)

    def handler() -> tuple[int, dict]:
        appeal = tickets.NewAppeal(
            title=payload.title, content=payload.content, channel=payload.channel,
            appeal_type=payload.appeal_type, urgency=payload.urgency,
            appellant_name=payload.appellant_name, appellant_phone=payload.appellant_phone,
            address=payload.address, street=_area(payload.street, Area.Kind.STREET, "street"),
            community=_area(payload.community, Area.Kind.COMMUNITY, "community"),
            lat=payload.lat, lon=payload.lon, category=category_by_code(payload.category),
            external_id=payload.external_id,
        )
        try:
            ticket = submit_appeal(appeal, by=user)
        except IntegrityError as exc:
            # The unique (channel, external_id) constraint is the check: a query before the insert would
            # cost every appeal a statement to catch the rare repeat.
            if "external_id" not in str(exc):  # the constraint's name or columns, on SQLite and PostgreSQL
                raise
            raise Conflict(f"外部编号 {appeal.external_id[:64]} 已登记过", field="external_id") from exc
        body = _json_ready(ticket_json(ticket, user))
        body["tracking_code"] = ticket.tracking_code  # type: ignore[attr-defined]
        return 201, body

    return idempotent(request, user, handler)


@router.get("", response={200: TicketPage, 400: ErrorOut}, summary="工单列表（按可见范围）",
            operation_id=_operation("list_tickets"),
            description=("新的在前。第一页给出总数（超过 1000 件为 null）和 next_cursor；往后翻页请把 next_cursor 作为 "
                         "cursor 参数传回：多深都一样快。按页码（page）只能翻到前 "
                         f"{search.MAX_OFFSET} 条，更深的页码返回 400（field = page）。"))
def list_tickets(request, filters: Query[TicketFilters]):
    user = _user(request)
    qs = _visible(user)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.channel:
        qs = qs.filter(channel__in=filters.channel)
    if filters.unit:
        qs = qs.filter(main_unit_id=filters.unit)
    if filters.district:
        qs = qs.filter(district_id=filters.district)
    if filters.street:
        qs = qs.filter(street_id=filters.street)
    if filters.category:
        category = category_by_code(filters.category)
        qs = qs.filter(Q(category=category) | Q(category__path__startswith=f"{category.path}/"))
    qs = search.created_between(qs, filters.created_from, filters.created_to)
    size = filters.page_size
    if filters.cursor:  # keyset: no count, no offset
        count, rows = None, list(search.after_cursor(qs, filters.cursor)[:size + 1])
    else:  # numbered pages: a count and an offset, as deep as an offset stays cheap
        start = search.page_offset(filters.page, size)
        count, capped = search.count_upto(qs)
        count, rows = None if capped else count, list(qs.order_by("-created_at", "-id")[start:start + size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return {"count": count, "page": filters.page, "page_size": size, "items": [ticket_json(t, user) for t in rows],
            "next_cursor": search.encode_cursor(rows[-1]) if more else None}


@router.get("/{number}", response={200: TicketDetailOut, 404: ErrorOut}, summary="工单详情",
            operation_id=_operation("get_ticket"))
def get_ticket(request, number: str):
    user = _user(request)
    ticket = get_visible_ticket(user, number)
    data = ticket_json(ticket, user)
    data["allowed_actions"] = allowed_actions(user, ticket)
    data["events"] = [_event_json(e) for e in ticket.events.all()]
    return data


def _co_units(ids: list[int] | None) -> list[Unit] | None:
    return [u for pk in ids if (u := _unit(pk, "co_units")) is not None] if ids is not None else None


# Body fields that need a look-up or a default before the action table can use them.
_PARSE: dict[str, Callable[[Any], Any]] = {
    "unit": _unit, "co_units": _co_units, "category": category_by_code,
    "into": lambda number: number or "", "satisfaction": lambda value: value or "",
}


def action_input(action: str, body: ActionIn) -> ActionInput:
    """The fields `action` reads, as the action table's input; the others are ignored, as documented."""
    values = {name: getattr(body, name) for name in actions.ACTIONS[action].reads}
    return ActionInput(**{name: _PARSE.get(name, _identity)(value) for name, value in values.items()})


def _identity(value: Any) -> Any:
    return value


@router.post("/{number}/actions/{action}",
             response={200: TicketOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
             summary="执行办理动作（受理、派单、签收、办结、回访……按角色与状态）", operation_id=_operation("act"))
def act(request, number: str, action: ActionName, body: ActionIn):
    user = _user(request)

    def handler() -> tuple[int, dict]:
        ticket = get_visible_ticket(user, number)
        actions.perform(action, ticket, user, action_input(action, body))
        ticket = _visible(user).filter(pk=ticket.pk).first() or ticket
        return 200, _json_ready(ticket_json(ticket, user))

    return idempotent(request, user, handler)
