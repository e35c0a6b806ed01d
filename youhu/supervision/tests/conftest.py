"""A small October 2026 for the roads and environment departments, built through the real services.

All appeals are consultations: accept within 2 office hours, reply within 3 working days. Dispatched
Monday 2026-10-12 09:30, so accept_due is 11:30 that day and reply_due is Thursday 10-15 18:00.
Hand-computed figures for this fixture are in test_metrics.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from youhu.testing.factories import District, at, make_ticket
from youhu.tickets import services
from youhu.tickets.models import Ticket

DISPATCHED = "2026-10-12 09:30"
NOW = at("2026-11-05 10:00")
GOOD_REPLY = "经现场核查，该路段路灯线路老化，我局已安排维修人员更换线路，现已恢复照明。如有疑问请致电 020-12345678。"


@dataclass
class October:
    district: District
    tickets: dict[str, Ticket]


def _dispatched(d: District, *, unit=None, when: str = DISPATCHED, **fields) -> Ticket:
    ticket = make_ticket(now=at(when), appeal_type="consult", **fields)
    services.register(ticket, by=d.dispatcher, category=d.category, now=at(when))
    services.dispatch(ticket, by=d.dispatcher, unit=unit or d.roads, now=at(when))
    return ticket


def _replied(d: District, ticket: Ticket, *, accept: str, reply: str, handler=None) -> Ticket:
    handler = handler or d.handler
    services.accept(ticket, by=handler, now=at(accept))
    services.reply(ticket, by=handler, text=GOOD_REPLY, now=at(reply))
    return ticket


def build_october(d: District) -> October:
    t: dict[str, Ticket] = {}
    # T1: on time everywhere, resolved and satisfied.
    t["T1"] = _replied(d, _dispatched(d, street=d.street), accept="2026-10-12 10:00", reply="2026-10-13 10:00")
    services.review(t["T1"], by=None, resolved=True, satisfaction="satisfied", now=at("2026-10-14 10:00"))
    # T2: accepted late, replied late (6 working days), not resolved, dissatisfied.
    t["T2"] = _replied(d, _dispatched(d, street=d.street), accept="2026-10-13 09:00", reply="2026-10-20 10:00")
    services.review(t["T2"], by=None, resolved=False, satisfaction="dissatisfied", now=at("2026-10-21 10:00"))
    # T3: extension of 2 working days approved, replied within it (4 working days), basically satisfied.
    t["T3"] = _dispatched(d)
    services.accept(t["T3"], by=d.handler, now=at("2026-10-12 10:00"))
    ext = services.request_extension(t["T3"], by=d.handler, working_days=2, reason="需协调供电部门",
                                     now=at("2026-10-13 09:00"))
    services.decide_extension(ext, by=d.supervisor, approve=True, now=at("2026-10-13 10:00"))
    t["T3"].refresh_from_db()
    services.reply(t["T3"], by=d.handler, text=GOOD_REPLY, now=at("2026-10-16 10:00"))
    services.review(t["T3"], by=None, resolved=True, satisfaction="basically", now=at("2026-10-19 10:00"))
    # T4: never accepted; past its deadline.
    t["T4"] = _dispatched(d)
    # T5: replied on time, dissatisfied, sent back for 重办 on 10-14 (new deadline 10-19), still open.
    t["T5"] = _replied(d, _dispatched(d), accept="2026-10-12 10:00", reply="2026-10-13 10:00")
    services.review(t["T5"], by=None, resolved=False, satisfaction="dissatisfied", now=at("2026-10-14 09:00"))
    services.reopen(t["T5"], by=d.supervisor, reason="未解决", now=at("2026-10-14 10:00"))
    # T6: returned by the roads department (退单); it no longer belongs to any unit.
    t["T6"] = _dispatched(d)
    services.return_ticket(t["T6"], by=d.handler, reason="非本单位职责", now=at("2026-10-12 10:00"))
    # E1: the environment department, on time, not yet reviewed.
    t["E1"] = _replied(d, _dispatched(d, unit=d.env), accept="2026-10-12 10:00", reply="2026-10-13 10:00",
                       handler=d.env_handler)
    # S1: September, roads, on time and satisfied (the month before).
    t["S1"] = _replied(d, _dispatched(d, when="2026-09-15 09:30"), accept="2026-09-15 10:00",
                       reply="2026-09-16 10:00")
    services.review(t["S1"], by=None, resolved=True, satisfaction="satisfied", now=at("2026-09-17 10:00"))
    for ticket in t.values():
        ticket.refresh_from_db()
    return October(district=d, tickets=t)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The district's users are created with passwords; a slow hasher would dominate these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def october(district) -> October:
    return build_october(district)
