"""Leases on tickets being triaged: which of a batch's tickets this worker may triage (models.TriageLease)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import transaction

from youhu import clock
from youhu.tickets.writelock import write_lock

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
    with write_lock(), transaction.atomic():
        TriageLease.objects.filter(ticket_id__in=ticket_ids, until__lt=now).delete()
        TriageLease.objects.bulk_create([TriageLease(ticket_id=pk, holder=holder, until=now + LEASE)
                                         for pk in ticket_ids], ignore_conflicts=True)
        mine = set(TriageLease.objects.filter(ticket_id__in=ticket_ids, holder=holder)
                   .values_list("ticket_id", flat=True))
    try:
        yield [pk for pk in ticket_ids if pk in mine]
    finally:
        if mine:
            with write_lock(), transaction.atomic():
                TriageLease.objects.filter(holder=holder).delete()


def purge_expired(now: datetime | None = None) -> int:
    """Forget the leases that ran out (their worker crashed or was killed mid-batch); returns how many."""
    now = now or clock.now()
    if not TriageLease.objects.filter(until__lt=now).exists():
        return 0  # the usual case: no write
    with write_lock(), transaction.atomic():
        return TriageLease.objects.filter(until__lt=now).delete()[0]
