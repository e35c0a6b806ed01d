"""The lifecycle's rules beyond who-may-do-what: reasons, units, co-handling, extensions, review,
reopen, merge, ticket numbers and the optimistic lock."""

from __future__ import annotations

import re

import pytest

from youhu.testing.factories import at, make_ticket, make_unit
from youhu.tickets import services
from youhu.tickets.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from youhu.tickets.models import CloseReason, Extension, Notification, Status, Ticket, TicketEvent, TicketUnit
from youhu.tickets.tests.test_transitions import NOW, snapshot

# ---------------------------------------------------------------- reasons and units


@pytest.mark.parametrize(("state", "call", "field"), [
    (Status.NEW, lambda d, t: services.reject(t, by=d.dispatcher, reason="  "), "reason"),
    (Status.HANDLING, lambda d, t: services.transfer(t, by=d.dispatcher, unit=d.env, reason=""), "reason"),
    (Status.DISPATCHED, lambda d, t: services.return_ticket(t, by=d.handler, reason=""), "reason"),
    (Status.HANDLING, lambda d, t: services.handle(t, by=d.handler, note=""), "note"),
    (Status.HANDLING, lambda d, t: services.reply(t, by=d.handler, text="\n"), "text"),
    (Status.HANDLING, lambda d, t: services.request_extension(t, by=d.handler, working_days=3, reason="",
                                                              now=NOW), "reason"),
    (Status.HANDLING, lambda d, t: services.waive_co_parts(t, by=d.supervisor, reason=""), "reason"),
    (Status.REPLIED, lambda d, t: services.reopen(t, by=d.supervisor, reason=""), "reason"),
    (Status.REPLIED, lambda d, t: services.close(t, by=d.dispatcher, reason=""), "reason"),
    (Status.REGISTERED, lambda d, t: services.answer_directly(t, by=d.dispatcher, reply=""), "reply"),
    (Status.REPLIED, lambda d, t: services.review(t, by=None, resolved=True, satisfaction="great"), "satisfaction"),
    (Status.REPLIED, lambda d, t: services.review(t, by=None, resolved="yes", satisfaction="satisfied"),
     "resolved"),
    (Status.NEW, lambda d, t: services.reject(t, by=d.dispatcher, reason="x" * 2001), "reason"),
])
def test_missing_or_bad_input_names_the_field_and_changes_nothing(district, state, call, field):
    ticket = district.ticket_in(state)
    before = snapshot(ticket)
    with pytest.raises(InvalidInput) as err:
        call(district, ticket)
    assert err.value.field == field and err.value.http_status == 400 and err.value.message
    assert snapshot(ticket) == before


@pytest.mark.parametrize("bad", ["none", "inactive", "centre"])
def test_dispatch_to_an_unknown_or_unfit_unit_is_refused(district, bad):
    ticket = district.ticket_in(Status.REGISTERED)
    unit = {"none": None, "centre": district.centre,
            "inactive": make_unit("已撤销单位")}[bad]
    if bad == "inactive":
        unit.active = False
        unit.save()
    before = snapshot(ticket)
    with pytest.raises(InvalidInput) as err:
        services.dispatch(ticket, by=district.dispatcher, unit=unit, now=NOW)
    assert err.value.field == "unit"
    with pytest.raises(InvalidInput) as err:
        services.dispatch(ticket, by=district.dispatcher, unit=district.roads, co_units=[unit or district.centre],
                          now=NOW)
    assert err.value.field == "co_units"
    assert snapshot(ticket) == before and not TicketUnit.objects.filter(ticket=ticket).exists()


def test_transfer_to_the_same_unit_is_refused(district):
    ticket = district.ticket_in(Status.HANDLING)
    with pytest.raises(InvalidInput) as err:
        services.transfer(ticket, by=district.dispatcher, unit=district.roads, reason="重派")
    assert err.value.field == "unit"


def test_dispatch_without_any_deadline_rule_is_refused(district):
    from youhu.taxonomy.models import DeadlineRule

    DeadlineRule.objects.all().delete()
    ticket = district.ticket_in(Status.REGISTERED)
    before = snapshot(ticket)
    with pytest.raises(InvalidInput) as err:
        services.dispatch(ticket, by=district.dispatcher, unit=district.roads, now=NOW)
    assert err.value.field == "category" and "时限规则" in err.value.message
    assert snapshot(ticket) == before


