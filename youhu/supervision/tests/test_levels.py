"""The city ranks its districts; each district ranks and sees its own units' figures (docs/levels.md)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from youhu.access.keys import create_api_key
from youhu.conftest import KeyClient
from youhu.supervision.metrics import month_period, scorecard, scorecards
from youhu.supervision.models import RankingWeights
from youhu.supervision.ranking import district_ranking, monthly_ranking
from youhu.testing.factories import City, at
from youhu.tickets import services
from youhu.tickets.errors import NotAllowed
from youhu.tickets.models import Status

pytestmark = pytest.mark.django_db
MARCH = "2026-03"
NOW = at("2026-04-02 10:00")


@pytest.fixture
def city(db) -> City:
    city = City()
    # 海珠区: three tickets, all accepted at once; 越秀区: two, one of them never accepted.
    for _ in range(3):
        city.in_district(city.a, status=Status.HANDLING, now=at("2026-03-10 10:00"))
    city.in_district(city.b, status=Status.HANDLING, now=at("2026-03-10 10:00"))
    city.in_district(city.b, status=Status.DISPATCHED, now=at("2026-03-10 10:00"))
    RankingWeights.objects.create(name="响应率", min_volume=2, active=True,
                                  **{f.name: 0 for f in RankingWeights._meta.fields if f.name.startswith("w_")}
                                  | {"w_response_rate": 1})
    return city


def test_the_city_ranks_its_districts_from_each_districts_figures(city):
    period = month_period(MARCH, now=NOW)
    cards = scorecards(period, group_by="district", now=NOW)
    assert (cards[city.a.district.pk].received, cards[city.b.district.pk].received) == (3, 2)
    table = district_ranking(period, now=NOW)
    assert [(row.unit.name, row.rank, row.score) for row in table.ranked] == [("海珠区", 1, 100.0),
                                                                          ("越秀区", 2, 50.0)]
    assert scorecard(period, district=city.b.district, now=NOW).accepted == 1


def test_each_district_ranks_its_own_units_only(city):
    period = month_period(MARCH, now=NOW)
    rows = monthly_ranking(period, district=city.b.district, now=NOW)
    names = {row.unit.name for row in rows.ranked + rows.insufficient}
    assert city.b.dept.name in names and city.a.dept.name not in names and city.city_dept.name not in names


def test_the_api_and_pages_give_each_level_its_own_figures(client, city):
    b_api = KeyClient(create_api_key(city.b.supervisor, name="t").secret)
    city_api = KeyClient(create_api_key(city.supervisor, name="t").secret)
    assert b_api.get(f"/api/supervision/districts?month={MARCH}").status_code == 403
    ranked = city_api.get(f"/api/supervision/districts?month={MARCH}").json()["ranked"]
    assert [(r["unit_name"], r["rank"]) for r in ranked] == [("海珠区", 1), ("越秀区", 2)]
    b_units = b_api.get(f"/api/supervision/ranking?month={MARCH}").json()
    assert {r["unit_name"] for r in b_units["ranked"] + b_units["insufficient"]} >= {city.b.dept.name}
    assert city.a.dept.name not in str(b_units)
    assert b_api.get(f"/api/supervision/metrics?month={MARCH}").json()["figures"]["received"] == 2
    assert city_api.get(f"/api/supervision/metrics?month={MARCH}").json()["figures"]["received"] == 5
    client.force_login(city.supervisor)
    page = client.get(reverse("supervision:ranking") + f"?month={MARCH}").content.decode()
    assert "各区排名" in page and "海珠区" in page and "越秀区" in page
    client.force_login(city.b.supervisor)
    page = client.get(reverse("supervision:ranking") + f"?month={MARCH}").content.decode()
    assert "各区排名" not in page and city.b.dept.name in page and city.a.dept.name not in page


def test_a_districts_supervisor_cannot_release_another_districts_reply(city):
    ticket = city.in_district(city.a, status=Status.HANDLING)
    services.reply(ticket, by=city.a.handler, text="经核查已修复路灯，恢复照明。", now=NOW)
    services.withhold_reply(ticket, by=None, reason="答复过简", now=NOW)
    with pytest.raises(NotAllowed):
        services.release_reply(ticket, by=city.b.supervisor, now=NOW)
    services.release_reply(ticket, by=city.supervisor, now=NOW)  # the city supervises every district


def test_a_districts_supervisor_works_on_its_own_districts_lists(client, city):
    late = at("2026-03-02 09:30")  # dispatched a month before NOW: both overdue
    in_a = city.in_district(city.a, status=Status.HANDLING, now=late, title="海珠区超期件")
    city.in_district(city.b, status=Status.HANDLING, now=late, title="越秀区超期件")
    services.request_extension(in_a, by=city.a.handler, working_days=3, reason="需协调", now=late)
    b_api = KeyClient(create_api_key(city.b.supervisor, name="t").secret)
    city_api = KeyClient(create_api_key(city.supervisor, name="t").secret)
    mine, everyone = b_api.get("/api/supervision/overdue").json(), city_api.get("/api/supervision/overdue").json()
    assert [r["unit_name"] for r in mine["by_unit"]] == [city.b.dept.name]
    assert mine["total"] < everyone["total"]
    client.force_login(city.b.supervisor)
    for name in ("supervision:overdue", "supervision:extensions"):
        page = client.get(reverse(name)).content.decode()
        assert "海珠区超期件" not in page and city.a.dept.name not in page
    assert "越秀区超期件" in client.get(reverse("supervision:overdue")).content.decode()
    home = client.get(reverse("supervision:home") + f"?month={MARCH}").content.decode()
    assert city.b.dept.name in home and city.a.dept.name not in home and "hz街道" not in home
    client.force_login(city.supervisor)
    assert "海珠区超期件" in client.get(reverse("supervision:extensions")).content.decode()


def _workbook_text(client, user) -> dict[str, str]:
    """Each sheet of the month's workbook as `user` downloads it, its cells joined."""
    import io

    from openpyxl import load_workbook

    client.force_login(user)
    response = client.get(reverse("supervision:report") + f"?month={MARCH}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    return {ws.title: " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
            for ws in wb.worksheets}


