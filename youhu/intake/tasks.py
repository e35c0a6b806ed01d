"""Triage in the background (huey; worker: `youhu run_huey`): bulk imports and YOUHU["TRIAGE"] = "deferred".

An acknowledged appeal is never lost: it is stored (NEW, in the dispatchers' 待受理 queue) before its triage is
queued, and whatever happens to the queue afterwards it stays there until triaged or taken up by a person.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from youhu import clock
from youhu.dispatch import leases
from youhu.dispatch import services as dispatch
from youhu.dispatch.models import Suggestion, TriageLease
from youhu.tickets.models import Status, Ticket, TicketEvent

from .idempotency import KEEP, purge_expired
from .services import TRIAGE_BATCH, triage_deferred

log = logging.getLogger(__name__)

# The sweeper re-queues NEW tickets acknowledged between these two ages that have no triage yet and no
# lease: older than a queued task takes on an idle worker (the sweep runs only when the queue is empty),
# young enough that a ticket whose triage keeps failing is left to the dispatchers after a bounded number
# of sweeps. A minute: a task a killed worker had taken off the queue but not yet leased its ticket for is
# lost with it, and this is what finds that ticket again (bench/crash.py).
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_WITHIN = timedelta(hours=1)
SWEEP_LIMIT = 2000


# Under a backlog a task triages its ticket together with the next ones waiting (each costs several ms
# less so: the model classifies them in one call, reference data and duplicate pools are read once). Their
# own tasks then find them triaged and return at once. The window bounds the rows looked at for them.
BATCH_WINDOW = 10 * TRIAGE_BATCH


@HUEY.on_startup()
def yield_to_requests() -> None:
    """Each worker of `youhu run_huey` lowers its priority by YOUHU["QUEUE_NICE"]. Sharing the cores with the
    API, a worker at full priority keeps pace with every appeal in small batches and both slow down; lowered,
    it leaves the cores to the requests and triages in their wake, in larger batches (docs/dispatch.md has
    the figures of bench/intake.py). Alone on its machine it loses nothing."""
    nice = int(settings.YOUHU.get("QUEUE_NICE", 0))
    if nice > 0:
        os.nice(nice)


@db_task(retries=2, retry_delay=10)
def triage_ticket(ticket_id: int) -> None:
    """Triage one ticket if it is still NEW, with the next ones waiting for triage. A failure of this one
    leaves it NEW and is raised so that huey retries; the others' are left to the sweeper."""
    if not leases.awaiting_triage(ticket_id):
        # Triaged meanwhile (with another's batch, a sweep's duplicate), in a batch being triaged now, taken
        # up by a person, or gone. Under a backlog most tasks end here: one read, no write.
        return
    with leases.leased([ticket_id, *waiting_after(ticket_id, TRIAGE_BATCH - 1)]) as mine:
        if ticket_id not in mine:
            return  # in another worker's batch right now
        # Read once leased: a ticket another worker triaged between the two reads is no longer NEW.
        batch = list(Ticket.objects.filter(pk__in=mine, status=Status.NEW).order_by("pk"))
        failed = dispatch.triage_many(batch)
    for ticket in batch:
        if ticket.pk in failed:
            own = ticket.pk == ticket_id
            log.warning("triage of ticket %s failed (%s); %s", ticket.number, failed[ticket.pk],
                        "retried by the queue, else left NEW for the dispatchers" if own
                        else "left NEW for the sweeper or the dispatchers")
    if ticket_id in failed:
        raise failed[ticket_id]


def waiting_after(ticket_id: int, limit: int) -> list[int]:
    """The next NEW tickets after `ticket_id` whose triage was queued (their own tasks may still be waiting)."""
    queued = TicketEvent.objects.filter(_queued_for_triage(), ticket=OuterRef("pk"), action="create")
    return list(Ticket.objects.filter(pk__range=(ticket_id + 1, ticket_id + BATCH_WINDOW), status=Status.NEW)
                .filter(Exists(queued)).order_by("pk").values_list("pk", flat=True)[:limit])


