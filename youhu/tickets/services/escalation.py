"""Escalation writes (催办 / 督办 / 书面通报): one ticket's, and the escalation pass's for many at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any

from django.db.models import Expression, Q, QuerySet

from youhu import clock, db
from youhu.directory.models import Unit, User
from youhu.notify import outbox

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
        _tell_escalations(notes, now)
    return len(events)


def _tell_escalations(notes: Sequence[EscalationNote], now: datetime) -> None:
    """The escalation pass's 催办 / 督办 / 通报 to the units' robots and the handlers who opted in."""
    if not outbox.enabled() or not notes:
        return
    known = {pk: (number, title) for pk, number, title in
             Ticket.objects.filter(pk__in={n.ticket_id for n in notes}).values_list("pk", "number", "title")}
    outbox.tell(*(outbox.Notice(f"unit.{n.kind}", ticket_id=n.ticket_id, number=known[n.ticket_id][0],
                                title=known[n.ticket_id][1], message=n.message, unit_ids=n.unit_ids,
                                user_ids=n.user_ids) for n in notes if n.ticket_id in known), now=now)


def schedule_escalation_looks(moments: Mapping[int, datetime | None]) -> None:
    """Set when the escalation pass looks at each ticket next (`Ticket.next_escalation_at`): the moment its ladder
    has something due, None when nothing is left. The pass calls it for the tickets it holds locked."""
    with db.writing():
        db.update_rows(Ticket, "next_escalation_at", moments)


def wake_for_escalation(tickets: QuerySet[Ticket], latest: Expression) -> int:
    """Bring `tickets`' next escalation look forward to `latest` (an expression of the row) where it is later or
    unset, never back: looking early costs a look, looking late would miss a step. Returns the rows changed."""
    later = Q(next_escalation_at__isnull=True) | Q(next_escalation_at__gt=latest)  # rows already early stay unwritten
    with db.writing():
        return tickets.filter(later).update(next_escalation_at=latest)
