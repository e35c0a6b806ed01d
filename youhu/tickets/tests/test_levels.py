"""Two levels (docs/levels.md): the city centre sends a ticket to a district (派至区), the district dispatches it on
(区级派单) or sends it back (退回市级); one number and one trail of events throughout; one district never sees
nor acts on another's tickets."""

from __future__ import annotations

import pytest

from youhu.testing.factories import City, at
from youhu.tickets import services
from youhu.tickets.errors import InvalidInput, InvalidTransition, NotAllowed
from youhu.tickets.models import Notification, Status, Ticket, TicketEvent
from youhu.tickets.policy import allowed_actions
from youhu.tickets.selectors import at_level, can_view, visible_tickets

NOW = at("2026-03-03 10:00")


@pytest.fixture
def city(db) -> City:
    return City()


def _trail(ticket: Ticket) -> list[str]:
    return list(ticket.events.values_list("action", flat=True))


def test_city_sends_to_a_district_which_dispatches_on_one_number_one_trail(city):
    ticket = city.registered()
    number = ticket.number
    assert "to_district" in allowed_actions(city.dispatcher, ticket)
    services.to_district(ticket, by=city.dispatcher, centre=city.a.centre, now=NOW)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.district) == (Status.REGISTERED, city.a.district)
    assert Notification.objects.filter(ticket=ticket, unit=city.a.centre).exists()
    # Now the district's: its dispatcher may dispatch it, the city's no longer.
    assert "dispatch" in allowed_actions(city.a.dispatcher, ticket)
    assert "dispatch" not in allowed_actions(city.dispatcher, ticket)
    services.dispatch(ticket, by=city.a.dispatcher, unit=city.a.dept, now=NOW)
    ticket.refresh_from_db()
    assert (ticket.number, ticket.status, ticket.main_unit) == (number, Status.DISPATCHED, city.a.dept)
    assert _trail(ticket) == ["create", "register", "to_district", "district_dispatch"]
    sent, dispatched = ticket.events.filter(action__in=("to_district", "district_dispatch"))
    assert sent.payload["district"] == "海珠区" and sent.actor == city.dispatcher and sent.public
    assert dispatched.payload["district"] == "海珠区" and dispatched.actor == city.a.dispatcher
    assert ticket.reply_due is not None  # the deadlines start with the dispatch to the unit
    services.accept(ticket, by=city.a.handler, now=NOW)  # the unit works it as before


def test_a_district_returns_a_ticket_to_the_city_with_a_reason(city):
    ticket = city.in_district(city.a)
    with pytest.raises(InvalidInput) as exc:
        services.return_to_city(ticket, by=city.a.dispatcher, reason="  ", now=NOW)
    assert exc.value.field == "reason"
    services.return_to_city(ticket, by=city.a.dispatcher, reason="地址在越秀区", now=NOW)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.district, ticket.return_count) == (Status.REGISTERED, None, 1)
    event = ticket.events.get(action="return_to_city")
    assert (event.reason, event.payload["district"], event.actor) == ("地址在越秀区", "海珠区", city.a.dispatcher)
    assert Notification.objects.filter(ticket=ticket, unit=city.centre, message__contains="地址在越秀区").exists()
    # Back in the city's queue (at its level), gone from the district's, and the city may send it on.
    assert at_level(Ticket.objects.all(), city.dispatcher).filter(pk=ticket.pk).exists()
    assert not can_view(city.a.dispatcher, ticket)
    services.to_district(ticket, by=city.dispatcher, centre=city.b.centre, now=NOW)
    assert Ticket.objects.get(pk=ticket.pk).district == city.b.district
    assert _trail(ticket)[-2:] == ["return_to_city", "to_district"]


def test_only_the_right_level_may_send_return_or_dispatch(city):
    at_city = city.registered()
    with pytest.raises(NotAllowed):
        services.to_district(at_city, by=city.a.dispatcher, centre=city.a.centre, now=NOW)
    with pytest.raises(NotAllowed):  # a district cannot take a ticket the city has not sent it
        services.dispatch(at_city, by=city.a.dispatcher, unit=city.a.dept, now=NOW)
    with pytest.raises(NotAllowed):  # nothing to return: it is the city's
        services.return_to_city(at_city, by=city.dispatcher, reason="x", now=NOW)
    in_a = city.in_district(city.a)
    for outsider in (city.b.dispatcher, city.dispatcher, city.a.handler):
        with pytest.raises(NotAllowed):
            services.return_to_city(in_a, by=outsider, reason="不属本区", now=NOW)
    with pytest.raises(NotAllowed):
        services.dispatch(in_a, by=city.b.dispatcher, unit=city.b.dept, now=NOW)
    services.dispatch(in_a, by=city.a.dispatcher, unit=city.a.dept, now=NOW)
    with pytest.raises(InvalidTransition):  # dispatched on: the district no longer returns it to the city
        services.return_to_city(Ticket.objects.get(pk=in_a.pk), by=city.a.dispatcher, reason="x", now=NOW)


