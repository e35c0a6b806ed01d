"""Smart dispatch entry point called by intake after a ticket is created.

Placeholder until the classifier lands: registers the ticket so it waits in the dispatcher's queue.
"""

from __future__ import annotations

from datetime import datetime

from youhu.tickets import services as tickets
from youhu.tickets.models import Ticket


def triage(ticket: Ticket, *, now: datetime | None = None) -> Ticket:
    """Classify, locate and route a new ticket; dispatch it when confident, else leave it queued."""
    return tickets.register(ticket, by=None, now=now)
