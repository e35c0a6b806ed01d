"""Delivery on the queue (huey; worker: `youhu run_huey`): one task per outbox row, queued when the row's
transaction commits, re-queued with backoff after a retryable failure, and a sweep each minute for rows that
a dead worker or a lost task left behind."""

from __future__ import annotations

import logging
from datetime import datetime

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from youhu import clock

from . import delivery

log = logging.getLogger(__name__)


@db_task()
def deliver_message(message_id: int) -> None:
    due = delivery.deliver(message_id)
    if due is not None:
        _schedule(message_id, due)


def _schedule(message_id: int, due: datetime) -> None:
    delay = max(0.0, (due - clock.now()).total_seconds())
    try:
        deliver_message.schedule((message_id,), delay=delay)
    except Exception:
        log.exception("could not schedule the next try of outbox message %s; the sweep will", message_id)


def enqueue(items: list[tuple[int, datetime | None]]) -> int:
    """Queue these rows now (those not yet due, for when they are). With the broker down the rest wait for
    the sweep: they are pending in the database, so nothing is lost."""
    now = clock.now()
    queued = 0
    for pk, not_before in items:
        try:
            if not_before is not None and not_before > now:
                deliver_message.schedule((pk,), delay=(not_before - now).total_seconds())
            else:
                deliver_message(pk)
        except Exception:
            log.exception("could not queue outbox message %s (queue unavailable?); the sweep will", pk)
            break
        queued += 1
    return queued


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    ids, retaken, doubtful = delivery.sweep()
    if retaken or doubtful:
        log.warning("outbox: %s interrupted deliveries resent with the same id, %s set 待核实", retaken, doubtful)
    if ids:
        log.warning("outbox: re-queueing %s messages whose task was lost or late", len(ids))
        enqueue([(pk, None) for pk in ids])
