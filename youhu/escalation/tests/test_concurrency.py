"""Two copies of the pass at once on PostgreSQL: every escalation is sent exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from youhu.escalation.models import Escalation
from youhu.escalation.services import PassSummary, run_pass
from youhu.testing.factories import at
from youhu.tickets.models import Notification, Status, TicketEvent

needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SELECT ... FOR UPDATE SKIP LOCKED needs PostgreSQL; SQLite serialises writers anyway",
)


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_two_copies_at_once_send_each_escalation_once(district):
    tickets = [district.ticket_in(Status.HANDLING) for _ in range(40)]
    moment = at("2026-03-24 09:00")  # every reply deadline missed: one 督办 each
    start = threading.Barrier(2)
    results: list[PassSummary] = []
    errors: list[BaseException] = []

    def copy() -> None:
        try:
            start.wait()
            results.append(run_pass(now=moment, batch=3))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=copy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(r.supervise for r in results) == len(tickets)
    assert Escalation.objects.filter(kind="supervise").count() == len(tickets)
    assert TicketEvent.objects.filter(action="supervise").count() == len(tickets)
    assert Notification.objects.filter(kind="supervise").count() == len(tickets)
