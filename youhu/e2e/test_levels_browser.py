"""Two levels in a real browser (docs/levels.md): the city dispatcher sends a ticket to 海珠区 (派至区), and 海珠区's
dispatcher dispatches it on to its department (区级派单); 越秀区's dispatcher never sees it."""

from __future__ import annotations

import re

import pytest

from youhu.testing.factories import City
from youhu.tickets.models import Status, Ticket

from .conftest import Shooter, login

pytestmark = pytest.mark.django_db(transaction=True)


def _actor(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(15000)
    return context, context.new_page()


def test_city_sends_to_haizhu_and_haizhu_dispatches_on(page, browser, live_server):
    city = City()
    ticket = city.registered(title="新港东路口路灯不亮")
    number = ticket.number

    # 1. The city dispatcher sends it to 海珠区 from the ticket page.
    login(page, live_server, "city_dispatcher")
    page.goto(f"{live_server.url}/tickets/{number}/")
    form = page.locator("#act-to_district")
    form.evaluate("d => { d.open = true; }")
    form.get_by_label("派往").select_option(label="海珠区（海珠区指挥中心）")
    with page.expect_navigation():
        form.get_by_role("button", name="派至区").click()
    page.shoot("city-sent")
    assert Ticket.objects.get(pk=ticket.pk).district == city.a.district

    # 越秀区's dispatcher finds nothing of it.
    other_ctx, other = _actor(browser)
    login(other, live_server, "yx_dispatcher")
    other.goto(f"{live_server.url}/dispatch/")
    assert number not in other.content()
    assert other.goto(f"{live_server.url}/tickets/{number}/").status == 404
    other_ctx.close()

    # 2. 海珠区's dispatcher finds it in the queue and dispatches it on to its own department.
    district_ctx, district = _actor(browser)
    login(district, live_server, "hz_dispatcher")
    district.goto(f"{live_server.url}/dispatch/")
    district.locator(f"#t-{number}").wait_for()
    district.goto(f"{live_server.url}/tickets/{number}/")
    form = district.locator("#act-dispatch")
    form.evaluate("d => { d.open = true; }")
    options = form.get_by_label("主办单位").locator("option").all_inner_texts()
    assert city.a.dept.name in options and city.b.dept.name not in options  # its own units only
    form.get_by_label("主办单位").select_option(label=city.a.dept.name)
    with district.expect_navigation():
        form.get_by_role("button", name=re.compile("^派单")).click()
    Shooter(district, "levels")("district-dispatched")
    assert "区级派单" in district.content() and "派至区" in district.content()  # one trail, both levels
    district_ctx.close()

    ticket.refresh_from_db()
    assert (ticket.status, ticket.main_unit, ticket.number) == (Status.DISPATCHED, city.a.dept, number)
    assert list(ticket.events.values_list("action", flat=True)) == [
        "create", "register", "to_district", "district_dispatch"]
    assert not page.js_errors
