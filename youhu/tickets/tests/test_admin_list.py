"""The admin's ticket list costs the same number of queries for 3 rows as for 12 (nullable FKs joined)."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from youhu.testing.factories import make_area
from youhu.tickets.models import Status


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/admin/tickets/ticket/").status_code == 200
    return len(ctx.captured_queries)


def test_ticket_changelist_queries_do_not_grow_with_rows(district):
    district.admin.is_staff = district.admin.is_superuser = True
    district.admin.save()
    admin_client = Client()
    admin_client.force_login(district.admin)
    streets = [make_area(f"第{i}街道") for i in range(4)]
    for i in range(3):
        district.ticket_in(Status.DISPATCHED, street=streets[i % 4])
    _queries(admin_client)  # the first request of a session reads more (session, second factor)
    few = _queries(admin_client)
    for i in range(9):
        district.ticket_in(Status.DISPATCHED if i % 2 else Status.NEW, street=streets[i % 4])
    assert _queries(admin_client) == few


def test_estimated_count_is_exact_for_small_or_filtered_tables(district):
    from youhu.tickets.models import Ticket
    from youhu.tickets.search import estimated_count

    district.ticket_in(Status.NEW)
    district.ticket_in(Status.DISPATCHED)
    assert estimated_count(Ticket.objects.all()) == 2
    assert estimated_count(Ticket.objects.filter(status=Status.NEW)) == 1