# ---------------------------------------------------------------- co-handling


@pytest.fixture
def co_ticket(district):
    ticket = district.ticket_in(Status.REGISTERED)
    services.dispatch(ticket, by=district.dispatcher, unit=district.roads, co_units=[district.env], now=NOW)
    services.accept(ticket, by=district.handler, now=NOW)
    return ticket


def test_main_unit_cannot_reply_until_co_units_have_sent_their_part(district, co_ticket):
    before = snapshot(co_ticket)
    with pytest.raises(InvalidInput, match=district.env.name):
        services.reply(co_ticket, by=district.handler, text="已修复", now=NOW)
    assert snapshot(co_ticket) == before

    # The co-unit sees the ticket's actions but cannot reply or accept for the main unit.
    with pytest.raises(NotAllowed):
        services.reply(co_ticket, by=district.env_handler, text="已修复", now=NOW)
    services.submit_co_part(co_ticket, by=district.env_handler, text="经检测，周边无噪声超标。", now=NOW)
    link = TicketUnit.objects.get(ticket=co_ticket, unit=district.env)
    assert (link.part_text, link.part_submitted_at) == ("经检测，周边无噪声超标。", NOW)
    assert Notification.objects.filter(ticket=co_ticket, kind="co_part", unit=district.roads).exists()
    with pytest.raises(NotAllowed):  # a part is sent once
        services.submit_co_part(co_ticket, by=district.env_handler, text="补充", now=NOW)
    with pytest.raises(NotAllowed):  # only co-units send parts
        services.submit_co_part(co_ticket, by=district.street_handler, text="补充", now=NOW)

    services.reply(co_ticket, by=district.handler, text="已修复，协办单位意见已附。", now=NOW)
    assert Ticket.objects.get(pk=co_ticket.pk).status == Status.REPLIED


def test_a_supervisor_may_let_the_main_unit_reply_first_with_a_reason(district, co_ticket):
    with pytest.raises(NotAllowed):
        services.waive_co_parts(co_ticket, by=district.dispatcher, reason="协办单位已口头答复", now=NOW)
    services.waive_co_parts(co_ticket, by=district.supervisor, reason="协办单位已口头答复", now=NOW)
    event = TicketEvent.objects.filter(ticket=co_ticket).last()
    assert (event.action, event.reason) == ("waive_co_parts", "协办单位已口头答复")
    services.reply(co_ticket, by=district.handler, text="已修复", now=NOW)
    assert Ticket.objects.get(pk=co_ticket.pk).status == Status.REPLIED


# ---------------------------------------------------------------- extensions


def test_approved_extension_moves_reply_due_in_working_days_over_a_holiday(district):
    ticket = district.ticket_in(Status.HANDLING)
    assert ticket.reply_due == at("2026-03-23 18:00")
    ext = services.request_extension(ticket, by=district.handler, working_days=10, reason="需协调供电局",
                                     now=NOW)
    assert ext.state == Extension.State.PENDING
    with pytest.raises(InvalidInput, match="待审批"):
        services.request_extension(ticket, by=district.handler, working_days=2, reason="再延", now=NOW)
    with pytest.raises(NotAllowed):
        services.decide_extension(ext, by=district.dispatcher, approve=True, now=NOW)

    services.decide_extension(ext, by=district.supervisor, approve=True, now=NOW)
    ticket.refresh_from_db()
    # 24 March .. 3 April is 9 working days; 6 April is 清明 (Tomb-Sweeping Day); 7 April is the 10th.
    assert ticket.reply_due == at("2026-04-07 18:00")
    assert (ticket.extension_count, ticket.due_estimated) == (1, False)
    ext.refresh_from_db()
    assert (ext.state, ext.decided_by, ext.decided_at) == (Extension.State.APPROVED, district.supervisor, NOW)
    assert Notification.objects.filter(ticket=ticket, kind="extension", unit=district.roads).exists()
    with pytest.raises(InvalidTransition):
        services.decide_extension(ext, by=district.supervisor, approve=False, reason="改主意", now=NOW)


