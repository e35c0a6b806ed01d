"""Leases on tickets being triaged: which of a batch's tickets this worker may triage (models.TriageLease)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from youhu import clock, db
from youhu.tickets.models import Status, Ticket

from .models import TriageLease

# Far longer than a batch takes (well under a second), short enough that a crashed worker's tickets are
# triaged again by the sweeper's next passes.
LEASE = timedelta(minutes=5)


@contextmanager
def leased(ticket_ids: list[int], now: datetime | None = None) -> Iterator[list[int]]:
    """Lease those of `ticket_ids` that nobody else holds (or whose lease ran out) for the block; yields
    them, in the given order, and lets them go afterwards."""
    now = now or clock.now()
    holder = uuid.uuid4().hex
    with db.writing():
        TriageLease.objects.filter(ticket_id__in=ticket_ids, until__lt=now).delete()
        TriageLease.objects.bulk_create([TriageLease(ticket_id=pk, holder=holder, until=now + LEASE)
                                         for pk in ticket_ids], ignore_conflicts=True)
        mine = set(TriageLease.objects.filter(ticket_id__in=ticket_ids, holder=holder)
                   .values_list("ticket_id", flat=True))
    try:
        yield [pk for pk in ticket_ids if pk in mine]
    finally:
        if mine:
            with db.writing():
                TriageLease.objects.filter(holder=holder).delete()


def awaiting_triage(ticket_id: int, now: datetime | None = None) -> bool:
    """Whether the ticket is still NEW and no worker holds a lease on it: the question every queued triage task
    asks first. Under a backlog most tasks find their ticket triaged with an earlier one's batch, so this runs
    once per appeal: a statement compiled once (`db.unclaimed`), not a QuerySet with a subquery built anew."""
    return db.unclaimed(Ticket, ticket_id, equal={"status": Status.NEW}, claims=TriageLease, claim_key="ticket",
                        claim_until="until", now=now or clock.now())


def purge_expired(now: datetime | None = None) -> int:
    """Forget the leases that ran out (their worker crashed or was killed mid-batch); returns how many."""
    now = now or clock.now()
    if not TriageLease.objects.filter(until__lt=now).exists():
        return 0  # the usual case: no write
    with db.writing():
        return TriageLease.objects.filter(until__lt=now).delete()[0]