def test_the_months_workbook_is_the_viewers_district_and_the_city_ranks_the_districts(client, city):
    own = _workbook_text(client, city.b.supervisor)
    assert "各区排名" not in own
    everything = " ".join(own.values())
    assert city.b.dept.name in own["单位明细"] and city.a.dept.name not in everything
    assert "海珠" not in everything
    assert "越秀区住房建设局" in own["超期工单"]  # its own overdue tickets are there
    whole = _workbook_text(client, city.supervisor)
    assert "海珠区" in whole["各区排名"] and "越秀区" in whole["各区排名"]
    assert city.a.dept.name in whole["超期工单"] and city.b.dept.name in whole["超期工单"]


def test_the_months_csv_is_the_viewers_district(client, city):
    city.in_district(city.a, now=at("2026-03-11 10:00"), title="海珠区导出件")
    city.in_district(city.b, now=at("2026-03-11 10:00"), title="越秀区导出件")

    def exported(user) -> str:
        client.force_login(user)
        response = client.get(reverse("supervision:export_csv") + f"?month={MARCH}")
        assert response.status_code == 200
        return b"".join(response.streaming_content).decode("utf-8-sig")

    own = exported(city.b.supervisor)
    assert "越秀区导出件" in own and "海珠区导出件" not in own and city.a.dept.name not in own
    whole = exported(city.supervisor)
    assert "越秀区导出件" in whole and "海珠区导出件" in whole


def test_the_report_command_writes_one_districts_workbook(city, tmp_path):
    from django.core.management import CommandError, call_command
    from openpyxl import load_workbook

    target = tmp_path / "yx.xlsx"
    call_command("report", "monthly", "--month", MARCH, "--output", str(target), "--district", "440104")
    names = load_workbook(target, read_only=True).sheetnames
    assert "各区排名" not in names and "考核排名" in names
    call_command("report", "monthly", "--month", MARCH, "--output", str(target))
    assert "各区排名" in load_workbook(target, read_only=True).sheetnames
    with pytest.raises(CommandError, match="区划代码"):
        call_command("report", "monthly", "--month", MARCH, "--output", str(target), "--district", "999999")


def test_the_workspace_lists_take_the_district_and_keep_to_it(city):
    from youhu.supervision import selectors

    late = at("2026-03-02 09:30")
    in_a = city.in_district(city.a, status=Status.HANDLING, now=late)
    in_b = city.in_district(city.b, status=Status.HANDLING, now=late)
    services.request_extension(in_a, by=city.a.handler, working_days=3, reason="需协调", now=late)
    services.request_extension(in_b, by=city.b.handler, working_days=3, reason="需协调", now=late)
    replied = []
    for level in (city.a, city.b):
        ticket = city.in_district(level, status=Status.HANDLING, now=late)
        services.reply(ticket, by=level.handler, text="经核查已修复路灯，恢复照明。", now=late)
        replied.append(ticket)
    services.withhold_reply(replied[0], by=None, reason="答复过简", now=late)
    services.withhold_reply(replied[1], by=None, reason="答复过简", now=late)
    b = city.b.district.pk
    lists = {
        "overdue": selectors.overdue_tickets(district_id=b, now=NOW),
        "pending": [e.ticket for e in selectors.pending_extensions(district_id=b)],
        "withheld": selectors.withheld_replies(district_id=b),
    }
    for name, tickets in lists.items():
        assert tickets and {t.district_id for t in tickets} == {b}, name
    assert {r["main_unit_id"] for r in selectors.overdue_by_unit(district_id=b, now=NOW)} == {city.b.dept.pk}
    services.release_reply(replied[1], by=city.supervisor, now=late)
    assert [t.pk for t in selectors.awaiting_review(district_id=b)] == [replied[1].pk]
    assert len(selectors.overdue_tickets(district_id=None, now=NOW)) > len(lists["overdue"])  # the city: all
    with pytest.raises(TypeError):  # a new caller must say whose lists it reads
        selectors.withheld_replies()
