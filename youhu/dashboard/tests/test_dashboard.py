from datetime import timedelta

import pytest
from django.core.cache import cache

from youhu.dashboard import rollup, selectors, stored
from youhu.dashboard.figures import hotspots, summary
from youhu.testing.factories import at, make_area, make_category, make_ticket
from youhu.tickets import services
from youhu.tickets.models import Channel, Status

NOW = at("2026-03-20 15:00")


def _tickets(n, *, when, **fields):
    return [make_ticket(now=when, **fields) for _ in range(n)]


@pytest.mark.parametrize(
    ("today", "baseline", "expected", "threshold"),
    [
        (4, [0] * 28, False, 5.0),  # below the minimum count
        (5, [0] * 28, True, 5.0),  # a quiet street, five at once
        (5, [3] * 28, False, 6.0),  # steady 3 a day: 3 + 3 x max(stdev 0, 1) = 6
        (6, [3] * 28, True, 6.0),
    ],
)
def test_surge_rule_thresholds(today, baseline, expected, threshold):
    hit, _mean, limit = selectors.is_surge(today, baseline)
    assert (hit, limit) == (expected, threshold)


def test_surge_rule_uses_spread_of_baseline():
    noisy = [0, 20] * 14  # mean 10, population stdev 10 -> threshold 40
    assert selectors.is_surge(39, noisy)[0] is False
    assert selectors.is_surge(40, noisy)[0] is True


def test_surges_flag_a_street_far_above_its_baseline(district):
    quiet = make_area("南洲街道")
    for day in range(1, 29):
        make_ticket(now=NOW - timedelta(days=day), street=district.street)
    _tickets(6, when=NOW - timedelta(hours=2), street=quiet)
    _tickets(2, when=NOW - timedelta(hours=2), street=district.street)
    rollup.rebuild(NOW)
    found = selectors.surges(NOW)
    names = {(s["dimension"], s["name"]) for s in found}
    assert ("street", "南洲街道") in names
    assert ("street", "琶洲街道") not in names


def test_trend_is_zero_filled_by_channel(district):
    make_ticket(now=NOW - timedelta(days=2), channel=Channel.HOTLINE)
    make_ticket(now=NOW, channel=Channel.WEB)
    make_ticket(now=NOW, channel=Channel.WEB)
    make_ticket(now=NOW - timedelta(days=40), channel=Channel.WEB)  # outside the window
    rollup.rebuild(NOW)
    trend = selectors.intake_trend(NOW, 30)
    assert len(trend["dates"]) == 30 and trend["dates"][-1] == "2026-03-20"
    series = {s["channel"]: s["counts"] for s in trend["series"]}
    assert series["web"][-1] == 2 and sum(series["web"]) == 2
    assert series["hotline"][-3] == 1 and sum(series["hotline"]) == 1


def test_top_categories_count_by_first_level(district):
    child = make_category("环境保护/噪声污染/施工噪声")
    for _ in range(3):
        services.register(make_ticket(now=NOW), by=district.dispatcher, category=child, now=NOW)
    services.register(make_ticket(now=NOW), by=district.dispatcher, category=district.category, now=NOW)
    rollup.rebuild(NOW)
    top = selectors.top_categories(NOW, 30)
    assert top[0] == {"category": "环境保护", "count": 3}
    assert {"category": "城乡建设", "count": 1} in top


def test_overdue_by_unit_and_overview(district):
    late = district.ticket_in(Status.HANDLING, now=at("2026-02-02 10:00"))
    district.ticket_in(Status.HANDLING, now=NOW - timedelta(hours=1))
    rollup.rebuild(NOW)
    rows = selectors.overdue_by_unit(NOW)
    assert rows == [{"unit_id": district.roads.pk, "unit": district.roads.name, "overdue": 1}]
    overview = selectors.overview(NOW)
    assert overview["overdue"] == 1 and overview["open"] == 2
    assert late.reply_due < NOW


def test_summary_has_every_panel(district):
    district.ticket_in(Status.CLOSED, now=NOW - timedelta(days=3))
    rollup.rebuild(NOW)
    stored.compute_scope(None, NOW)
    data = summary(NOW, days=30)
    assert data["updated_at"] == NOW.isoformat()
    for key in ("overview", "rates", "trend", "top_categories", "streets", "overdue_units", "surges",
                "surge_rule"):
        assert key in data
    rates = {r["key"]: r["value"] for r in data["rates"]}
    assert rates["satisfaction_rate"] == 1.0
    assert "激增规则" in data["surge_rule"]


def test_api_requires_a_viewer_role(client, district):
    assert client.get("/api/dashboard/summary").status_code == 401
    client.force_login(district.handler)
    assert client.get("/api/dashboard/summary").status_code == 403
    assert client.get("/dashboard/").status_code == 403
    client.force_login(district.supervisor)
    response = client.get("/api/dashboard/summary?days=90")
    assert response.status_code == 200 and response.json()["days"] == 90
    shapes = client.get("/api/dashboard/streets").json()
    assert shapes["type"] == "FeatureCollection" and len(shapes["features"]) >= 1


def test_pages_render_offline_assets(client, district):
    client.force_login(district.supervisor)
    page = client.get("/dashboard/").content.decode()
    assert "/dashboard/plotly.js" in page and "cdn" not in page.lower()
    assert "大屏模式" in page
    screen = client.get("/dashboard/screen/").content.decode()
    assert "bigscreen" in screen
    js = client.get("/dashboard/plotly.js")
    assert js.status_code == 200 and b"plotly" in b"".join(js.streaming_content)[:2000].lower()
    street = client.get(f"/dashboard/streets/{district.street.pk}/")
    assert street.status_code == 200 and "琶洲街道" in street.content.decode()


def test_hotspots_are_computed_by_the_queue_and_read_as_stored(district):
    text = "琶洲街道黄埔村社区新港东路路口的下水道堵塞，污水漫到路面，气味难闻，请尽快疏通。"
    for hours in range(4):
        make_ticket(title="新港东路下水道堵塞污水漫路面", content=text, street=district.street,
                    now=NOW - timedelta(hours=hours))
    cache.clear()
    assert stored.compute_scope(None, NOW)
    found = hotspots(NOW)
    assert found["computed_at"] == NOW.isoformat()
    assert found["hotspots"], "four near-identical appeals in one street within hours form a hotspot"
    assert found["hotspots"][0]["size"] == 4 and "下水道" in found["hotspots"][0]["title"]
    make_ticket(title="新港东路下水道堵塞污水漫路面", content=text, street=district.street, now=NOW)
    assert hotspots(NOW)["hotspots"][0]["size"] == 4, "the request reads what the queue stored"
    assert not stored.compute_scope(None, NOW + timedelta(seconds=30)), "another worker's copy, a moment later"
    assert stored.compute_scope(None, NOW + timedelta(minutes=5))
    assert hotspots(NOW)["hotspots"][0]["size"] == 5
