"""The escalation rules, idempotency, recipients and the review-timeout close.

Dates: 2026-03-02 is a Monday with no holiday near. A normal complaint must be accepted within
120 office minutes and replied within 15 working days (reply_due 2026-03-23 18:00), with a
reminder 2 working days before (the default rules of taxonomy migration 0002).
"""

from __future__ import annotations

import pytest

from youhu.escalation.models import Deadline, Escalation, Kind, Stage
from youhu.escalation.services import run_pass
from youhu.testing.factories import at, make_user
from youhu.tickets import services
from youhu.tickets.errors import InvalidInput
from youhu.tickets.models import CloseReason, Notification, Status, Ticket, TicketEvent


def sent(ticket: Ticket) -> list[tuple[str, str, str]]:
    return sorted(Escalation.objects.filter(ticket=ticket).values_list("deadline", "kind", "stage"))


@pytest.fixture
def head(district):
    return make_user("roads_head", "unit_head", unit=district.roads)


def test_reply_deadline_ladder_remind_before_on_the_day_supervise_then_notice(district, head):
    ticket = district.ticket_in(Status.HANDLING)
    assert ticket.reply_due == at("2026-03-23 18:00")

    assert run_pass(now=at("2026-03-18 23:59")).remind == 0
    assert sent(ticket) == []

    assert run_pass(now=at("2026-03-19 08:00")).remind == 1  # 2 working days before the 23rd
    assert sent(ticket) == [(Deadline.REPLY, Kind.REMIND, Stage.BEFORE)]

    assert run_pass(now=at("2026-03-20 10:00")).remind == 0  # nothing new the day after
    assert run_pass(now=at("2026-03-23 09:00")).remind == 1  # the deadline's own day
    summary = run_pass(now=at("2026-03-23 18:01"))
    assert (summary.remind, summary.supervise, summary.notice) == (0, 1, 0)

    # 书面通报: 5 working days after the 督办 of Monday 23rd is Monday 30th.
    assert run_pass(now=at("2026-03-27 17:00")).notice == 0
    assert run_pass(now=at("2026-03-30 00:05")).notice == 1
    # After the 书面通报 the ladder is done: later passes do not even read the ticket.
    assert run_pass(now=at("2026-04-10 10:00")).as_dict() | {"seconds": 0} == {
        "remind": 0, "supervise": 0, "notice": 0, "closed": 0, "scanned": 0, "skipped": 0, "capped": False, "seconds": 0}
    assert sent(ticket) == sorted([
        (Deadline.REPLY, Kind.REMIND, Stage.BEFORE), (Deadline.REPLY, Kind.REMIND, Stage.DUE_DAY),
        (Deadline.REPLY, Kind.SUPERVISE, Stage.OVERDUE), (Deadline.REPLY, Kind.NOTICE, Stage.OVERDUE),
    ])


def test_each_escalation_is_an_event_and_reaches_the_right_inboxes(district, head):
    ticket = district.ticket_in(Status.HANDLING)
    run_pass(now=at("2026-03-19 08:00"))
    run_pass(now=at("2026-03-24 08:00"))

    events = TicketEvent.objects.filter(ticket=ticket, action__in=[Kind.REMIND, Kind.SUPERVISE])
    assert [(e.action, e.actor_id, e.actor_label) for e in events] == [
        ("remind", None, "系统"), ("supervise", None, "系统")]
    assert events[1].payload["deadline"] == "reply"
    assert events[1].payload["due"] == "2026-03-23T18:00:00+08:00"
    assert "2026-03-23 18:00" in events[1].reason

    remind_inbox = Notification.objects.filter(ticket=ticket, kind="remind")
    assert [(n.unit_id, n.user_id) for n in remind_inbox] == [(district.roads.pk, None)]
    supervise_inbox = Notification.objects.filter(ticket=ticket, kind="supervise")
    assert {(n.unit_id, n.user_id) for n in supervise_inbox} == {(district.roads.pk, None), (None, head.pk)}
    assert all(n.message.startswith("督办：") for n in supervise_inbox)
    # Other units hear nothing about it.
    assert not Notification.objects.filter(ticket=ticket, unit=district.env).exists()
    record = Escalation.objects.get(ticket=ticket, kind=Kind.SUPERVISE)
    assert (record.due, record.sent_at, record.stage) == (ticket.reply_due, at("2026-03-24 08:00"), Stage.OVERDUE)


