"""The pass looks only at tickets whose next escalation moment has come (`Ticket.next_escalation_at`).

What must hold: a deadline that moves (extension, reopen, transfer, a new dispatch) is escalated at its new
time and never at the old; a change of the rules or the calendar after a ticket was scheduled still moves
its steps; a pass sends exactly what a look at every waiting ticket would send, never anything twice; and
a quiet pass reads nothing. Dates as in test_run_pass: 2026-03-02 is a Monday, reply deadlines are 15
working days (18:00), accept deadlines 120 office minutes, the reminder 2 working days before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from youhu.escalation.models import Deadline, Escalation, Kind, LadderInputs, Stage
from youhu.escalation.services import _ROW_FIELDS, TRACKS, _Pass, _Row, _sent_for, run_pass
from youhu.testing.factories import at, make_user
from youhu.tickets import services
from youhu.tickets.models import Extension, Status, Ticket, TicketEvent


def sent(ticket: Ticket) -> list[tuple[str, str, str, datetime]]:
    return sorted(Escalation.objects.filter(ticket=ticket).values_list("deadline", "kind", "stage", "due"))


def next_look(ticket: Ticket) -> datetime | None:
    return Ticket.objects.values_list("next_escalation_at", flat=True).get(pk=ticket.pk)


def still_due(now: datetime) -> list[tuple[str, str, str, str]]:
    """What the rules say is due at `now`, over every ticket waiting for a deadline (the old, whole pass): after
    a pass at `now` there must be nothing."""
    run = _Pass(now)
    rows = [_Row._make(values) for values in Ticket.objects.values_list(*_ROW_FIELDS)]
    done = _sent_for([row.pk for row in rows])
    left = []
    for row in rows:
        for track in TRACKS:
            due = track.due(row)
            decision = due and run.decide(track, row, due, done[(row.pk, track.deadline, due)])
            if decision:
                left.append((row.number, track.deadline, *decision))
    return left


def test_a_deadline_change_makes_the_ticket_due_for_a_look_and_other_changes_do_not(district):
    ticket = district.ticket_in(Status.DISPATCHED)
    assert next_look(ticket) == at("2026-03-02 09:30")  # dispatched then
    run_pass(now=at("2026-03-02 10:00"))
    assert next_look(ticket) == at("2026-03-02 11:30") + timedelta(microseconds=1)  # its accept deadline passing
    services.accept(ticket, by=district.handler, now=at("2026-03-02 10:30"))
    services.handle(ticket, by=district.handler, note="已联系现场", now=at("2026-03-02 10:40"))
    assert next_look(ticket) == at("2026-03-02 11:30") + timedelta(microseconds=1)  # unchanged: no new deadline
    assert run_pass(now=at("2026-03-02 11:31")).as_dict() | {"seconds": 0} == {
        "remind": 0, "supervise": 0, "notice": 0, "closed": 0, "scanned": 1, "skipped": 0, "capped": False, "seconds": 0}
    # accepted: the reply deadline's reminder, 2 working days before Monday 23rd, is the next step
    assert next_look(ticket) == at("2026-03-19 00:00")


def test_a_quiet_pass_reads_no_ticket(district):
    for _ in range(3):
        district.ticket_in(Status.HANDLING)
    assert run_pass(now=at("2026-03-02 10:00")).scanned == 3  # new deadlines: each looked at once
    for moment in ("2026-03-02 10:01", "2026-03-10 12:00", "2026-03-18 23:59"):
        assert run_pass(now=at(moment)).scanned == 0
    assert run_pass(now=at("2026-03-19 00:00")).remind == 3


def test_an_approved_extension_is_escalated_at_the_new_deadline_not_the_old(district):
    ticket = district.ticket_in(Status.HANDLING)
    run_pass(now=at("2026-03-19 08:00"))
    run_pass(now=at("2026-03-23 08:00"))  # both reminders of the 23rd sent; next: 18:00 passing
    ext = services.request_extension(ticket, by=district.handler, working_days=5, reason="需协调施工队",
                                     now=at("2026-03-23 10:00"))
    services.decide_extension(ext, by=district.supervisor, approve=True, now=at("2026-03-23 11:00"))
    ticket.refresh_from_db()
    assert ticket.reply_due == at("2026-03-30 18:00") and next_look(ticket) == at("2026-03-23 11:00")

    assert run_pass(now=at("2026-03-23 18:01")).supervise == 0
    assert run_pass(now=at("2026-03-26 00:00")).remind == 1  # 2 working days before the 30th
    assert run_pass(now=at("2026-03-30 00:00")).remind == 1
    assert run_pass(now=at("2026-03-30 18:00")).supervise == 0  # not yet passed
    assert run_pass(now=at("2026-03-30 18:01")).supervise == 1
    new = at("2026-03-30 18:00")
    assert sent(ticket) == sorted([
        (Deadline.REPLY, Kind.REMIND, Stage.BEFORE, at("2026-03-23 18:00")),
        (Deadline.REPLY, Kind.REMIND, Stage.DUE_DAY, at("2026-03-23 18:00")),
        (Deadline.REPLY, Kind.REMIND, Stage.BEFORE, new), (Deadline.REPLY, Kind.REMIND, Stage.DUE_DAY, new),
        (Deadline.REPLY, Kind.SUPERVISE, Stage.OVERDUE, new),
    ])


def test_a_refused_extension_keeps_the_old_deadline_and_its_moment(district):
    ticket = district.ticket_in(Status.HANDLING)
    run_pass(now=at("2026-03-19 08:00"))
    ext = services.request_extension(ticket, by=district.handler, working_days=5, reason="需协调施工队",
                                     now=at("2026-03-19 10:00"))
    services.decide_extension(ext, by=district.supervisor, approve=False, reason="时限内可完成",
                              now=at("2026-03-19 11:00"))
    assert Extension.objects.get(pk=ext.pk).state == Extension.State.REFUSED
    assert next_look(ticket) == at("2026-03-23 00:00")
    assert run_pass(now=at("2026-03-23 18:01")).supervise == 1


def test_a_reopened_ticket_is_escalated_at_its_new_deadline_not_the_old(district):
    ticket = district.ticket_in(Status.REPLIED, now=at("2026-03-05 10:00"))  # its deadline was the 26th
    # dispatched, so due for a look, then replied before any pass: looked at once, nothing to send, no more looks
    assert run_pass(now=at("2026-03-06 10:00")).as_dict()["scanned"] == 1 and next_look(ticket) is None
    services.review(ticket, by=None, resolved=False, satisfaction="dissatisfied", now=at("2026-03-09 10:00"))
    services.reopen(ticket, by=district.dispatcher, reason="问题未解决", now=at("2026-03-10 10:00"))
    ticket.refresh_from_db()
    assert ticket.reply_due == at("2026-03-31 18:00")

    assert run_pass(now=at("2026-03-26 18:01")).as_dict()["supervise"] == 0  # the old deadline
    assert run_pass(now=at("2026-03-27 08:00")).remind == 1  # 2 working days before the 31st
    assert run_pass(now=at("2026-03-31 18:01")).supervise == 1
    assert {due for *_, due in sent(ticket)} == {at("2026-03-31 18:00")}


def test_a_transferred_ticket_is_escalated_at_its_new_accept_deadline(district):
    ticket = district.ticket_in(Status.DISPATCHED)  # to accept by 11:30
    run_pass(now=at("2026-03-02 10:00"))
    services.transfer(ticket, by=district.dispatcher, unit=district.env, reason="属环保职责",
                      now=at("2026-03-02 11:00"))
    ticket.refresh_from_db()
    assert ticket.accept_due == at("2026-03-02 14:30")  # 120 office minutes, lunch between

    assert run_pass(now=at("2026-03-02 11:31")).supervise == 0
    assert run_pass(now=at("2026-03-02 14:30")).supervise == 0
    assert run_pass(now=at("2026-03-02 14:31")).supervise == 1
    assert sent(ticket) == [(Deadline.ACCEPT, Kind.SUPERVISE, Stage.OVERDUE, at("2026-03-02 14:30"))]


def test_a_returned_ticket_dispatched_again_is_escalated_at_its_new_deadlines(district):
    ticket = district.ticket_in(Status.DISPATCHED)
    run_pass(now=at("2026-03-02 10:00"))
    services.return_ticket(ticket, by=district.handler, reason="不属本单位职责", now=at("2026-03-02 10:30"))
    assert run_pass(now=at("2026-03-02 11:31")).supervise == 0  # waiting for no unit: nothing, and no more looks
    assert next_look(ticket) is None
    services.dispatch(ticket, by=district.dispatcher, unit=district.env, now=at("2026-03-04 09:00"))
    assert run_pass(now=at("2026-03-04 11:01")).supervise == 1
    assert sent(ticket) == [(Deadline.ACCEPT, Kind.SUPERVISE, Stage.OVERDUE, at("2026-03-04 11:00"))]
    assert run_pass(now=at("2026-03-25 18:01")).supervise == 1  # the reply deadline of this dispatch


def test_a_rule_changed_after_the_ticket_was_scheduled_still_moves_its_reminder(district):
    from youhu.taxonomy.models import DeadlineRule

    ticket = district.ticket_in(Status.HANDLING)
    run_pass(now=at("2026-03-02 10:00"))
    assert next_look(ticket) == at("2026-03-19 00:00")
    DeadlineRule.objects.create(category=district.category, appeal_type="", urgency="normal",
                                accept_office_minutes=120, reply_working_days=15, remind_before_working_days=5)
    assert run_pass(now=at("2026-03-16 08:00")).remind == 1  # 5 working days before the 23rd
    assert LadderInputs.objects.count() == 1


def test_a_day_off_added_after_the_ticket_was_scheduled_still_moves_its_reminder(db):
    from youhu.testing.factories import City
    from youhu.workdays.models import CalendarDay, DistrictDay

    city = City()
    yx = city.in_district(city.b, status=Status.HANDLING)
    run_pass(now=at("2026-03-02 10:00"))
    assert next_look(yx) == at("2026-03-19 00:00")
    DistrictDay.objects.create(district=city.b.district, date=at("2026-03-20 00:00").date(),
                               kind=CalendarDay.Kind.HOLIDAY, name="区级休息日")
    assert run_pass(now=at("2026-03-18 08:00")).remind == 1


def test_a_finished_ladder_is_not_looked_at_again(district):
    ticket = district.ticket_in(Status.HANDLING)
    for moment in ("2026-03-19 08:00", "2026-03-23 08:00", "2026-03-23 18:01", "2026-03-30 00:05"):
        run_pass(now=at(moment))
    assert len(sent(ticket)) == 4 and next_look(ticket) is None
    LadderInputs.objects.all().delete()  # as after a change of the rules: every waiting ticket is brought forward
    assert run_pass(now=at("2026-04-10 10:00")).scanned == 0  # but not one whose ladder has ended


@pytest.fixture
def head(district):
    return make_user("roads_head", "unit_head", unit=district.roads)


def test_passes_every_hour_send_what_a_look_at_every_ticket_would_and_nothing_twice(district, head):
    """A month of hourly passes over tickets whose deadlines move in between: after every pass nothing the
    rules call due is left, each step is one event, and the passes read a few tickets, not all of them."""
    a = district.ticket_in(Status.HANDLING)
    b = district.ticket_in(Status.DISPATCHED, now=at("2026-03-02 17:30"))
    c = district.ticket_in(Status.HANDLING, now=at("2026-03-03 14:00"))
    d = district.ticket_in(Status.REPLIED, now=at("2026-03-04 09:00"))
    e = district.ticket_in(Status.DISPATCHED, now=at("2026-03-05 16:00"))

    def extend_c(now: datetime) -> None:
        ext = services.request_extension(c, by=district.handler, working_days=3, reason="需协调", now=now)
        services.decide_extension(ext, by=district.supervisor, approve=True, now=now)

    def reopen_d(now: datetime) -> None:
        services.review(d, by=None, resolved=False, satisfaction="dissatisfied", now=now)
        services.reopen(d, by=district.dispatcher, reason="问题未解决", now=now)

    changes = {
        at("2026-03-03 09:10"): lambda now: services.accept(b, by=district.handler, now=now),
        at("2026-03-06 09:05"): lambda now: services.transfer(e, by=district.dispatcher, unit=district.env,
                                                               reason="属环保职责", now=now),
        at("2026-03-20 15:30"): extend_c,
        at("2026-03-09 10:20"): reopen_d,
    }
    moment, end, scanned, passes = at("2026-03-02 10:00"), at("2026-04-20 00:00"), 0, 0
    while moment < end:
        for when in sorted(changes):
            if moment - timedelta(hours=1) < when <= moment:
                changes[when](when)
        summary = run_pass(now=moment)
        scanned, passes = scanned + summary.scanned, passes + 1
        assert still_due(moment) == [], moment
        moment += timedelta(hours=1)

    records = Escalation.objects.count()
    assert records == TicketEvent.objects.filter(action__in=[Kind.REMIND, Kind.SUPERVISE, Kind.NOTICE]).count()
    assert all(len(sent(t)) >= 2 for t in (a, b, c, d, e))
    assert scanned < 3 * records < passes  # a look per step and change, not every ticket every hour


def test_a_pass_looks_at_its_limit_earliest_first_and_the_next_goes_on(district):
    late = district.ticket_in(Status.HANDLING, now=at("2026-03-03 09:30"))
    early = [district.ticket_in(Status.HANDLING) for _ in range(2)]
    first = run_pass(now=at("2026-03-27 10:00"), limit=2)  # every reply deadline missed: three 督办 due
    assert (first.supervise, first.capped) == (2, True) and sent(late) == []
    assert all(sent(ticket) for ticket in early)
    second = run_pass(now=at("2026-03-27 10:01"), limit=2)
    assert (second.supervise, second.capped) == (1, False) and len(sent(late)) == 1
