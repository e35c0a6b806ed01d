"""`create_tickets`: the one way a ticket is born, for a batch of one (API, portal, Open311, company demands)
or a block of an import; all of a batch or none of it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Model

from youhu.testing.factories import at
from youhu.tickets import services as tickets
from youhu.tickets.errors import InvalidInput
from youhu.tickets.models import Channel, DailyCounter, Status, Ticket, TicketEvent


def _appeal(i: int, **fields) -> tickets.NewAppeal:
    return tickets.NewAppeal(**{"title": f"路灯不亮 {i}", "content": f"第 {i} 个路口路灯不亮",
                                "channel": Channel.HOTLINE, "external_id": f"h:{i}", **fields})


def _columns(obj: Model) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_batch_gets_consecutive_numbers_and_one_create_event_each(district):
    now = at("2026-03-02 09:30")
    created = tickets.create_tickets([_appeal(i, street=district.street) for i in range(3)], now=now,
                                     payload={"import": True, "triage": "queue"})
    assert [c.number for c in created] == ["20260302-000001", "20260302-000002", "20260302-000003"]
    stored = {t.pk: t for t in Ticket.objects.filter(pk__in=[c.pk for c in created])}
    for c in created:
        ticket = stored[c.pk]
        assert (ticket.number, ticket.status, ticket.street_id) == (c.number, Status.NEW, district.street.pk)
        assert ticket.tracking_code_hash == tickets.hash_tracking_code(c.tracking_code)
        event = TicketEvent.objects.get(ticket=ticket)
        assert (event.action, event.to_status, event.actor_label, event.public) == ("create", Status.NEW,
                                                                                  "诉求人", True)
        assert event.payload == {"channel": Channel.HOTLINE, "import": True, "triage": "queue"}
    assert DailyCounter.objects.get(day=now.date()).last == 3


def test_create_ticket_is_a_batch_of_one_and_returns_the_row_as_stored(district):
    ticket = tickets.create_ticket(_appeal(1, community=district.community, category=district.category,
                                           lat=23.1, lon=113.3), by=district.dispatcher, now=at("2026-03-02 09:30"))
    assert _columns(ticket) == _columns(Ticket.objects.get(pk=ticket.pk))
    assert ticket.street == district.community.parent  # the community's street when none was given
    assert ticket.tracking_code_hash == tickets.hash_tracking_code(ticket.tracking_code)
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.actor_id, event.unit_id, event.payload) == (district.dispatcher.pk, district.dispatcher.unit_id,
                                                              {"channel": Channel.HOTLINE})


def test_a_bad_appeal_in_a_batch_is_named_and_nothing_is_stored(district):
    appeals = [_appeal(1), _appeal(2, appellant_phone="电话"), _appeal(3)]
    with pytest.raises(InvalidInput) as caught:
        tickets.create_tickets(appeals, now=at("2026-03-02 09:30"))
    assert caught.value.field == "appellant_phone" and "第 2 条" in caught.value.message
    assert not Ticket.objects.exists() and not DailyCounter.objects.exists()


def test_a_repeated_external_id_stores_none_of_the_batch(district):
    tickets.create_ticket(_appeal(2), now=at("2026-03-02 09:30"))
    with pytest.raises(IntegrityError), transaction.atomic():
        tickets.create_tickets([_appeal(1), _appeal(2), _appeal(3)], now=at("2026-03-02 09:31"))
    assert list(Ticket.objects.values_list("external_id", flat=True)) == ["h:2"]
    assert TicketEvent.objects.count() == 1


def test_an_empty_batch_writes_nothing(db):
    assert tickets.create_tickets([]) == []
    assert not DailyCounter.objects.exists()
