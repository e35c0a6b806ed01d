"""Who sees which tickets, and how much of the appellant's personal data."""

from __future__ import annotations

import pytest
from django.db import connection

from youhu.testing.factories import make_unit, make_user
from youhu.tickets import services
from youhu.tickets.models import Status
from youhu.tickets.selectors import appellant_for, can_see_personal_data, can_view, visible_tickets
from youhu.tickets.tests.test_transitions import NOW

PHONE, NAME = "13812345678", "王小明"


@pytest.fixture
def tickets(district):
    """One ticket led by roads with env co-handling, one led by env alone, one not yet dispatched."""
    shared = district.ticket_in(Status.REGISTERED, appellant_phone=PHONE, appellant_name=NAME)
    services.dispatch(shared, by=district.dispatcher, unit=district.roads, co_units=[district.env], now=NOW)
    env_only = district.ticket_in(Status.REGISTERED, appellant_phone=PHONE, appellant_name=NAME)
    services.dispatch(env_only, by=district.dispatcher, unit=district.env, now=NOW)
    fresh = district.ticket_in(Status.NEW, appellant_phone=PHONE, appellant_name=NAME)
    return shared, env_only, fresh


def test_a_unit_sees_only_what_it_leads_or_co_handles(district, tickets):
    shared, env_only, fresh = tickets
    assert set(visible_tickets(district.handler)) == {shared}
    assert set(visible_tickets(district.env_handler)) == {shared, env_only}
    assert set(visible_tickets(district.street_handler)) == set()
    assert not can_view(district.handler, env_only) and not can_view(district.handler, fresh)
    for centre_user in (district.dispatcher, district.supervisor, district.admin):
        assert set(visible_tickets(centre_user)) == {shared, env_only, fresh}


def test_a_sub_unit_ticket_is_visible_to_the_parent_unit_not_to_siblings(district):
    team = make_unit("路灯管理所", parent=district.roads)
    sibling = make_unit("桥梁管理所", parent=district.roads)
    ticket = district.ticket_in(Status.REGISTERED)
    services.dispatch(ticket, by=district.dispatcher, unit=team, now=NOW)
    assert can_view(district.handler, ticket)  # the department above the team
    assert not can_view(make_user("bridge", "handler", unit=sibling), ticket)


def test_units_lose_sight_when_the_ticket_is_transferred_or_returned(district, tickets):
    shared, env_only, _ = tickets
    services.transfer(shared, by=district.dispatcher, unit=district.street_office, co_units=[],
                      reason="属街道职责", now=NOW)
    assert not can_view(district.handler, shared) and not can_view(district.env_handler, shared)
    assert can_view(district.street_handler, shared)
    services.return_ticket(env_only, by=district.env_handler, reason="非本单位职责", now=NOW)
    assert not can_view(district.env_handler, env_only)


def test_users_without_a_unit_role_see_nothing(district, tickets):
    nobody = make_user("visitor", unit=district.roads)
    assert visible_tickets(nobody).count() == 0


def test_personal_data_masked_for_everyone_without_need(district, tickets):
    shared, _env_only, _ = tickets
    # The dispatcher took the call and the main unit must call back.
    for user in (district.dispatcher, district.handler):
        assert can_see_personal_data(user, shared)
        assert appellant_for(user, shared) == {"name": NAME, "phone": PHONE}
    # A co-handling unit, a supervisor or an unrelated unit has no need.
    for user in (district.env_handler, district.supervisor, district.street_handler):
        assert not can_see_personal_data(user, shared)
        assert appellant_for(user, shared) == {"name": "王**", "phone": "138****5678"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan of the shared half")
def test_co_handling_half_is_a_probe_per_row_never_a_hashed_set_of_links(district):
    # A hashed subplan reads every active link of the unit on each query (0.35 s for 住建局 at 1 M tickets).
    sql, params = visible_tickets(district.handler).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "SubPlan" in plan and "hashed SubPlan" not in plan
