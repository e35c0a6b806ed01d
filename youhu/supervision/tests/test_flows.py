"""The reply flow: a unit's reply and its quality check commit as one, so a held reply is never seen."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from youhu.intake.open311 import _status_notes
from youhu.supervision import flows
from youhu.supervision.models import ReplyCheck
from youhu.testing.factories import at
from youhu.tickets import services
from youhu.tickets.models import Status, Ticket, TicketEvent

POOR = "已处理。"  # too short to be complete: the check holds it
NOW = at("2026-03-02 11:00")


def _committed_state(ticket: Ticket) -> tuple[str, str, bool]:
    """The ticket as another connection (the portal, Open311) reads it right now."""
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute(f"SELECT status, reply_text, reply_withheld FROM {Ticket._meta.db_table} WHERE id = %s",
                           [ticket.pk])
            status, text, withheld = cursor.fetchone()
    finally:
        other.close()
    return status, text, bool(withheld)


@pytest.mark.django_db
def test_a_poor_reply_is_stored_held_with_its_check(district):
    ticket = district.ticket_in(Status.HANDLING)
    check = flows.reply_with_check(ticket, by=district.handler, text=POOR, now=NOW)
    ticket.refresh_from_db()
    assert check.flagged and ticket.status == Status.REPLIED and ticket.reply_withheld
    assert ReplyCheck.objects.get(ticket=ticket) == check
    assert _status_notes(ticket, ticket.events.last()) != POOR


@pytest.mark.django_db(transaction=True)
def test_a_check_that_fails_leaves_no_reply(district, monkeypatch):
    ticket = district.ticket_in(Status.HANDLING)
    before = ticket.version

    def broken(*args, **kwargs):
        raise RuntimeError("scoring failed")

    monkeypatch.setattr("youhu.supervision.reply_quality.score_reply", broken)
    with pytest.raises(RuntimeError):
        flows.reply_with_check(ticket, by=district.handler, text=POOR, now=NOW)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.reply_text, ticket.version) == (Status.HANDLING, "", before)
    assert not TicketEvent.objects.filter(ticket=ticket, action="reply").exists()
    assert not ReplyCheck.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs a second connection to the test database (SQLite's is in memory)")
def test_other_connections_never_see_the_reply_before_it_is_held(district, monkeypatch):
    ticket = district.ticket_in(Status.HANDLING)
    seen: list[tuple[str, str, bool]] = []
    real_check = flows.check_reply

    def check_watched(ticket, now=None):
        seen.append(_committed_state(ticket))  # the reply row is written, the check not yet run
        return real_check(ticket, now=now)

    monkeypatch.setattr(flows, "check_reply", check_watched)
    flows.reply_with_check(ticket, by=district.handler, text=POOR, now=NOW)
    assert seen == [(Status.HANDLING, "", False)]
    assert _committed_state(ticket) == (Status.REPLIED, POOR, True)
    tracking = Client().get(f"/open311/v2/requests/{ticket.number}.json")
    assert POOR not in tracking.content.decode()


@pytest.mark.django_db
def test_a_held_reply_stays_hidden_for_merged_duplicates_too(district):
    master = district.ticket_in(Status.HANDLING)
    duplicate = district.ticket_in(Status.REGISTERED)
    services.merge(duplicate, by=district.dispatcher, into=master)
    flows.reply_with_check(master, by=district.handler, text=POOR, now=NOW)
    duplicate.refresh_from_db()
    assert duplicate.reply_text == POOR  # the master's reply answers both appellants, once released
    body = Client().get(f"/open311/v2/requests/{duplicate.number}.json").content.decode()
    assert POOR not in body
