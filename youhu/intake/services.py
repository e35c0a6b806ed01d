"""Intake's one way in: every channel stores an appeal through `submit_appeal`, then hands it to triage."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction

from youhu import clock
from youhu.directory.models import User
from youhu.dispatch import services as dispatch
from youhu.tickets import services as tickets
from youhu.tickets.models import Ticket

from .models import PendingTriage
from .writelock import write_lock

log = logging.getLogger(__name__)
TRIAGE_ATTEMPTS = 3


def run_triage(ticket: Ticket, *, now: datetime | None = None) -> str:
    """Classify and route; a failure here must never lose the acknowledged appeal, which stays NEW.

    Returns "" on success, else the error text.
    """
    try:
        with transaction.atomic():  # a failed triage leaves none of its half-done writes behind
            dispatch.triage(ticket, now=now)
    except Exception as exc:
        log.exception("triage failed for ticket %s; left for the dispatcher", ticket.number)
        ticket.refresh_from_db()
        return f"{type(exc).__name__}: {exc}"[:2000]
    return ""


def triage_deferred() -> bool:
    return settings.YOUHU.get("TRIAGE", "inline") == "deferred"


def queue_triage(ticket_ids: list[int], *, now: datetime | None = None) -> None:
    now = now or clock.now()
    PendingTriage.objects.bulk_create([PendingTriage(ticket_id=pk, queued_at=now) for pk in ticket_ids],
                                      ignore_conflicts=True)


def triage_pending(*, limit: int = 500, now: datetime | None = None) -> tuple[int, int]:
    """Triage up to `limit` queued tickets, oldest first. Returns (done, failed)."""
    done = failed = 0
    batch = list(PendingTriage.objects.filter(attempts__lt=TRIAGE_ATTEMPTS).select_related("ticket")[:limit])
    for item in batch:
        error = run_triage(item.ticket, now=now)
        if error:
            failed += 1
            PendingTriage.objects.filter(pk=item.pk).update(attempts=item.attempts + 1, last_error=error)
        else:
            done += 1
            PendingTriage.objects.filter(pk=item.pk).delete()
    return done, failed


def submit_appeal(appeal: tickets.NewAppeal, *, by: User | None = None, now: datetime | None = None,
                  photo: File | None = None) -> Ticket:
    """Store the appeal (numbered, with its 'create' event, and its photo) and triage it.

    Raises InvalidInput on bad input. The returned ticket carries `tracking_code` (shown to the appellant once).
    """
    now = now or clock.now()
    deferred = triage_deferred()
    with write_lock(), transaction.atomic():  # one commit: the ticket, its photo, its place in the queue
        ticket = tickets.create_ticket(appeal, by=by, now=now)
        if photo is not None:
            ticket.photo.save(f"{ticket.number}{Path(photo.name or '').suffix.lower()[:8]}", photo, save=False)
            Ticket.objects.filter(pk=ticket.pk).update(photo=ticket.photo.name)
        if deferred:
            queue_triage([ticket.pk], now=now)
    code = ticket.tracking_code  # type: ignore[attr-defined]
    if not deferred:
        run_triage(ticket, now=now)
    ticket.tracking_code = code  # type: ignore[attr-defined]
    return ticket
