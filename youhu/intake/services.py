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
from youhu.tickets.writelock import write_lock

log = logging.getLogger(__name__)


TRIAGE_BATCH = 32  # tickets triaged together: one classification call, reference data read once


def run_triage_many(batch: list[Ticket], *, now: datetime | None = None) -> int:
    """Triage these tickets now (inline intake, imports with `--triage now`), in batches. A failure must never
    lose an acknowledged appeal: its ticket stays NEW for the dispatchers (logged, never raised). Returns how
    many failed."""
    failures = 0
    for start in range(0, len(batch), TRIAGE_BATCH):
        part = batch[start:start + TRIAGE_BATCH]
        try:
            failed = dispatch.triage_many(part, now=now)
        except Exception:
            log.exception("triage failed for tickets %s; left for the dispatcher", [t.number for t in part])
            failures += len(part)
            continue
        for ticket in part:
            if ticket.pk in failed:
                log.warning("triage failed for ticket %s; left for the dispatcher", ticket.number,
                            exc_info=failed[ticket.pk])
        failures += len(failed)
    return failures


def triage_deferred() -> bool:
    return settings.YOUHU.get("TRIAGE", "inline") == "deferred"


def submit_appeal(appeal: tickets.NewAppeal, *, by: User | None = None, now: datetime | None = None,
                  photo: File | None = None) -> Ticket:
    """Store the appeal (numbered, with its 'create' event, and its photo) and triage it.

    Raises InvalidInput on bad input. The returned ticket carries `tracking_code` (shown to the appellant once).
    """
    from .tasks import enqueue_triage, queue_triage  # tasks import this module

    now = now or clock.now()
    deferred = triage_deferred()
    # Queued after the write section when this is the outermost transaction: the serialised section holds
    # only the writes and their commit. Inside a caller's transaction, queued when that one commits.
    outermost = not transaction.get_connection().in_atomic_block
    with write_lock(), transaction.atomic():  # one commit: the ticket and its photo
        ticket = tickets.create_ticket(appeal, by=by, now=now)
        if photo is not None:
            ticket.photo.save(f"{ticket.number}{Path(photo.name or '').suffix.lower()[:8]}", photo, save=False)
            Ticket.objects.filter(pk=ticket.pk).update(photo=ticket.photo.name)
        if deferred and not outermost:
            queue_triage([ticket.pk])
    if deferred and outermost:
        enqueue_triage([ticket.pk])
    code = ticket.tracking_code  # type: ignore[attr-defined]
    if not deferred:
        run_triage_many([ticket], now=now)
    ticket.tracking_code = code  # type: ignore[attr-defined]
    return ticket