def test_refused_extension_needs_a_reason_and_keeps_the_deadline(district):
    ticket = district.ticket_in(Status.HANDLING)
    ext = services.request_extension(ticket, by=district.handler, working_days=5, reason="人手不足", now=NOW)
    with pytest.raises(InvalidInput) as err:
        services.decide_extension(ext, by=district.supervisor, approve=False, reason="", now=NOW)
    assert err.value.field == "reason"
    services.decide_extension(ext, by=district.supervisor, approve=False, reason="理由不充分", now=NOW)
    ticket.refresh_from_db()
    assert (ticket.reply_due, ticket.extension_count) == (at("2026-03-23 18:00"), 0)
    assert Extension.objects.get(pk=ext.pk).state == Extension.State.REFUSED
    assert TicketEvent.objects.filter(ticket=ticket).last().action == "extension_refused"


@pytest.mark.parametrize("days", [0, 61, "3", True, None])
def test_extension_length_must_be_1_to_60_working_days(district, days):
    ticket = district.ticket_in(Status.HANDLING)
    with pytest.raises(InvalidInput) as err:
        services.request_extension(ticket, by=district.handler, working_days=days, reason="需要时间", now=NOW)
    assert err.value.field == "working_days"


def test_no_extension_once_the_deadline_has_passed(district):
    ticket = district.ticket_in(Status.HANDLING)
    with pytest.raises(InvalidInput, match="已超过"):
        services.request_extension(ticket, by=district.handler, working_days=3, reason="来不及",
                                   now=at("2026-03-24 09:00"))
    assert not Extension.objects.filter(ticket=ticket).exists()


# ---------------------------------------------------------------- review, reopen, close


@pytest.mark.parametrize(("resolved", "satisfaction", "closes"), [
    (True, "satisfied", True), (True, "basically", True),
    (True, "dissatisfied", False), (False, "satisfied", False), (False, "dissatisfied", False),
])
def test_review_closes_only_when_resolved_and_satisfied(district, resolved, satisfaction, closes):
    ticket = district.ticket_in(Status.REPLIED)
    services.review(ticket, by=None, resolved=resolved, satisfaction=satisfaction, comment="  回访意见 ", now=NOW)
    ticket.refresh_from_db()
    assert ticket.status == (Status.CLOSED if closes else Status.REPLIED)
    assert (ticket.review_resolved, ticket.review_satisfaction, ticket.review_comment, ticket.reviewed_at) == (
        resolved, satisfaction, "回访意见", NOW)
    assert ticket.close_reason == (CloseReason.REVIEWED if closes else "")
    assert TicketEvent.objects.filter(ticket=ticket).last().actor_label == "诉求人"


def test_dissatisfied_review_then_reopen_sets_a_new_deadline(district):
    ticket = district.ticket_in(Status.REPLIED)
    services.review(ticket, by=None, resolved=False, satisfaction="dissatisfied", now=NOW)
    services.reopen(ticket, by=district.dispatcher, reason="诉求人反映问题未解决", now=at("2026-03-04 10:00"))
    ticket.refresh_from_db()
    # 15 working days from Wednesday 4 March.
    assert (ticket.status, ticket.reply_due, ticket.reopen_count) == (
        Status.HANDLING, at("2026-03-25 18:00"), 1)
    assert (ticket.replied_at, ticket.replied_on_time) == (None, None)
    assert Notification.objects.filter(ticket=ticket, kind="reopen", unit=district.roads).exists()
    services.reply(ticket, by=district.handler, text="重新维修完毕。", now=at("2026-03-05 10:00"))
    assert Ticket.objects.get(pk=ticket.pk).replied_on_time is True


def test_dissatisfied_review_then_centre_closes(district):
    ticket = district.ticket_in(Status.REPLIED)
    services.review(ticket, by=None, resolved=False, satisfaction="dissatisfied", now=NOW)
    services.close(ticket, by=district.dispatcher, reason="诉求超出政策范围，已解释", now=NOW)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.close_reason) == (Status.CLOSED, CloseReason.CLOSED_BY_CENTRE)


def test_reply_records_timeliness_and_working_days(district):
    ticket = district.ticket_in(Status.HANDLING)
    services.reply(ticket, by=district.handler, text="已处理", now=at("2026-03-24 09:00"))
    ticket.refresh_from_db()
    assert (ticket.replied_on_time, ticket.handling_working_days) == (False, 16)


# ---------------------------------------------------------------- merge


