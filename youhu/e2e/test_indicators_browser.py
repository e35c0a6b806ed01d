import pytest

from youhu import clock
from youhu.indicators import demo

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_ranking_and_an_entity_page_with_its_charts_and_trace(page, live_server, district):
    demo.load(clock.now())
    login(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/indicators/")
    rows = page.locator("table.data-table tbody tr")
    assert rows.count() == 10
    assert rows.first.locator("td").first.inner_text() == "1"
    page.shoot("ranking")
    page.get_by_role("link", name="南岸人工智能园").click()
    page.wait_for_selector("[data-figure='fig-radar'] .scatterlayer, [data-figure='fig-radar'] .polarlayer")
    assert page.locator("[data-figure='fig-radar'] .trace").count() == 2  # the park and the median
    assert page.locator("[data-figure='fig-trend'] .scatterlayer .trace").count() == 1
    trace = page.locator("#trace tbody tr")
    assert trace.count() == 14
    assert "—" in trace.filter(has_text="算力规模").inner_text()  # not filled: missing, not 0
    assert "13/14" in page.locator(".stats").inner_text()
    page.shoot("entity")
    assert page.js_errors == []
