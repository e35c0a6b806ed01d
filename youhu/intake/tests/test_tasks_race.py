"""Two triage workers taking batches from the same backlog at once, on real concurrent connections."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.db.models import Count

from youhu.dispatch.models import Suggestion, TriageLease
from youhu.intake.tasks import triage_ticket
from youhu.testing.factories import make_ticket
from youhu.tickets.models import Status, Ticket
from youhu.tickets.tests.test_race import race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs concurrent writers: SQLite's in-memory test database serialises them"),
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("attempt", range(3))
def test_two_workers_triage_each_waiting_ticket_once(district, settings, caplog, attempt):
    settings.YOUHU = {**settings.YOUHU, "TRIAGE": "deferred"}  # every appeal's triage is queued
    ids = [make_ticket(title=f"路灯不亮 {i}", content=f"新港东路 {i} 号路灯不亮").pk for i in range(12)]
    # Both workers take the oldest tasks at the same moment: each would batch most of the backlog.
    with caplog.at_level(logging.WARNING, "youhu.intake.tasks"):
        results = race(lambda: triage_ticket.call_local(ids[0]), lambda: triage_ticket.call_local(ids[1]))
        for i in ids:  # the tasks still queued behind them: whatever is left
            triage_ticket.call_local(i)
    assert results == [None, None] and "failed" not in caplog.text  # no ticket triaged twice at once
    assert set(Ticket.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.REGISTERED}
    per_ticket = Suggestion.objects.filter(ticket_id__in=ids).values("ticket_id").annotate(n=Count("id"))
    assert sorted(row["n"] for row in per_ticket) == [1] * len(ids)
    assert not TriageLease.objects.exists()