def test_duplicate_gets_the_masters_reply_when_it_comes(district):
    master = district.ticket_in(Status.HANDLING)
    dup = district.ticket_in(Status.NEW)
    services.merge(dup, by=district.dispatcher, into=master, reason="同一路灯", now=NOW)
    dup.refresh_from_db()
    assert (dup.status, dup.duplicate_of, dup.close_reason) == (Status.CLOSED, master, CloseReason.MERGED)
    assert TicketEvent.objects.filter(ticket=master, action="merged_in").exists()
    services.reply(master, by=district.handler, text="路灯已修复。", now=NOW)
    dup.refresh_from_db()
    assert (dup.reply_text, dup.replied_at) == ("路灯已修复。", NOW)
    assert TicketEvent.objects.filter(ticket=dup, action="merged_reply", public=True).exists()


def test_duplicate_of_an_answered_ticket_gets_that_answer_at_once(district):
    master = district.ticket_in(Status.REPLIED)
    dup = district.ticket_in(Status.NEW)
    services.merge(dup, by=district.dispatcher, into=master, now=NOW)
    dup.refresh_from_db()
    assert dup.reply_text == master.reply_text and dup.replied_at == master.replied_at


def test_merge_follows_chains_and_refuses_loops_and_void_masters(district):
    master = district.ticket_in(Status.HANDLING)
    first = district.ticket_in(Status.NEW)
    second = district.ticket_in(Status.NEW)
    services.merge(first, by=district.dispatcher, into=master, now=NOW)
    services.merge(second, by=district.dispatcher, into=first, now=NOW)  # first is a duplicate itself
    assert Ticket.objects.get(pk=second.pk).duplicate_of == master
    with pytest.raises(InvalidInput):
        services.merge(second, by=district.dispatcher, into=second, now=NOW)
    with pytest.raises(InvalidInput):
        services.merge(district.ticket_in(Status.NEW), by=district.dispatcher, into=None, now=NOW)
    void = district.ticket_in(Status.NEW)
    services.reject(void, by=district.dispatcher, reason="无效", now=NOW)
    with pytest.raises(InvalidInput, match="作废"):
        services.merge(district.ticket_in(Status.NEW), by=district.dispatcher, into=void, now=NOW)


# ---------------------------------------------------------------- numbers


def test_ticket_numbers_are_unique_readable_and_count_per_local_day(db):
    numbers = [make_ticket(now=at("2026-03-02 09:00")).number for _ in range(3)]
    assert numbers == ["20260302-000001", "20260302-000002", "20260302-000003"]
    # 23:30 in Shanghai is still the 2nd locally although it is 15:30 UTC.
    assert make_ticket(now=at("2026-03-02 23:30")).number == "20260302-000004"
    assert make_ticket(now=at("2026-03-03 00:10")).number == "20260303-000001"
    assert all(re.fullmatch(r"\d{8}-\d{6}", n) for n in Ticket.objects.values_list("number", flat=True))
    assert Ticket.objects.values("number").distinct().count() == Ticket.objects.count()


def test_tracking_code_is_returned_once_and_stored_hashed(db):
    ticket = make_ticket()
    assert len(ticket.tracking_code) == 8
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.tracking_code_hash == services.hash_tracking_code(ticket.tracking_code.lower())
    assert ticket.tracking_code not in stored.tracking_code_hash


# ---------------------------------------------------------------- optimistic lock


def test_stale_version_gets_a_conflict_and_changes_nothing(district):
    ticket = district.ticket_in(Status.DISPATCHED)
    mine = Ticket.objects.get(pk=ticket.pk)
    theirs = Ticket.objects.get(pk=ticket.pk)
    services.accept(theirs, by=district.handler, now=NOW)
    after_theirs = snapshot(ticket)

    with pytest.raises(Conflict) as err:
        services.return_ticket(mine, by=district.handler, reason="不归本单位", now=NOW)
    assert err.value.http_status == 409 and "办理中" in err.value.message
    assert snapshot(ticket) == after_theirs
    assert TicketUnit.objects.filter(ticket=ticket, active=True).count() == 1  # links not touched

    with pytest.raises(Conflict):  # extension approval on a stale ticket: no extension row either
        stale = Ticket.objects.get(pk=ticket.pk)
        services.handle(theirs, by=district.handler, note="现场勘查", now=NOW)
        services.request_extension(stale, by=district.handler, working_days=2, reason="等配件", now=NOW)
    assert not Extension.objects.filter(ticket=ticket).exists()
