"""The lean INSERTs store exactly what `save()` would: every column, adapted by the fields themselves; the
compiled counter and lease statements read and write what the ORM would."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import F, Model

from youhu import clock
from youhu.db import increment, insert, insert_records, unclaimed, update_row
from youhu.dispatch.models import TriageLease
from youhu.tickets.models import DailyCounter, Status, Ticket, TicketEvent


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


def test_insert_records_stores_what_save_would_with_the_defaults_filled_in(district):
    now = clock.now()
    values = dict(channel="hotline", title="井盖缺失", content="小区门口井盖缺失", created_at=now,
                  street_id=district.street.pk, category_id=district.category.pk, lat=23.1, lon=113.3)
    one = insert_records(Ticket, [{"number": "20260101-900011", **values}])
    assert one is not None and len(one) == 1
    many = insert_records(Ticket, [{"number": f"20260101-90002{i}", **values} for i in range(3)])
    assert many is None  # a block: the caller reads the keys back
    reference = Ticket.objects.create(number="20260101-900030", **values)
    expected = _columns(Ticket.objects.get(pk=reference.pk))
    for number in ["20260101-900011", "20260101-900020", "20260101-900021", "20260101-900022"]:
        stored = Ticket.objects.get(number=number)
        assert _columns(stored) == expected | {"number": number}
    assert Ticket.objects.get(pk=one[0]).number == "20260101-900011"


def test_insert_records_converts_json_and_date_times_in_a_block(district):
    ticket, at = district.ticket_in(Status.NEW), clock.now()
    insert_records(TicketEvent, [{"ticket_id": ticket.pk, "action": "note", "actor_label": "系统", "at": at,
                                  "payload": {"词": [i, None]}} for i in range(2)])
    stored = list(TicketEvent.objects.filter(ticket=ticket, action="note").order_by("id"))
    assert [e.payload for e in stored] == [{"词": [0, None]}, {"词": [1, None]}]
    assert all(e.at == at and e.reason == "" and e.public is False for e in stored)


def test_increment_returns_the_new_value_or_none_without_a_row(db):
    day = date(2026, 1, 5)
    assert increment(DailyCounter, "last", 3, where={"day": day}) is None
    DailyCounter.objects.create(day=day, last=7)
    assert increment(DailyCounter, "last", 3, where={"day": day}) == 10
    assert increment(DailyCounter, "last", 1, where={"day": day}) == 11
    assert DailyCounter.objects.get(day=day).last == 11


def test_unclaimed_sees_the_status_and_only_leases_still_running(district):
    ticket, now = district.ticket_in(Status.NEW), clock.now()

    def free() -> bool:
        return unclaimed(Ticket, ticket.pk, equal={"status": Status.NEW}, claims=TriageLease, claim_key="ticket",
                         claim_until="until", now=now)

    assert free()
    lease = TriageLease.objects.create(ticket=ticket, holder="a", until=now + timedelta(minutes=5))
    assert not free()
    TriageLease.objects.filter(pk=lease.pk).update(until=now - timedelta(seconds=1))  # ran out
    assert free()
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.REGISTERED)
    assert not free()
    assert not unclaimed(Ticket, ticket.pk + 1000, equal={"status": Status.NEW}, claims=TriageLease,
                         claim_key="ticket", claim_until="until", now=now)
