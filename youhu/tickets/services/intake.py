"""How a ticket is born: every channel's appeals (API, portal, Open311, hotline import, company demands)
are validated and stored by `create_tickets`, in batches of one or of thousands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from youhu import clock, db
from youhu.directory.models import Area, User
from youhu.notify import outbox
from youhu.taxonomy.models import AppealType, Category, Urgency

from ..errors import InvalidInput
from ..models import Channel, Status, Ticket, TicketEvent
from .events import APPELLANT_LABEL, CONTENT_MAX, PHONE_RE, TITLE_MAX, clean_text, label_of, require_text
from .numbering import hash_tracking_code, new_tracking_code, next_numbers

# A choices enum builds its `values` list anew on each access; every new ticket is checked against these.
_CHANNELS, _APPEAL_TYPES, _URGENCIES = frozenset(Channel.values), frozenset(AppealType.values), frozenset(Urgency.values)


@dataclass
class NewAppeal:
    title: str
    content: str
    channel: str
    appeal_type: str = AppealType.COMPLAINT
    urgency: str = Urgency.NORMAL
    appellant_name: str = ""
    appellant_phone: str = ""
    address: str = ""
    street: Area | None = None
    community: Area | None = None
    lat: float | None = None
    lon: float | None = None
    category: Category | None = None
    external_id: str = ""
    created_at: datetime | None = None


def validate_appeal(appeal: NewAppeal) -> None:
    """Raise InvalidInput naming the first field at fault."""
    require_text(appeal.title, "title", "标题", TITLE_MAX)
    require_text(appeal.content, "content", "诉求内容", CONTENT_MAX)
    if appeal.channel not in _CHANNELS:
        raise InvalidInput(f"未知渠道：{appeal.channel}", field="channel")
    if appeal.appeal_type not in _APPEAL_TYPES:
        raise InvalidInput(f"未知诉求类型：{appeal.appeal_type}", field="appeal_type")
    if appeal.urgency not in _URGENCIES:
        raise InvalidInput(f"未知紧急程度：{appeal.urgency}", field="urgency")
    if appeal.appellant_phone and not PHONE_RE.match(appeal.appellant_phone.strip()):
        raise InvalidInput("联系电话格式不正确", field="appellant_phone")
    if len(appeal.appellant_name) > 64:
        raise InvalidInput("姓名不能超过 64 字", field="appellant_name")
    if len(appeal.address) > 255:
        raise InvalidInput("地址不能超过 255 字", field="address")
    if len(appeal.external_id) > 64:
        raise InvalidInput("外部编号不能超过 64 字符", field="external_id")
    if (appeal.lat is None) != (appeal.lon is None):
        raise InvalidInput("经纬度须同时提供", field="lat" if appeal.lat is None else "long")
    if appeal.lat is not None and not (-90 <= appeal.lat <= 90):
        raise InvalidInput("纬度须在 -90 到 90 之间", field="lat")
    if appeal.lon is not None and not (-180 <= appeal.lon <= 180):
        raise InvalidInput("经度须在 -180 到 180 之间", field="long")
    if appeal.street is not None and appeal.street.kind != Area.Kind.STREET:
        raise InvalidInput(f"“{appeal.street}”不是街道", field="street")
    if appeal.community is not None and appeal.community.kind != Area.Kind.COMMUNITY:
        raise InvalidInput(f"“{appeal.community}”不是社区", field="community")


@dataclass(slots=True)
class Created:
    """A ticket `create_tickets` stored: its key, number and tracking code (shown to the appellant once).
    The model instance is built only when asked for (`ticket()`): an import's blocks need none."""

    pk: int
    number: str
    tracking_code: str
    appeal: NewAppeal
    row: dict[str, Any]

    def ticket(self) -> Ticket:
        ticket = Ticket(id=self.pk, **self.row)
        # The related rows the caller already has, so that reading them costs no query.
        for name, value in (("category", self.appeal.category), ("street", _street(self.appeal)),
                            ("community", self.appeal.community)):
            if value is not None:
                setattr(ticket, name, value)
        ticket._state.adding = False
        ticket._state.db = "default"
        ticket.tracking_code = self.tracking_code  # type: ignore[attr-defined]
        return ticket


def _street(appeal: NewAppeal) -> Area | None:
    return appeal.street or (appeal.community.parent if appeal.community else None)


