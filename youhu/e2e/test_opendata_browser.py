"""The open data page in a browser: reached from the portal, map, categories and trend drawn, fits a phone."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from youhu import clock
from youhu.tickets.models import Status

from .conftest import VIEWPORTS

pytestmark = pytest.mark.django_db(transaction=True)


def test_open_data_page_draws_its_charts_and_fits_a_phone(page, live_server, district):
    cache.clear()
    now = clock.now()
    district.ticket_in(Status.HANDLING, now=now - timedelta(hours=1), street=district.street)
    district.ticket_in(Status.CLOSED, now=now - timedelta(hours=2), street=district.street)
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("link", name="数据公开").click()
    page.wait_for_selector("#open-map .scatterlayer .trace")
    assert page.locator("#open-total").inner_text() == "2"
    assert page.locator("#open-map .scatterlayer .trace").count() >= 18
    assert page.locator("#open-categories .barlayer .trace").count() == 1
    assert page.locator("#open-trend .scatterlayer .trace").count() == 1
    # nothing wider than the phone but the scrollable tables
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.shoot("open-data")
    page.get_by_label("统计月份").select_option(index=1)
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**/open/?month=*")
    assert "本月暂无公开诉求" in page.content() or page.locator("#open-total").inner_text() != ""
    assert page.js_errors == []
