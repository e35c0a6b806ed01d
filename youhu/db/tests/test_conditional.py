"""The conditional UPDATEs (a claim that reads the row back, a write only while a claim stands) and the grouped
count write and read what the ORM would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count

from youhu import clock
from youhu.db import claim_row, counts_by, update_where
from youhu.tickets.models import Notification, Status, Ticket

pytestmark = pytest.mark.django_db


def test_claim_row_takes_a_matching_due_row_once_and_reads_it_back(district):
    now = clock.now()
    ticket = district.ticket_in(Status.NEW)
    Ticket.objects.filter(pk=ticket.pk).update(reply_due=now - timedelta(minutes=1), handling_working_days=4)
    taken = claim_row(Ticket, ticket.pk, {"status": Status.DISPATCHED, "replied_at": now},
                      where={"status": Status.NEW}, due="reply_due", now=now, add_one="handling_working_days",
                      returning=("id", "number", "main_unit", "handling_working_days"))
    assert taken == {"id": ticket.pk, "number": ticket.number, "main_unit_id": None, "handling_working_days": 5}
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.replied_at, stored.handling_working_days) == (Status.DISPATCHED, now, 5)
    again = claim_row(Ticket, ticket.pk, {"status": Status.DISPATCHED, "replied_at": now},
                      where={"status": Status.NEW}, due="reply_due", now=now, add_one="handling_working_days",
                      returning=("id",))
    assert again is None and Ticket.objects.get(pk=ticket.pk).handling_working_days == 5


def test_claim_row_leaves_a_row_not_yet_due(district):
    now = clock.now()
    ticket = district.ticket_in(Status.NEW)
    Ticket.objects.filter(pk=ticket.pk).update(reply_due=now + timedelta(minutes=1))
    assert claim_row(Ticket, ticket.pk, {"status": Status.DISPATCHED}, where={"status": Status.NEW},
                     due="reply_due", now=now, add_one="handling_working_days", returning=("id",)) is None
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW


def test_update_where_writes_only_while_the_condition_holds(district):
    ticket = district.ticket_in(Status.NEW)
    assert update_where(Ticket, ticket.pk, {"reply_text": "已处理", "status": Status.REPLIED},
                        where={"status": Status.NEW, "number": ticket.number}) == 1
    assert update_where(Ticket, ticket.pk, {"reply_text": "第二次"}, where={"status": Status.NEW}) == 0
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.reply_text, stored.status) == ("已处理", Status.REPLIED)


def test_counts_by_agrees_with_the_orm(district):
    now = clock.now()
    ticket = district.ticket_in(Status.NEW)
    rows = [("remind", now), ("remind", now), ("supervise", now), ("remind", now - timedelta(days=2)),
            ("notice", now)]
    Notification.objects.bulk_create(Notification(ticket=ticket, unit=district.roads, kind=kind, message=f"{i}",
                                                  created_at=when) for i, (kind, when) in enumerate(rows))
    since = now - timedelta(hours=1)
    got = counts_by(Notification, "kind", ["remind", "supervise", "notice", "none", "remind"],
                    equal={"ticket": ticket.pk}, at_least={"created_at": since}, not_in={"kind": ["notice"]})
    expected = dict(Notification.objects.filter(ticket=ticket, created_at__gte=since).exclude(kind="notice")
                    .values_list("kind").annotate(n=Count("id")))
    assert got == expected == {"remind": 2, "supervise": 1}
    assert counts_by(Notification, "kind", [], equal={}, at_least={}, not_in={}) == {}
