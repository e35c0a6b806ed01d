"""Escalation writes (催办 / 督办 / 书面通报): one ticket's, and the escalation pass's for many at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any

from youhu import clock, db
from youhu.directory.models import Unit, User

from ..errors import InvalidInput
from ..models import Notification, Ticket, TicketEvent
from ..policy import require
from .events import SYSTEM_LABEL, log_event, notify


def record_escalation(ticket: Ticket, *, kind: str, message: str, units: Iterable[Unit],
                      users: Iterable[User] = (), by: User | None = None, now: datetime | None = None,
                      payload: dict[str, Any] | None = None) -> TicketEvent:
    """催办 / 督办 / 书面通报: an event on the ticket and a message in each recipient's inbox."""
    now = now or clock.now()
    if kind not in ESCALATION_KINDS:
        raise InvalidInput(f"未知督办类型：{kind}", field="kind")
    if by is not None and kind != "remind":
        require(kind, by, ticket)
    with db.writing():
        event = log_event(ticket, kind, by=by, now=now, reason=message, payload=payload)
        notify(ticket=ticket, kind=kind, message=message, now=now, units=units, users=users)
    return event


ESCALATION_KINDS = ("remind", "supervise", "notice")


@dataclass(slots=True)
class EscalationNote:
    """One escalation to record, by ids so that a batch needs no model instances."""

    ticket_id: int
    kind: str
    message: str
    unit_ids: tuple[int, ...] = ()
    user_ids: tuple[int, ...] = ()
    payload: dict[str, Any] = dataclass_field(default_factory=dict)


_EVENT_COLUMNS = ("ticket_id", "action", "actor_id", "actor_label", "unit_id", "at", "from_status", "to_status",
                  "reason", "payload", "public")
_NOTIFICATION_COLUMNS = ("ticket_id", "unit_id", "user_id", "kind", "message", "created_at")


def record_escalations(notes: Sequence[EscalationNote], *, now: datetime | None = None) -> int:
    """What `record_escalation` does, by the system, for many tickets at once (the escalation pass):
    one event per note and the inbox messages, as plain bulk inserts. Returns the number of events.
    """
    now = now or clock.now()
    for note in notes:
        if note.kind not in ESCALATION_KINDS:
            raise InvalidInput(f"未知督办类型：{note.kind}", field="kind")
    at = db.db_datetime(now)
    payloads: dict[int, Any] = {}  # notes often share one payload object: encode it once
    for n in notes:
        if id(n.payload) not in payloads:
            payloads[id(n.payload)] = db.db_json(n.payload)
    events = [(n.ticket_id, n.kind, None, SYSTEM_LABEL, None, at, "", "", n.message, payloads[id(n.payload)], False)
              for n in notes]
    messages = [(n.ticket_id, unit_id, None, n.kind, n.message, at)
                for n in notes for unit_id in dict.fromkeys(n.unit_ids)]
    messages += [(n.ticket_id, None, user_id, n.kind, n.message, at)
                 for n in notes for user_id in dict.fromkeys(n.user_ids)]
    with db.writing():
        db.insert_rows(TicketEvent, _EVENT_COLUMNS, events)
        db.insert_rows(Notification, _NOTIFICATION_COLUMNS, messages)
    return len(events)