def test_each_level_dispatches_to_its_own_units_only(city):
    in_a = city.in_district(city.a)
    before = (Ticket.objects.values().get(pk=in_a.pk), _trail(in_a))
    for unit, field in ((city.b.dept, "unit"), (city.city_dept, "unit")):
        with pytest.raises(InvalidInput) as exc:
            services.dispatch(in_a, by=city.a.dispatcher, unit=unit, now=NOW)
        assert exc.value.field == field and "不是海珠区的单位" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        services.dispatch(in_a, by=city.a.dispatcher, unit=city.a.dept, co_units=[city.b.dept], now=NOW)
    assert exc.value.field == "co_units"
    assert (Ticket.objects.values().get(pk=in_a.pk), _trail(in_a)) == before  # nothing half-stored
    at_city = city.registered()
    with pytest.raises(InvalidInput, match="不是市级的单位"):
        services.dispatch(at_city, by=city.dispatcher, unit=city.a.dept, now=NOW)
    services.dispatch(at_city, by=city.dispatcher, unit=city.city_dept, now=NOW)  # a city-level unit
    assert _trail(at_city)[-1] == "dispatch"
    services.dispatch(in_a, by=city.a.dispatcher, unit=city.a.dept, now=NOW)
    in_a.refresh_from_db()
    with pytest.raises(InvalidInput, match="不是海珠区的单位"):
        services.transfer(in_a, by=city.a.dispatcher, unit=city.b.street_office, reason="属街道", now=NOW)


def test_to_district_takes_a_district_centre_only(city):
    ticket = city.registered()
    for wrong in (None, city.a.dept, city.centre):
        with pytest.raises(InvalidInput) as exc:
            services.to_district(ticket, by=city.dispatcher, centre=wrong, now=NOW)
        assert exc.value.field == "unit"
    city.b.district.active = False
    city.b.district.save()
    with pytest.raises(InvalidInput):
        services.to_district(ticket, by=city.dispatcher, centre=city.b.centre, now=NOW)
    assert _trail(ticket) == ["create", "register"]


def test_one_districts_staff_never_see_anothers_tickets(city):
    in_a = city.in_district(city.a, status=Status.HANDLING)
    in_b = city.in_district(city.b, status=Status.DISPATCHED)
    at_city = city.registered()
    assert set(visible_tickets(city.a.dispatcher)) == set(visible_tickets(city.a.supervisor)) == {in_a}
    assert set(visible_tickets(city.b.dispatcher)) == {in_b}
    assert set(visible_tickets(city.a.handler)) == {in_a}
    assert set(visible_tickets(city.b.handler)) == {in_b}
    # The city sees every district's tickets and its own.
    assert set(visible_tickets(city.dispatcher)) == set(visible_tickets(city.supervisor)) == {in_a, in_b, at_city}
    # ... but its dispatcher's queues hold only the tickets at its level.
    assert set(at_level(visible_tickets(city.dispatcher), city.dispatcher)) == {at_city}
    for action in ("supervise", "decide_extension", "return_to_city", "dispatch", "handle"):
        assert action not in allowed_actions(city.b.dispatcher, in_a)
        assert action not in allowed_actions(city.b.supervisor, in_a)
    with pytest.raises(NotAllowed):
        services.handle(in_a, by=city.b.handler, note="越权", now=NOW)
    with pytest.raises(NotAllowed):
        services.record_escalation(in_a, kind="supervise", message="越权督办", units=[city.a.dept],
                                   by=city.b.supervisor)
    # The city's supervisor supervises every district.
    assert "supervise" in allowed_actions(city.supervisor, in_a)
    assert not TicketEvent.objects.filter(ticket=in_a, action__in=("handle", "supervise")).exists()


def test_a_deployment_of_one_district_offers_no_levels(district):
    ticket = district.ticket_in(Status.REGISTERED)
    assert "to_district" not in allowed_actions(district.dispatcher, ticket)
    assert "return_to_city" not in allowed_actions(district.dispatcher, ticket)
    services.dispatch(ticket, by=district.dispatcher, unit=district.roads, now=NOW)
    assert _trail(ticket)[-1] == "dispatch"


def test_a_districts_own_day_off_moves_its_deadlines_only(city):
    from youhu.workdays.models import CalendarDay, DistrictDay

    start = at("2026-03-09 17:50")  # a Monday, ten office minutes before closing; no city exception that week
    a, b = city.in_district(city.a, now=start), city.in_district(city.b, now=start)
    DistrictDay.objects.create(district=city.a.district, date=at("2026-03-10 00:00").date(),
                               kind=CalendarDay.Kind.HOLIDAY, name="区内调休")
    for level, ticket in ((city.a, a), (city.b, b)):
        services.dispatch(ticket, by=level.dispatcher, unit=level.dept, now=start)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.reply_due - b.reply_due).days == 1  # 海珠区's Tuesday off, not 越秀区's
    assert a.accept_due.date() > b.accept_due.date()  # the accept clock runs into Tuesday: 海珠区 skips it
