"""Every lifecycle transition, allowed and refused: from every state, by the right and the wrong
people. A refusal leaves the ticket and its history exactly as they were."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from youhu.testing.factories import District, at
from youhu.tickets import services
from youhu.tickets.errors import InvalidTransition, NotAllowed
from youhu.tickets.models import Status, Ticket, TicketEvent
from youhu.tickets.policy import RULES, allowed_actions

NOW = at("2026-03-03 10:00")  # the day after District.ticket_in's tickets were made


def snapshot(ticket: Ticket) -> tuple:
    row = Ticket.objects.values().get(pk=ticket.pk)
    return row, list(TicketEvent.objects.filter(ticket=ticket).values_list("id", flat=True))


@dataclass(frozen=True)
class Case:
    action: str
    run: Callable[[District, Ticket, object], object]
    actor: str  # District attribute of a user allowed to do it
    outsiders: tuple[str, ...]  # users who must be refused
    to_status: str | None  # the state it leads to (None: unchanged)


CASES = [
    Case("register", lambda d, t, by: services.register(t, by=by, category=d.category, now=NOW),
         "dispatcher", ("handler", "supervisor"), Status.REGISTERED),
    Case("answer_directly", lambda d, t, by: services.answer_directly(t, by=by, reply="该事项已有政策规定。", now=NOW),
         "dispatcher", ("handler", "supervisor"), Status.CLOSED),
    Case("reject", lambda d, t, by: services.reject(t, by=by, reason="内容与政务服务无关", now=NOW),
         "dispatcher", ("handler", "env_handler"), Status.CLOSED),
    Case("merge", lambda d, t, by: services.merge(t, by=by, into=d.ticket_in(Status.HANDLING), now=NOW),
         "dispatcher", ("handler", "supervisor"), Status.CLOSED),
    Case("dispatch", lambda d, t, by: services.dispatch(t, by=by, unit=d.env, now=NOW),
         "dispatcher", ("handler", "supervisor"), Status.DISPATCHED),
    Case("transfer", lambda d, t, by: services.transfer(t, by=by, unit=d.env, reason="属环保职责", now=NOW),
         "dispatcher", ("handler", "env_handler"), Status.DISPATCHED),
    Case("accept", lambda d, t, by: services.accept(t, by=by, now=NOW),
         "handler", ("env_handler", "dispatcher", "supervisor"), Status.HANDLING),
    Case("return", lambda d, t, by: services.return_ticket(t, by=by, reason="路灯归街道管理", now=NOW),
         "handler", ("env_handler", "dispatcher"), Status.REGISTERED),
    Case("handle", lambda d, t, by: services.handle(t, by=by, note="已派人到现场查看", now=NOW),
         "handler", ("env_handler", "supervisor"), None),
    Case("request_extension",
         lambda d, t, by: services.request_extension(t, by=by, working_days=3, reason="需采购配件", now=NOW),
         "handler", ("env_handler", "dispatcher"), None),
    Case("waive_co_parts", lambda d, t, by: services.waive_co_parts(t, by=by, reason="协办单位已电话答复", now=NOW),
         "supervisor", ("handler", "dispatcher"), None),
    Case("reply", lambda d, t, by: services.reply(t, by=by, text="已更换灯具，恢复照明。", now=NOW),
         "handler", ("env_handler", "dispatcher", "street_handler"), Status.REPLIED),
    Case("review", lambda d, t, by: services.review(t, by=by, resolved=True, satisfaction="satisfied", now=NOW),
         "dispatcher", ("handler", "env_handler"), Status.CLOSED),
    Case("reopen", lambda d, t, by: services.reopen(t, by=by, reason="群众反映灯仍不亮", now=NOW),
         "supervisor", ("handler", "env_handler"), Status.HANDLING),
    Case("close", lambda d, t, by: services.close(t, by=by, reason="经核实已解决", now=NOW),
         "dispatcher", ("handler", "env_handler"), Status.CLOSED),
]
STATES = [Status.NEW, Status.REGISTERED, Status.DISPATCHED, Status.HANDLING, Status.REPLIED, Status.CLOSED]


def test_every_rule_has_a_case_here_or_in_a_dedicated_test():
    dedicated = {"submit_co_part", "decide_extension", "force_reopen", "supervise", "notice",
                 "to_district", "return_to_city"}  # these two: test_levels.py
    assert {c.action for c in CASES} | dedicated == set(RULES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.action)
@pytest.mark.parametrize("state", STATES)
def test_transition_from_each_state(district, case, state):
    ticket = district.ticket_in(state)
    actor = getattr(district, case.actor)
    allowed_states = RULES[case.action][0]
    if case.action == "reopen":  # from closed it is the supervisor's force_reopen, tested below
        allowed_states += RULES["force_reopen"][0]
    before = snapshot(ticket)
    if state not in allowed_states:
        assert case.action not in allowed_actions(actor, ticket)
        with pytest.raises(InvalidTransition) as err:
            case.run(district, ticket, actor)
        assert err.value.http_status == 409 and ticket.number in err.value.message
        assert snapshot(ticket) == before
        return
    for name in case.outsiders:
        outsider = getattr(district, name)
        assert not {case.action, "force_reopen"} & set(allowed_actions(outsider, ticket))
        with pytest.raises(NotAllowed) as err:
            case.run(district, Ticket.objects.get(pk=ticket.pk), outsider)
        assert err.value.http_status == 403
        assert snapshot(ticket) == before, f"{name} changed the ticket"

    action = "force_reopen" if case.action == "reopen" and state == Status.CLOSED else case.action
    assert action in allowed_actions(actor, ticket)
    version = ticket.version
    case.run(district, ticket, actor)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == (case.to_status or state)
    assert stored.version == version + 1
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert (event.actor, event.from_status, event.at) == (actor, state, NOW)
    assert event.to_status == stored.status


def test_the_system_may_register_and_dispatch_without_a_person(district):
    ticket = district.ticket_in(Status.NEW)
    services.register(ticket, by=None, now=NOW)
    services.dispatch(ticket, by=None, unit=district.roads, category=district.category, confidence=0.97, now=NOW)
    events = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", "actor_label"))
    assert events[-2:] == [("register", "系统"), ("dispatch", "系统")]
    assert TicketEvent.objects.filter(ticket=ticket).last().payload["auto"] is True


def test_force_reopen_of_a_closed_ticket_is_for_supervisors(district):
    ticket = district.ticket_in(Status.CLOSED)
    before = snapshot(ticket)
    for outsider in (district.dispatcher, district.handler):
        with pytest.raises(NotAllowed):
            services.reopen(Ticket.objects.get(pk=ticket.pk), by=outsider, reason="回访发现未解决", now=NOW)
    assert snapshot(ticket) == before
    services.reopen(ticket, by=district.supervisor, reason="回访发现未解决", now=NOW)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at, ticket.close_reason, ticket.reopen_count) == (
        Status.HANDLING, None, "", 1)


def test_a_rejected_ticket_cannot_be_reopened(district):
    ticket = district.ticket_in(Status.NEW)
    services.reject(ticket, by=district.dispatcher, reason="测试数据", now=NOW)
    with pytest.raises(InvalidTransition, match="没有承办单位"):
        services.reopen(ticket, by=district.supervisor, reason="误判", now=NOW)


def test_unit_user_cannot_act_on_a_ticket_transferred_away(district):
    ticket = district.ticket_in(Status.HANDLING)
    services.transfer(ticket, by=district.dispatcher, unit=district.env, reason="属环保职责", now=NOW)
    with pytest.raises(NotAllowed):
        services.return_ticket(Ticket.objects.get(pk=ticket.pk), by=district.handler, reason="不归我们", now=NOW)
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.main_unit == district.env
    services.accept(ticket, by=district.env_handler, now=NOW)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.HANDLING
