"""Intake's own writes: an appeal stored as a ticket (numbered, with its 'create' event and its photo), and
the settings of what follows. What happens next (triage now or through the queue) is `flows.submit_appeal`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File

from youhu import db
from youhu.directory.models import User
from youhu.tickets import services as tickets
from youhu.tickets.models import Ticket

TRIAGE_BATCH = 32  # tickets triaged together: one classification call, reference data read once


def triage_deferred() -> bool:
    return settings.YOUHU.get("TRIAGE", "inline") == "deferred"


def store_appeal(appeal: tickets.NewAppeal, *, by: User | None, now: datetime,
                 photo: File | None = None) -> Ticket:
    """One write section, one commit: the ticket and its photo. Raises InvalidInput on bad input; the ticket
    returned carries `tracking_code` (shown to the appellant once)."""
    with db.writing():
        ticket = tickets.create_ticket(appeal, by=by, now=now)
        if photo is not None:
            ticket.photo.save(f"{ticket.number}{Path(photo.name or '').suffix.lower()[:8]}", photo, save=False)
            db.update_row(Ticket, ticket.pk, {"photo": ticket.photo.name})
    return ticket
