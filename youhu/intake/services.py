"""Intake's one way in: every channel stores an appeal through `submit_appeal`, then hands it to triage."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from django.core.files import File
from django.db import transaction

from youhu import clock
from youhu.directory.models import User
from youhu.dispatch import services as dispatch
from youhu.tickets import services as tickets
from youhu.tickets.models import Ticket

log = logging.getLogger(__name__)


def run_triage(ticket: Ticket, *, now: datetime | None = None) -> None:
    """Classify and route; a failure here must never lose the acknowledged appeal, which stays NEW."""
    try:
        with transaction.atomic():  # a failed triage leaves none of its half-done writes behind
            dispatch.triage(ticket, now=now)
    except Exception:
        log.exception("triage failed for ticket %s; left for the dispatcher", ticket.number)
        ticket.refresh_from_db()


def submit_appeal(appeal: tickets.NewAppeal, *, by: User | None = None, now: datetime | None = None,
                  photo: File | None = None) -> Ticket:
    """Store the appeal (numbered, with its 'create' event, and its photo) and triage it.

    Raises InvalidInput on bad input. The returned ticket carries `tracking_code` (shown to the appellant once).
    """
    now = now or clock.now()
    if photo is None:
        ticket = tickets.create_ticket(appeal, by=by, now=now)
    else:
        with transaction.atomic():  # no ticket without its photo
            ticket = tickets.create_ticket(appeal, by=by, now=now)
            ticket.photo.save(f"{ticket.number}{Path(photo.name or '').suffix.lower()[:8]}", photo, save=False)
            Ticket.objects.filter(pk=ticket.pk).update(photo=ticket.photo.name)
    code = ticket.tracking_code  # type: ignore[attr-defined]
    run_triage(ticket, now=now)
    ticket.tracking_code = code  # type: ignore[attr-defined]
    return ticket
