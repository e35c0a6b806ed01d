"""Ticket events are append-only: the ORM refuses, and so does the database itself (migration 0002)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from youhu.tickets.models import Status, TicketEvent


@pytest.fixture
def event(district):
    ticket = district.ticket_in(Status.HANDLING)
    return TicketEvent.objects.filter(ticket=ticket).first()


def test_orm_refuses_to_change_or_delete_an_event(event):
    event.reason = "篡改"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        TicketEvent.objects.filter(pk=event.pk).update(reason="篡改")
    with pytest.raises(PermissionError):
        TicketEvent.objects.filter(pk=event.pk).delete()
    stored = TicketEvent.objects.get(pk=event.pk)
    assert stored.reason == "" and stored.action == "create"


@pytest.mark.parametrize("sql", [
    "UPDATE tickets_ticketevent SET reason = 'tampered' WHERE id = %s",
    pytest.param("DELETE FROM tickets_ticketevent WHERE id = %s", marks=pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite has no delete trigger: its test runner empties tables with DELETE (tickets 0002)")),
])
def test_database_refuses_raw_update_and_delete(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    stored = TicketEvent.objects.get(pk=event.pk)
    assert (stored.reason, stored.action) == ("", "create")


def test_deleting_a_ticket_with_history_is_refused(event):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        event.ticket.delete()
    assert TicketEvent.objects.filter(pk=event.pk).exists()


def test_every_transition_appends_exactly_one_event(district):
    ticket = district.ticket_in(Status.CLOSED)
    events = list(TicketEvent.objects.filter(ticket=ticket))
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("create", "", Status.NEW),
        ("register", Status.NEW, Status.REGISTERED),
        ("dispatch", Status.REGISTERED, Status.DISPATCHED),
        ("accept", Status.DISPATCHED, Status.HANDLING),
        ("reply", Status.HANDLING, Status.REPLIED),
        ("review", Status.REPLIED, Status.CLOSED),
    ]
    assert [e.actor for e in events][1:4] == [district.dispatcher, district.dispatcher, district.handler]