def test_running_twice_sends_nothing_twice(district, head):
    tickets = [district.ticket_in(Status.DISPATCHED) for _ in range(3)] + [district.ticket_in(Status.HANDLING)]
    moment = at("2026-03-24 09:00")  # every accept and reply deadline is missed by now
    first = run_pass(now=moment, batch=2)
    assert (first.supervise, first.remind) == (3 + 4, 0)
    counts = (Escalation.objects.count(), TicketEvent.objects.count(), Notification.objects.count())

    second = run_pass(now=moment, batch=2)
    later = run_pass(now=at("2026-03-24 17:00"), batch=2)
    assert (second.supervise, second.remind, second.notice) == (0, 0, 0)
    assert (later.supervise, later.remind, later.notice) == (0, 0, 0)
    assert (Escalation.objects.count(), TicketEvent.objects.count(), Notification.objects.count()) == counts
    assert {t.pk for t in tickets} == set(Escalation.objects.values_list("ticket_id", flat=True))


def test_accept_deadline_reminder_only_when_it_spans_a_night(district):
    same_day = district.ticket_in(Status.DISPATCHED)  # dispatched 09:30, to accept by 11:30
    assert same_day.accept_due == at("2026-03-02 11:30")
    overnight = district.ticket_in(Status.DISPATCHED, now=at("2026-03-02 17:30"))
    assert overnight.accept_due == at("2026-03-03 10:30")  # 30 minutes today, 90 tomorrow

    run_pass(now=at("2026-03-02 10:00"))
    assert sent(same_day) == []  # the dispatch message already said "today"

    run_pass(now=at("2026-03-03 08:30"))
    assert (Deadline.ACCEPT, Kind.REMIND, Stage.DUE_DAY) in sent(overnight)
    assert (Deadline.ACCEPT, Kind.SUPERVISE, Stage.OVERDUE) in sent(same_day)

    services.accept(overnight, by=district.handler, now=at("2026-03-03 09:10"))
    run_pass(now=at("2026-03-03 11:00"))  # accepted in time: no 督办 for the accept deadline
    assert (Deadline.ACCEPT, Kind.SUPERVISE, Stage.OVERDUE) not in sent(overnight)


def test_approved_extension_sets_a_new_deadline_that_is_escalated_afresh(district):
    ticket = district.ticket_in(Status.HANDLING)
    run_pass(now=at("2026-03-19 08:00"))
    ext = services.request_extension(ticket, by=district.handler, working_days=5, reason="需协调施工队",
                                     now=at("2026-03-19 10:00"))
    services.decide_extension(ext, by=district.supervisor, approve=True, now=at("2026-03-19 11:00"))
    ticket.refresh_from_db()
    assert ticket.reply_due == at("2026-03-30 18:00")

    assert run_pass(now=at("2026-03-24 09:00")).supervise == 0  # the old deadline no longer counts
    assert run_pass(now=at("2026-03-26 09:00")).remind == 1  # 2 working days before the 30th
    dues = set(Escalation.objects.filter(ticket=ticket).values_list("due", flat=True))
    assert dues == {at("2026-03-23 18:00"), at("2026-03-30 18:00")}


def test_closed_or_replied_tickets_are_not_escalated(district):
    replied = district.ticket_in(Status.REPLIED)
    closed = district.ticket_in(Status.CLOSED)
    run_pass(now=at("2026-03-05 10:00"))
    assert sent(replied) == [] and sent(closed) == []


