"""A district's staff see their district's dashboard only; the city's staff the whole city (docs/levels.md)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache

from youhu import clock
from youhu.dashboard.notices import tell_surges
from youhu.testing.factories import City
from youhu.tickets.models import Notification, Status

pytestmark = pytest.mark.django_db

HZ_TITLE = "海珠新港东路下水道堵塞污水漫路面"
YX_TITLE = "越秀北京路路灯全部不亮夜间漆黑"


@pytest.fixture
def city(db) -> City:
    """Each district: three near-identical appeals on its own street this morning (a hotspot), one overdue."""
    city = City()
    now = clock.now()
    for level, title in ((city.a, HZ_TITLE), (city.b, YX_TITLE)):
        for hours in range(3):
            city.in_district(level, status=Status.HANDLING, now=now - timedelta(hours=hours, minutes=5),
                             title=title, content=f"{title}，请尽快处理。", street=level.street)
    cache.clear()
    return city


def _get(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.content
    if response["Content-Type"].startswith("application/json"):  # JSON escapes Chinese: compare the text
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def test_a_districts_supervisor_sees_only_its_districts_figures_and_hotspots(client, city):
    text = _get(client, city.b.supervisor, "/api/dashboard/summary")
    data = json.loads(text)
    assert [s["street"] for s in data["streets"]] == [city.b.street.name]
    assert data["overview"]["open"] == 3 and data["district"] == city.b.district.pk
    assert [u["unit"] for u in data["overdue_units"]] in ([], [city.b.dept.name])
    assert city.a.street.name not in text and city.a.dept.name not in text and "海珠" not in text
    # asking for the other district changes nothing: a district's staff get their own whatever they ask
    other = _get(client, city.b.supervisor, f"/api/dashboard/summary?district={city.a.district.pk}")
    assert json.loads(other)["streets"] == data["streets"]
    hotspots = _get(client, city.b.supervisor, f"/api/dashboard/hotspots?district={city.a.district.pk}")
    assert YX_TITLE in hotspots and HZ_TITLE not in hotspots
    streets = json.loads(_get(client, city.b.supervisor, "/api/dashboard/streets"))
    assert all(f["properties"]["name"] != city.a.street.name for f in streets["features"])


def test_a_districts_pages_show_no_other_districts_street(client, city):
    page = _get(client, city.b.supervisor, "/dashboard/")
    assert city.b.street.name in page and city.a.street.name not in page and "全市" not in page
    assert f'data-district="{city.b.district.pk}"' in page and "越秀区一张图" in page and "海珠" not in page
    assert "越秀区综合指挥调度" in _get(client, city.b.supervisor, "/dashboard/screen/")
    assert client.get(f"/dashboard/streets/{city.a.street.pk}/").status_code == 404
    assert client.get(f"/dashboard/streets/{city.b.street.pk}/").status_code == 200


def test_the_city_sees_every_district_and_may_pick_one(client, city):
    data = json.loads(_get(client, city.supervisor, "/api/dashboard/summary"))
    assert {s["street"] for s in data["streets"]} == {city.a.street.name, city.b.street.name}
    assert data["overview"]["open"] == 6 and data["district"] is None
    hotspots = _get(client, city.supervisor, "/api/dashboard/hotspots")
    assert HZ_TITLE in hotspots and YX_TITLE in hotspots
    one = json.loads(_get(client, city.supervisor, f"/api/dashboard/summary?district={city.a.district.pk}"))
    assert [s["street"] for s in one["streets"]] == [city.a.street.name]
    only_a = _get(client, city.supervisor, f"/api/dashboard/hotspots?district={city.a.district.pk}")
    assert HZ_TITLE in only_a and YX_TITLE not in only_a
    page = _get(client, city.supervisor, "/dashboard/")
    assert "全市" in page and city.a.district.name in page and city.b.district.name in page
    assert client.get("/api/dashboard/summary?district=999999").status_code == 400
    assert client.get("/dashboard/?district=999999").status_code == 404


def test_a_surge_is_told_to_its_districts_supervisors_and_the_city(city):
    now = clock.now()
    for minutes in range(6):
        city.in_district(city.b, now=now - timedelta(minutes=minutes + 1), title="越秀噪音扰民", street=city.b.street)
    assert tell_surges(now) >= 2  # 越秀区's own, and the same street counted over the whole city
    told = set(Notification.objects.filter(kind="surge", message__contains=city.b.street.name)
               .values_list("user", flat=True))
    assert told == {city.b.supervisor.pk, city.supervisor.pk}
    assert not Notification.objects.filter(kind="surge", user=city.a.supervisor).exists()
    assert tell_surges(now + timedelta(minutes=5)) == 0, "each level is told once"
