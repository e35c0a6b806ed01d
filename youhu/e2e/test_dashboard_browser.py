from datetime import timedelta

import pytest

from youhu import clock
from youhu.tickets.models import Status

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_dashboard_draws_the_district(page, live_server, district):
    now = clock.now()
    district.ticket_in(Status.HANDLING, now=now - timedelta(days=1), street=district.street)
    district.ticket_in(Status.CLOSED, now=now - timedelta(days=2), street=district.street)
    login(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("#dash-status:has-text('更新于')")
    assert page.locator('[data-kpi="open"]').inner_text() == "1"
    assert page.locator("#dash-map .scatterlayer .trace").count() >= 18
    assert page.locator("#dash-trend .scatterlayer .trace").count() >= 1
    page.shoot("dashboard")
    page.goto(f"{live_server.url}/dashboard/screen/")
    page.wait_for_selector("#dash-status:has-text('更新于')")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(11, 20, 38)"
    page.shoot("bigscreen")
    assert page.js_errors == []