def test_unreviewed_reply_closes_when_the_review_window_has_passed(district):
    assert services.review_window_days() == 5
    plain = district.ticket_in(Status.REPLIED)  # replied Monday 2 March 09:30: window ends 9 March 18:00
    judged = district.ticket_in(Status.REPLIED)
    services.review(judged, by=None, resolved=False, satisfaction="dissatisfied", now=at("2026-03-03 10:00"))
    held = district.ticket_in(Status.REPLIED)
    services.withhold_reply(held, by=None, reason="答复过于简单", now=at("2026-03-02 09:40"))

    assert run_pass(now=at("2026-03-09 17:59")).closed == 0
    assert run_pass(now=at("2026-03-09 18:01")).closed == 1
    plain.refresh_from_db()
    assert (plain.status, plain.close_reason, plain.closed_at) == (
        Status.CLOSED, CloseReason.REVIEW_TIMEOUT, at("2026-03-09 18:01"))
    close_event = TicketEvent.objects.filter(ticket=plain).last()
    assert (close_event.action, close_event.actor_id, close_event.to_status) == ("close", None, Status.CLOSED)
    # A dissatisfied verdict waits for the centre; a held reply was never seen by the appellant.
    assert Ticket.objects.get(pk=judged.pk).status == Status.REPLIED
    assert Ticket.objects.get(pk=held.pk).status == Status.REPLIED
    assert run_pass(now=at("2026-03-10 10:00")).closed == 0


def test_stop_between_batches_leaves_the_rest_for_the_next_pass(district):
    for _ in range(3):
        district.ticket_in(Status.HANDLING)
    calls = []

    def stop_after_first_batch() -> bool:
        calls.append(1)
        return len(calls) > 1

    partial = run_pass(now=at("2026-03-24 09:00"), batch=1, stop=stop_after_first_batch)
    assert partial.supervise == 1
    rest = run_pass(now=at("2026-03-24 09:00"), batch=1)
    assert rest.supervise == 2


def test_unknown_escalation_kind_is_refused(district):
    ticket = district.ticket_in(Status.HANDLING)
    before = TicketEvent.objects.filter(ticket=ticket).count()
    with pytest.raises(InvalidInput) as err:
        services.record_escalation(ticket, kind="scold", message="x", units=[district.roads])
    assert err.value.field == "kind"
    assert TicketEvent.objects.filter(ticket=ticket).count() == before


def test_a_person_may_supervise_only_as_supervisor(district):
    ticket = district.ticket_in(Status.HANDLING)
    from youhu.tickets.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.record_escalation(ticket, kind="supervise", message="督办", units=[district.roads],
                                   by=district.handler)
    event = services.record_escalation(ticket, kind="supervise", message="请尽快办理", units=[district.roads],
                                       by=district.supervisor, now=at("2026-03-05 10:00"))
    assert (event.actor, event.unit) == (district.supervisor, district.centre)
    assert Notification.objects.filter(ticket=ticket, kind="supervise", unit=district.roads).count() == 1


def test_working_days_of_the_spring_festival_are_skipped(district):
    # Dispatched 22 January 2026: 15 working days end on Thursday 12 February.
    late = district.ticket_in(Status.HANDLING, now=at("2026-01-22 09:30"))
    assert late.reply_due == at("2026-02-12 18:00")
    assert run_pass(now=at("2026-02-13 09:00")).supervise == 1
    # 5 working days after Friday 13th: the 调休 Saturday 14th, then 24-27 February.
    assert run_pass(now=at("2026-02-26 23:59")).notice == 0
    assert run_pass(now=at("2026-02-27 00:01")).notice == 1

    # Due on Tuesday 24 February, the first day back: reminded 2 working days before, i.e. Friday 13th.
    back = district.ticket_in(Status.HANDLING, now=at("2026-01-27 10:00"))
    assert back.reply_due == at("2026-02-24 18:00")
    run_pass(now=at("2026-02-12 23:00"))
    assert sent(back) == []
    run_pass(now=at("2026-02-13 08:00"))
    assert sent(back) == [(Deadline.REPLY, Kind.REMIND, Stage.BEFORE)]


