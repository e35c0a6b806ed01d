"""Two people acting on one ticket at the same moment, on real concurrent connections."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from youhu.tickets import services
from youhu.tickets.errors import Conflict
from youhu.tickets.models import Extension, Status, Ticket, TicketEvent
from youhu.tickets.tests.test_transitions import NOW

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs concurrent writers: SQLite's in-memory test database serialises them"),
    pytest.mark.django_db(transaction=True),
]


def race(*actions: Callable[[], object]) -> list[object]:
    """Start the actions at once, each on its own connection; return each result or exception."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = action()
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_accept_against_return_exactly_one_wins(district, attempt):
    ticket = district.ticket_in(Status.DISPATCHED)
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    # Both people opened the ticket page before either pressed the button: they hold the same version.
    mine, theirs = Ticket.objects.get(pk=ticket.pk), Ticket.objects.get(pk=ticket.pk)
    results = race(
        lambda: services.accept(mine, by=district.handler, now=NOW),
        lambda: services.return_ticket(theirs, by=district.handler, reason="非本单位职责", now=NOW),
    )
    conflicts = [r for r in results if isinstance(r, Conflict)]
    winners = [r for r in results if isinstance(r, Ticket)]
    assert len(conflicts) == 1 and len(winners) == 1, results
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == winners[0].status and stored.version == ticket.version + 1
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before + 1


def test_two_supervisors_deciding_one_extension(district):
    ticket = district.ticket_in(Status.HANDLING)
    ext = services.request_extension(ticket, by=district.handler, working_days=3, reason="等配件", now=NOW)
    first, second = Extension.objects.get(pk=ext.pk), Extension.objects.get(pk=ext.pk)
    results = race(
        lambda: services.decide_extension(first, by=district.supervisor, approve=True, now=NOW),
        lambda: services.decide_extension(second, by=district.admin, approve=False, reason="不同意", now=NOW),
    )
    assert sum(isinstance(r, Extension) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    decided = Extension.objects.get(pk=ext.pk)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.extension_count == (1 if decided.state == Extension.State.APPROVED else 0)
    assert TicketEvent.objects.filter(ticket=ticket, action__startswith="extension_").count() == 1
