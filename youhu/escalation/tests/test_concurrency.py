"""Several copies of the pass at once on PostgreSQL (threads, and `youhu escalate --loop` processes as on
several app servers): every escalation is sent exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections

from youhu import clock
from youhu.escalation.models import Escalation
from youhu.escalation.services import PassSummary, run_pass
from youhu.testing.factories import at
from youhu.tickets import services
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


def _loops(count: int) -> list[subprocess.Popen]:
    """`youhu escalate --loop` in `count` processes of their own, on the test database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "YOUHU_DATABASE_URL": url, "YOUHU_LOG_LEVEL": "WARNING"}
    youhu = Path(sys.executable).with_name("youhu")
    return [subprocess.Popen([str(youhu), "escalate", "--loop", "--interval", "0.3"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(count)]


def _wait_for(count: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while Escalation.objects.count() < count and time.monotonic() < deadline:
        time.sleep(0.3)
    time.sleep(1.5)  # a few more passes of every loop: anything sent twice would show now
    return Escalation.objects.count()


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_three_escalate_loops_send_each_step_once_and_follow_a_moved_deadline(district):
    handling = [district.ticket_in(Status.HANDLING) for _ in range(20)]  # reply deadlines of March: long missed
    dispatched = [district.ticket_in(Status.DISPATCHED) for _ in range(10)]  # and their accept deadlines
    loops = _loops(3)
    try:
        assert _wait_for(len(handling) + 2 * len(dispatched)) == 40
        # Transferred yesterday (as a late import of the decision would record it): a new accept deadline,
        # already missed, which the loops must find although each had scheduled these tickets.
        yesterday = clock.now() - timedelta(days=1)
        for ticket in dispatched:
            ticket.refresh_from_db()
            services.transfer(ticket, by=district.dispatcher, unit=district.env, reason="属环保职责", now=yesterday)
        assert _wait_for(50) == 50
    finally:
        for loop in loops:
            loop.send_signal(signal.SIGTERM)
        for loop in loops:
            loop.wait(30)
    assert Escalation.objects.filter(kind="supervise").count() == 50
    assert TicketEvent.objects.filter(action="supervise").count() == 50
    assert Notification.objects.filter(kind="supervise").count() == 50
    for ticket in dispatched:
        dues = sorted(Escalation.objects.filter(ticket=ticket, deadline="accept").values_list("due", flat=True))
        ticket.refresh_from_db()
        assert len(dues) == 2 and dues[-1] == ticket.accept_due