def test_remind_days_agree_with_deadline_rule_for(district):
    from youhu.escalation.services import DEFAULT_REMIND_BEFORE, _RemindDays
    from youhu.taxonomy.models import (
        AppealType,
        Category,
        DeadlineRule,
        DeadlineRuleMissing,
        Urgency,
        deadline_rule_for,
    )
    from youhu.testing.factories import make_category

    leaf = district.category  # 城乡建设/市政设施/路灯
    middle = leaf.parent
    other = make_category("环境保护/噪声/施工噪声")
    DeadlineRule.objects.create(category=middle, appeal_type="", urgency=Urgency.NORMAL,
                                accept_office_minutes=60, reply_working_days=10, remind_before_working_days=3)
    DeadlineRule.objects.create(category=leaf, appeal_type=AppealType.CONSULT, urgency=Urgency.NORMAL,
                                accept_office_minutes=60, reply_working_days=2, remind_before_working_days=0)
    DeadlineRule.objects.create(category=middle, appeal_type=AppealType.HELP, urgency=Urgency.URGENT,
                                accept_office_minutes=30, reply_working_days=1, remind_before_working_days=4)
    DeadlineRule.objects.filter(category=None, appeal_type=AppealType.PRAISE, urgency=Urgency.URGENT).delete()
    DeadlineRule.objects.filter(category=None, appeal_type="", urgency=Urgency.URGENT).delete()
    book = _RemindDays()
    for category in [None, *Category.objects.filter(pk__in=[leaf.pk, middle.pk, middle.parent_id, other.pk])]:
        for appeal_type in AppealType.values:
            for urgency in Urgency.values:
                try:
                    expected = deadline_rule_for(category, appeal_type, urgency).remind_before_working_days
                except DeadlineRuleMissing:
                    expected = DEFAULT_REMIND_BEFORE
                got = book(category.pk if category else None, appeal_type, urgency)
                assert got == expected, (category, appeal_type, urgency)
    assert book(leaf.pk, AppealType.CONSULT, Urgency.NORMAL) == 0
    assert book(leaf.pk, AppealType.COMPLAINT, Urgency.NORMAL) == 3
    assert book(other.pk, AppealType.COMPLAINT, Urgency.NORMAL) == 2


def test_a_rule_with_more_days_of_warning_reminds_earlier(district):
    from youhu.taxonomy.models import DeadlineRule

    DeadlineRule.objects.create(category=district.category, appeal_type="", urgency="normal",
                                accept_office_minutes=120, reply_working_days=15, remind_before_working_days=5)
    ticket = district.ticket_in(Status.HANDLING)  # due Monday 23 March: 5 working days before is the 16th
    assert run_pass(now=at("2026-03-13 12:00")).remind == 0
    assert run_pass(now=at("2026-03-16 08:00")).remind == 1
    assert sent(ticket) == [(Deadline.REPLY, Kind.REMIND, Stage.BEFORE)]


