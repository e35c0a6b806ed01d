"""The demo city (demo/city.py, docs/levels.md): 海珠区 is the full demo, 越秀区 a small second district, the city
centre above both; each district's staff see their own district's tickets only."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from youhu.demo import city
from youhu.demo import district as d
from youhu.demo.loader import load_demo
from youhu.demo.simulate import SCENARIOS
from youhu.directory.models import District, Unit, User
from youhu.dispatch import routing
from youhu.taxonomy.models import Category
from youhu.testing.factories import at
from youhu.tickets.models import Status, Ticket
from youhu.tickets.selectors import at_level, visible_tickets

NOW = at("2026-06-16 10:30")


@pytest.mark.django_db
def test_the_demo_city_has_two_districts_kept_apart(capsys):
    load_demo(len(SCENARIOS), now=NOW, extras=[])
    haizhu, second = District.objects.get(code="440105"), District.objects.get(code="440104")
    assert (haizhu.name, second.name) == ("海珠区", "越秀区")
    assert not Ticket.objects.filter(district__isnull=True).exclude(external_id__startswith=city.EXTERNAL_PREFIX)\
        .exists()  # every ticket of the full demo is 海珠区's
    assert Unit.objects.filter(district__isnull=True).count() == 2  # the city centre and one city-level unit
    users = {u.username: u for u in User.objects.all()}
    assert users["admin"].district_id is None  # the administrator moved up to the city
    assert users["dispatcher1"].unit.name == "海珠区指挥中心"
    yx = set(visible_tickets(users["yx_dispatcher"]))
    assert yx and all(t.district == second for t in yx)
    assert not any(t.district == second for t in visible_tickets(users["dispatcher1"]))
    assert visible_tickets(users["dispatcher1"]).count() == Ticket.objects.filter(district=haizhu).count()
    waiting = at_level(visible_tickets(users["city_dispatcher"]), users["city_dispatcher"])
    assert set(waiting.values_list("status", flat=True)) == {Status.REGISTERED}
    returned = waiting.get(return_count=1)
    assert [e.action for e in returned.events.all()] == ["create", "register", "to_district", "return_to_city"]
    handled = Ticket.objects.get(external_id=f"{city.EXTERNAL_PREFIX}c2")
    assert [e.action for e in handled.events.all()] == [
        "create", "register", "to_district", "district_dispatch", "accept", "reply"]
    # 越秀区 routes by its own rules to its own department; 海珠区 as before.
    building = Category.objects.get(path="城乡建设")
    assert routing.route(building, handled.street).unit.district == second
    first_street = Ticket.objects.filter(district=haizhu).exclude(street=None).first().street
    assert routing.route(building, first_street).unit.district == haizhu
    health = Category.objects.get(path="卫生计生")  # 越秀区 has no rule for it: no unit of 海珠区's is offered
    assert routing.route(health, first_street).unit.district == haizhu
    assert routing.route(health, handled.street).unit is None

    load_demo(len(SCENARIOS), now=NOW, extras=[])  # idempotent
    assert Ticket.objects.filter(external_id__startswith=city.EXTERNAL_PREFIX).count() == len(city.TICKETS)

    call_command("demo", "logins")
    out = capsys.readouterr().out
    assert "city_dispatcher" in out and "yx_dispatcher" in out and "越秀区指挥中心" in out
    assert d.FEATURED_USERNAMES.index("city_dispatcher") < d.FEATURED_USERNAMES.index("dispatcher1")
