"""The lean INSERT stores exactly what `save()` would: every column, adapted by the fields themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F, Model

from youhu import clock
from youhu.db import insert, update_row
from youhu.tickets.models import Status, Ticket, TicketEvent


def _columns(obj: Model) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}


def test_insert_stores_the_same_row_as_save(district):
    now = clock.now()
    fields = dict(channel="api", title="路灯不亮", content="新港东路 12 号路灯不亮", appellant_phone="13800138000",
                  lat=23.1, lon=113.3, created_at=now, reply_due=now + timedelta(days=5),
                  status=Status.NEW, street=district.street, community=district.community,
                  category=district.category, main_unit=district.roads)
    by_insert = insert(Ticket(number="20260101-900001", **fields))
    by_save = Ticket.objects.create(number="20260101-900002", **fields)
    assert by_insert.pk is not None and not by_insert._state.adding
    stored, reference = Ticket.objects.get(pk=by_insert.pk), Ticket.objects.get(pk=by_save.pk)
    expected = _columns(reference) | {"number": "20260101-900001"}
    assert _columns(stored) == expected


def test_insert_keeps_json_payloads_and_foreign_keys(district):
    ticket = district.ticket_in(Status.NEW)
    event = insert(TicketEvent(ticket=ticket, action="note", actor_label="系统", at=clock.now(),
                               payload={"词": ["甲", 1, None], "n": {"x": 1.5}}, public=True))
    stored = TicketEvent.objects.get(pk=event.pk)
    assert stored.ticket_id == ticket.pk
    assert stored.payload == {"词": ["甲", 1, None], "n": {"x": 1.5}} and stored.public is True


def test_update_row_writes_what_a_queryset_update_would(district):
    now = clock.now()
    a, b = district.ticket_in(Status.NEW), district.ticket_in(Status.NEW)
    values = {"status": Status.DISPATCHED, "main_unit": district.roads, "category": district.category,
              "reply_due": now + timedelta(days=3), "location_unresolved": True, "street": None}
    assert update_row(Ticket, a.pk, values) == 1
    Ticket.objects.filter(pk=b.pk).update(**values)
    stored, reference = Ticket.objects.get(pk=a.pk), Ticket.objects.get(pk=b.pk)
    assert _columns(stored) == _columns(reference) | {"number": a.number, "tracking_code_hash": a.tracking_code_hash}


def test_update_row_with_a_counter_changes_nothing_once_someone_else_has(district):
    ticket = district.ticket_in(Status.NEW)
    read = ticket.version
    assert update_row(Ticket, ticket.pk, {"title": "第一次"}, counter="version", expected=read) == 1
    assert update_row(Ticket, ticket.pk, {"title": "过时的"}, counter="version", expected=read) == 0
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.title, stored.version) == ("第一次", read + 1)
    with pytest.raises(TypeError, match="expressions"):
        update_row(Ticket, ticket.pk, {"version": F("version") + 1})
