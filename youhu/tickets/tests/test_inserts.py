"""The lean INSERT stores exactly what `save()` would: every column, adapted by the fields themselves."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Model

from youhu import clock
from youhu.tickets.inserts import insert
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
