"""Enterprise's sequences across apps: a company's demand becomes a ticket, registered and dispatched by
the system to the category's default unit. `services.raise_demand` links it to the company."""

from __future__ import annotations

from datetime import datetime

from youhu import db
from youhu.directory.models import Unit, User
from youhu.tickets import services as tickets
from youhu.tickets.models import Ticket


def demand_to_ticket(appeal: tickets.NewAppeal, *, unit: Unit, by: User | None, now: datetime) -> Ticket:
    """Create the ticket (`by` on its create event), then register and dispatch it as the system's steps (the
    CSO is not a dispatcher; marked automatic in their events): all or nothing, in the caller's write section
    if it has one."""
    with db.writing():
        ticket = tickets.create_ticket(appeal, by=by, now=now)
        tickets.register(ticket, by=None, category=appeal.category, now=now)
        tickets.dispatch(ticket, by=None, unit=unit, now=now)
    return ticket