def test_admin_lists_escalations_read_only(district, client):
    ticket = district.ticket_in(Status.HANDLING)
    run_pass(now=at("2026-03-24 09:00"))
    admin = district.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    page = client.get("/admin/escalation/escalation/")
    assert page.status_code == 200 and ticket.number in page.content.decode()
    record = Escalation.objects.get(ticket=ticket)
    assert client.post(f"/admin/escalation/escalation/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Escalation.objects.filter(pk=record.pk).exists()


def test_a_districts_own_day_off_moves_its_reminder_and_notice_not_the_citys(db):
    """越秀区 rests on Friday 2026-03-20 (a local day off; the city works): the 催办 two working days before
    its ticket's deadline comes on Wednesday 18th, not Thursday 19th, and the 书面通报 five working days after
    the 督办 a day later; 海珠区's ticket with the same deadline keeps the city's days."""
    from youhu.testing.factories import City
    from youhu.workdays.models import CalendarDay, DistrictDay

    city = City()
    yx = city.in_district(city.b, status=Status.HANDLING)
    hz = city.in_district(city.a, status=Status.HANDLING)
    DistrictDay.objects.create(district=city.b.district, date=at("2026-03-20 00:00").date(),
                               kind=CalendarDay.Kind.HOLIDAY, name="区级休息日")
    # the deadlines set before the day off existed: the same value for both, Monday 23rd
    assert yx.reply_due == hz.reply_due == at("2026-03-23 18:00")

    assert run_pass(now=at("2026-03-18 08:00")).remind == 1
    assert sent(yx) == [(Deadline.REPLY, Kind.REMIND, Stage.BEFORE)] and sent(hz) == []
    assert run_pass(now=at("2026-03-19 08:00")).remind == 1
    assert sent(hz) == [(Deadline.REPLY, Kind.REMIND, Stage.BEFORE)]

    assert run_pass(now=at("2026-03-23 18:01")).supervise == 2
    # five working days after Monday 23rd: the city's Monday 30th; 越秀区's too (its day off was before)
    assert run_pass(now=at("2026-03-30 00:05")).notice == 2


def test_a_districts_day_off_after_the_supervise_delays_its_notice(db):
    from youhu.testing.factories import City
    from youhu.workdays.models import CalendarDay, DistrictDay

    city = City()
    yx = city.in_district(city.b, status=Status.HANDLING)
    hz = city.in_district(city.a, status=Status.HANDLING)
    DistrictDay.objects.create(district=city.b.district, date=at("2026-03-25 00:00").date(),
                               kind=CalendarDay.Kind.HOLIDAY, name="区级休息日")
    run_pass(now=at("2026-03-23 18:01"))
    assert run_pass(now=at("2026-03-30 00:05")).notice == 1  # 海珠区's only: 越秀区 rested on the 25th
    assert (Deadline.REPLY, Kind.NOTICE, Stage.OVERDUE) in sent(hz)
    assert (Deadline.REPLY, Kind.NOTICE, Stage.OVERDUE) not in sent(yx)
    assert run_pass(now=at("2026-03-31 00:05")).notice == 1
    assert (Deadline.REPLY, Kind.NOTICE, Stage.OVERDUE) in sent(yx)


def test_a_districts_day_off_lengthens_its_review_window(db):
    """越秀区 rests on Thursday 2026-03-05: a reply of Monday 2nd is archived unreviewed after the 10th's close
    of office there, after the 9th's in 海珠区 (the city's calendar)."""
    from youhu.testing.factories import City
    from youhu.workdays.models import CalendarDay, DistrictDay

    city = City()
    DistrictDay.objects.create(district=city.b.district, date=at("2026-03-05 00:00").date(),
                               kind=CalendarDay.Kind.HOLIDAY, name="区级休息日")
    replied = []
    for level in (city.a, city.b):
        ticket = city.in_district(level, status=Status.HANDLING)
        replied.append(services.reply(ticket, by=level.handler, text="经核查，问题已处理完毕，现场已恢复正常。",
                                      now=at("2026-03-02 09:30")))
    hz, yx = replied
    # and one the city's own department answered (no district): the city's calendar
    handler = make_user("city_handler", "handler", unit=city.city_dept)
    at_city = services.dispatch(city.registered(), by=city.dispatcher, unit=city.city_dept, now=at("2026-03-02 09:30"))
    services.accept(at_city, by=handler, now=at("2026-03-02 09:30"))
    services.reply(at_city, by=handler, text="经核查，问题已处理完毕，现场已恢复正常。", now=at("2026-03-02 09:30"))
    assert run_pass(now=at("2026-03-09 18:01")).closed == 2
    assert Ticket.objects.get(pk=hz.pk).status == Status.CLOSED == Ticket.objects.get(pk=at_city.pk).status
    assert Ticket.objects.get(pk=yx.pk).status == Status.REPLIED
    assert run_pass(now=at("2026-03-10 18:01")).closed == 1
    assert Ticket.objects.get(pk=yx.pk).close_reason == CloseReason.REVIEW_TIMEOUT
