"""The supervisor's hand actions. Thin over tickets.services, which checks roles and states."""

from __future__ import annotations

from datetime import datetime

from youhu import clock
from youhu.directory.models import User
from youhu.tickets import services as tickets
from youhu.tickets.errors import InvalidInput, InvalidTransition, NotAllowed
from youhu.tickets.models import Extension, Status, Ticket, TicketEvent

ESCALATION_LABELS = {"supervise": "督办", "notice": "书面通报"}


def _require_supervisor(by: User) -> None:
    if not by.has_role("supervisor", "admin"):
        raise NotAllowed("只有督办员可以执行此操作")


def escalate(ticket: Ticket, *, kind: str, by: User, message: str = "", now: datetime | None = None
             ) -> TicketEvent:
    """Issue 督办 or 书面通报 by hand to the ticket's main unit (an open ticket only)."""
    now = now or clock.now()
    if kind not in ESCALATION_LABELS:
        raise InvalidInput("请选择督办或书面通报", field="kind")
    if ticket.status not in (Status.DISPATCHED, Status.HANDLING) or ticket.main_unit is None:
        raise InvalidTransition(f"工单 {ticket.number} 不在办理中，不能{ESCALATION_LABELS[kind]}")
    label = ESCALATION_LABELS[kind]
    text = message.strip() or f"工单 {ticket.number}（{ticket.title}）已超过办结时限，请立即办理并反馈。"
    return tickets.record_escalation(ticket, kind=kind, message=f"【{label}】{text}", units=[ticket.main_unit],
                                     by=by, now=now, payload={"manual": True})


def decide(extension: Extension, *, by: User, approve: bool, reason: str = "", now: datetime | None = None
           ) -> Extension:
    return tickets.decide_extension(extension, by=by, approve=approve, reason=reason, now=now)


def send_back(ticket: Ticket, *, by: User, reason: str, now: datetime | None = None) -> Ticket:
    """退回重办: a poor reply goes back to the unit with the supervisor's reason."""
    return tickets.reopen(ticket, by=by, reason=reason, now=now)


def release(ticket: Ticket, *, by: User, reason: str = "", now: datetime | None = None) -> Ticket:
    """A held reply (flagged by the quality check) goes out to the appellant after all."""
    _require_supervisor(by)
    if not ticket.reply_withheld:
        raise InvalidTransition(f"工单 {ticket.number} 的答复未被暂缓")
    return tickets.release_reply(ticket, by=by, reason=reason, now=now)