def _ticket_row(appeal: NewAppeal, number: str, code_hash: str, now: datetime) -> dict[str, Any]:
    """The columns of a new ticket (the others keep their defaults)."""
    street_id = appeal.street.pk if appeal.street else (appeal.community.parent_id if appeal.community else None)
    return {
        "number": number, "tracking_code_hash": code_hash, "channel": appeal.channel,
        "external_id": appeal.external_id.strip(), "title": appeal.title.strip(),
        "content": appeal.content.strip(), "appeal_type": appeal.appeal_type, "urgency": appeal.urgency,
        "category_id": appeal.category.pk if appeal.category else None,
        "appellant_name": appeal.appellant_name.strip(), "appellant_phone": appeal.appellant_phone.strip(),
        "address": appeal.address.strip(), "street_id": street_id,
        "community_id": appeal.community.pk if appeal.community else None, "lat": appeal.lat, "lon": appeal.lon,
        "created_at": appeal.created_at or now,
    }


_TEXT_FIELDS = ("title", "content", "appellant_name", "appellant_phone", "address", "external_id")


def without_control_characters(appeal: NewAppeal) -> NewAppeal:
    """The appeal with its texts through `clean_text`: every channel's (portal, REST, Open311, imports) appeal is
    stored without control characters, so that the feeds that publish it stay well-formed."""
    cleaned = {name: clean_text(getattr(appeal, name)) for name in _TEXT_FIELDS}
    if all(cleaned[name] is getattr(appeal, name) for name in _TEXT_FIELDS):
        return appeal  # nothing to strip (clean_text returns its argument): no copy
    return replace(appeal, **cleaned)


def _validate_all(appeals: Sequence[NewAppeal]) -> None:
    for position, appeal in enumerate(appeals, start=1):
        try:
            validate_appeal(appeal)
        except InvalidInput as exc:
            if len(appeals) == 1:
                raise
            raise InvalidInput(f"第 {position} 条诉求：{exc.message}", field=exc.field) from exc


def create_tickets(appeals: Sequence[NewAppeal], *, by: User | None = None, now: datetime | None = None,
                   payload: dict[str, Any] | None = None, receipts: bool = True) -> list[Created]:
    """Validate and store the appeals as new tickets, all or none: consecutive numbers of `now`'s day, the
    tickets and each one's `create` event (its payload: the channel, and `payload`'s keys), and with
    `receipts` the SMS receipt (number, tracking code) to each appellant who gave a phone, written to the
    outbox in the same transaction for the whole batch.

    Raises InvalidInput naming the field (and, in a batch, the appeal) at fault before anything is written,
    and IntegrityError for a repeated external id (the unique constraint is the check). Inside a caller's
    write section no savepoint is taken: an error rolls back the caller's transaction (or its savepoint).
    """
    if not appeals:
        return []
    now = now or clock.now()
    appeals = [without_control_characters(a) for a in appeals]
    _validate_all(appeals)
    codes = [new_tracking_code() for _ in appeals]
    label = label_of(by, APPELLANT_LABEL)
    extra = payload or {}
    with db.writing(savepoint=False):
        numbers = next_numbers(now, len(appeals))
        rows = [_ticket_row(a, n, hash_tracking_code(c), now) for a, n, c in zip(appeals, numbers, codes, strict=True)]
        pks = db.insert_records(Ticket, rows)
        if pks is None:  # a block: its keys by number
            by_number = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "pk"))
            pks = [by_number[n] for n in numbers]
        db.insert_records(TicketEvent, [
            {"ticket_id": pk, "action": "create", "actor_id": by.pk if by else None, "actor_label": label,
             "unit_id": by.unit_id if by else None, "at": now, "to_status": Status.NEW, "public": True,
             "payload": {"channel": a.channel, **extra}}
            for pk, a in zip(pks, appeals, strict=True)
        ])
        if receipts:
            _tell_registered(appeals, pks, numbers, codes, now)
    return [Created(pk, n, c, a, r) for pk, n, c, a, r in zip(pks, numbers, codes, appeals, rows, strict=True)]


def _tell_registered(appeals: Sequence[NewAppeal], pks: Sequence[int], numbers: Sequence[str],
                     codes: Sequence[str], now: datetime) -> None:
    outbox.tell(*(outbox.Notice("resident.registered", ticket_id=pk, number=number, phone=a.appellant_phone.strip(),
                                code=code)
                  for a, pk, number, code in zip(appeals, pks, numbers, codes, strict=True)
                  if a.appellant_phone.strip()), now=now)


def create_ticket(appeal: NewAppeal, *, by: User | None = None, now: datetime | None = None) -> Ticket:
    """Store one appeal (a batch of one). Returns the ticket with `tracking_code` set (shown once)."""
    return create_tickets([appeal], by=by, now=now)[0].ticket()
