"""What every writer of a ticket shares: the input limits, who an actor is shown as, the event log and the
inbox messages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from youhu import db
from youhu.directory.models import Unit, User

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


def require_text(value: str | None, field: str, label: str, max_len: int = REASON_MAX) -> str:
    text = (value or "").strip()
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
    rows = [Notification(ticket=ticket, unit=u, kind=kind, message=message, created_at=now) for u in units]
    rows += [Notification(ticket=ticket, user=u, kind=kind, message=message, created_at=now) for u in users]
    return Notification.objects.bulk_create(rows)
