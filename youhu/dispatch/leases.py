"""Leases on tickets being triaged: which of a batch's tickets this worker may triage (models.TriageLease)."""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db.models import Q

from youhu import clock, db
from youhu.tickets.models import Status, Ticket

from .models import TriageLease

# Far longer than a batch takes (well under a second, seconds for the first one that loads the model). A
# crashed worker's tickets are taken back when it runs out (intake.tasks, each minute) or, on the worker's own
# host, as soon as its process is found gone.
LEASE = timedelta(minutes=5)

# Who holds a lease: this host (8 hex digits of its name's hash), the process id and a random part, so that a
# worker starting on the same host can tell a dead holder's leases from a living one's (32 characters: the
# column's width).
HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]


def _holder() -> str:
    return f"{HOST}.{os.getpid():x}.{uuid.uuid4().hex}"[:32]


def _dead_here(holder: str) -> bool:
    """Whether the holder is a process of this host that no longer exists (False when it cannot tell)."""
    host, _, rest = holder.partition(".")
    pid_hex, _, _ = rest.partition(".")
    if host != HOST or not pid_hex:
        return False
    try:
        os.kill(int(pid_hex, 16), 0)
    except ProcessLookupError:
        return True
    except (ValueError, OSError):  # not a pid, or a process of another user: alive as far as we know
        return False
    return False


@contextmanager
def leased(ticket_ids: list[int], now: datetime | None = None) -> Iterator[list[int]]:
    """Lease those of `ticket_ids` that nobody else holds (or whose lease ran out) for the block; yields
    them, in the given order, and lets them go afterwards."""
    now = now or clock.now()
    holder = _holder()
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


def take_back(now: datetime | None = None) -> list[int]:
    """Forget the leases whose worker is gone — ran out (crashed or killed mid-batch, however long ago), or held
    by a process of this host that no longer exists — and return their tickets still NEW, to be queued again.
    Leases are few (the batches in flight), so they are read whole; nothing is written when none is abandoned."""
    now = now or clock.now()
    rows = list(TriageLease.objects.values_list("ticket_id", "holder", "until"))
    dead = {holder for _pk, holder, _until in rows if _dead_here(holder)}
    abandoned = [pk for pk, holder, until in rows if until < now or holder in dead]
    if not abandoned:
        return []
    with db.writing():
        # Only the rows still as read: a living worker that leased one of them again meanwhile keeps it (its
        # ticket's task, queued again below, then finds it held and returns).
        TriageLease.objects.filter(Q(until__lt=now) | Q(holder__in=dead), ticket_id__in=abandoned).delete()
        return list(Ticket.objects.filter(pk__in=abandoned, status=Status.NEW).order_by("pk")
                    .values_list("pk", flat=True))