def _queued_for_triage() -> Q:
    """Create events of tickets whose triage goes through the queue: imports with `--triage queue`, and with
    deferred triage every other appeal."""
    queued = Q(payload__triage="queue")
    if triage_deferred():
        queued |= ~Q(payload__has_key="import")
    return queued


def enqueue_triage(ticket_ids: Iterable[int]) -> int:
    """Put one triage task per ticket on the queue now; returns how many were queued.

    With the broker down the rest are not queued: they stay NEW, for the sweeper or the dispatchers.
    """
    queued = 0
    for pk in ticket_ids:
        try:
            triage_ticket(pk)
        except Exception:
            log.exception("could not queue the triage of ticket id %s (queue unavailable?); it stays NEW", pk)
            break
        queued += 1
    return queued


def queue_triage(ticket_ids: Iterable[int]) -> None:
    """Queue the triage of these tickets once the current transaction commits (never before they exist;
    not at all if it rolls back)."""
    transaction.on_commit(partial(enqueue_triage, list(ticket_ids)))


def untriaged(now=None) -> list[int]:
    """Tickets whose triage was to be queued, acknowledged a while ago (SWEEP_AFTER..SWEEP_WITHIN), still NEW
    and never triaged: imports with `--triage queue`, and with deferred triage every other appeal."""
    now = now or clock.now()
    acknowledged = TicketEvent.objects.filter(_queued_for_triage(), ticket=OuterRef("pk"), action="create",
                                              at__range=(now - SWEEP_WITHIN, now - SWEEP_AFTER))
    triaged = Suggestion.objects.filter(ticket=OuterRef("pk"))
    leased = TriageLease.objects.filter(ticket=OuterRef("pk"))  # being triaged, or requeue_abandoned's
    return list(Ticket.objects.filter(Exists(acknowledged), status=Status.NEW).exclude(Exists(triaged))
                .exclude(Exists(leased)).order_by("pk").values_list("pk", flat=True)[:SWEEP_LIMIT])


@db_periodic_task(crontab(minute="*"))
def sweep_untriaged() -> None:
    """Re-queue tickets whose triage never got onto the queue (the broker was down when they were
    acknowledged). Waits while the queue still has work: those tickets may simply not have had their turn.
    Tickets a dead worker had leased are `requeue_abandoned`'s, whatever their age."""
    if HUEY.pending_count():
        return
    ids = untriaged()
    if ids:
        log.warning("re-queueing the triage of %s NEW tickets that were never triaged", len(ids))
        enqueue_triage(ids)


def requeue_abandoned_leases() -> int:
    """Queue again the triage of the tickets whose lease's worker is gone (leases.take_back); how many."""
    ids = leases.take_back()
    if ids:
        log.warning("a triage worker stopped with %s tickets leased; their triage is queued again", len(ids))
        enqueue_triage(ids)
    return len(ids)


@db_periodic_task(crontab(minute="*"))
def requeue_abandoned() -> int:
    """Each minute, not waiting for the queue to drain: a killed worker's tickets are queued again within a
    minute of their lease running out, with no age limit (a worker down for a day leaves none behind)."""
    return requeue_abandoned_leases()


@HUEY.on_startup()
def take_back_dead_workers_leases() -> None:
    """A worker starting on a host where an earlier one was killed queues that one's tickets again at once
    (their holder's process is gone), without waiting for their leases to run out."""
    try:
        requeue_abandoned_leases()
    except Exception:  # the database not reachable yet: the periodic task will
        log.exception("could not take back the leases of dead triage workers at start")
    finally:
        if not connection.in_atomic_block:
            connection.close()  # the worker's tasks open their own when they need one


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_idempotency_records() -> None:
    """Nightly: the remembered answers to Idempotency-Keys are kept for a week (idempotency.KEEP)."""
    purged = purge_expired()
    if purged:
        log.info("forgot %s idempotency records older than %s", purged, KEEP)
