"""Intake's sequences across apps: an appeal submitted through any channel is stored, then triaged by
dispatch, inline or through the queue (YOUHU["TRIAGE"]). Each app's services stay about its own domain."""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.files import File
from django.db import transaction

from youhu import clock
from youhu.directory.models import User
from youhu.dispatch import services as dispatch
from youhu.tickets import services as tickets
from youhu.tickets.models import Ticket

from . import tasks
from .services import TRIAGE_BATCH, store_appeal, triage_deferred

log = logging.getLogger(__name__)


def submit_appeal(appeal: tickets.NewAppeal, *, by: User | None = None, now: datetime | None = None,
                  photo: File | None = None) -> Ticket:
    """Submit → store → triage: the one way in for the API, the portal and Open311.

    Raises InvalidInput on bad input. The returned ticket carries `tracking_code` (shown to the appellant once).
    """
    now = now or clock.now()
    inside = transaction.get_connection().in_atomic_block
    ticket = store_appeal(appeal, by=by, now=now, photo=photo)
    code = ticket.tracking_code  # type: ignore[attr-defined]
    if not triage_deferred():
        run_triage_many([ticket], now=now)
    elif inside:
        tasks.queue_triage([ticket.pk])  # when the caller's transaction commits (not at all if it rolls back)
    else:
        # Queued after the write section: the serialised section holds only the writes and their commit.
        tasks.enqueue_triage([ticket.pk])
    ticket.tracking_code = code  # type: ignore[attr-defined]
    return ticket


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
