"""What every writer of a ticket shares: the input limits, who an actor is shown as, the event log, the
inbox messages and what the outbox is told (robots, SMS and e-mail: youhu.notify)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from youhu import db
from youhu.directory.models import Unit, User
from youhu.notify import outbox

from ..errors import InvalidInput
from ..models import Notification, Ticket, TicketEvent

TITLE_MAX = 200
CONTENT_MAX = 5000
REASON_MAX = 2000
REPLY_MAX = 10000
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")
SYSTEM_LABEL = "系统"
APPELLANT_LABEL = "诉求人"


def label_of(by: User | None, default: str = SYSTEM_LABEL) -> str:
    return str(by) if by is not None else default


# What no stored text keeps (docs/security.md): C0 controls but tab and newline, DEL, C1 controls, lone surrogates
# and the non-characters U+FFFE/U+FFFF. None of them is text a person means, several break the XML of the Open311
# feed (XML 1.0 forbids them) and a lone surrogate cannot even be encoded as UTF-8.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_ENDS = re.compile("\r\n?")


def clean_text(value: str) -> str:
    """`value` without control characters; CR LF and a lone CR become LF, tab and LF stay."""
    if not CONTROL_RE.search(value) and "\r" not in value:
        return value  # the common case, no copy
    return CONTROL_RE.sub("", _LINE_ENDS.sub("\n", value))


def require_text(value: str | None, field: str, label: str, max_len: int = REASON_MAX) -> str:
    text = clean_text(value or "").strip()
    if not text:
        raise InvalidInput(f"请填写{label}", field=field)
    if len(text) > max_len:
        raise InvalidInput(f"{label}不能超过 {max_len} 字", field=field)
    return text


def log_event(
    ticket: Ticket,
    action: str,
    *,
    by: User | None,
    now: datetime,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    public: bool = False,
    actor_label: str | None = None,
) -> TicketEvent:
    return db.insert(TicketEvent(
        ticket=ticket,
        action=action,
        actor=by,
        actor_label=actor_label or label_of(by),
        unit=by.unit if by is not None else None,
        at=now,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        payload=payload or {},
        public=public,
    ))


def notify(*, ticket: Ticket | None, kind: str, message: str, now: datetime,
           units: Iterable[Unit] = (), users: Iterable[User] = ()) -> list[Notification]:
    units, users = list(units), list(users)
    rows = [Notification(ticket=ticket, unit=u, kind=kind, message=message, created_at=now) for u in units]
    rows += [Notification(ticket=ticket, user=u, kind=kind, message=message, created_at=now) for u in users]
    if ticket is not None:  # the inbox above; robots, SMS and e-mail through the outbox
        outbox.tell(outbox.Notice(f"unit.{kind}", ticket_id=ticket.pk, number=ticket.number, title=ticket.title,
                                  message=message, unit_ids=tuple(u.pk for u in units),
                                  user_ids=tuple(u.pk for u in users)), now=now)
    return Notification.objects.bulk_create(rows)


def tell_appellant(event: str, *tickets: Ticket, now: datetime) -> None:
    """The appellant's SMS (notify decides whether the phone and the hour allow one)."""
    outbox.tell(*(outbox.Notice(event, ticket_id=t.pk, number=t.number, phone=t.appellant_phone) for t in tickets),
                now=now)
