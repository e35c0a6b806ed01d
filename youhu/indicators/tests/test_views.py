"""The pages: ranking, an entity's trace back to each normalised value × weight, export, the units' form."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from youhu.directory.models import Role
from youhu.indicators import periods, services
from youhu.indicators.models import ScoreRun, Value
from youhu.testing.factories import make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(small_tree, parks, year):
    """Two years: the first park falls behind on revenue in 2025."""
    before = periods.get_or_create("2024")
    data = {before: {"revenue": [30, 20, 10], "approval_days": [5, 10, 15]},
            year: {"revenue": [10, 20, 30], "approval_days": [5, 10, None]}}
    services.store([services.Figure(p, period, code, v) for period, figures in data.items()
                    for code, vs in figures.items() for p, v in zip(parks, vs, strict=True) if v is not None],
                   source="import", by=None)
    return parks


@pytest.fixture
def leader(client):
    client.force_login(make_user("leader", Role.SUPERVISOR))
    return client


def test_ranking_lists_entities_best_first_with_their_count(leader, scored):
    page = leader.get("/indicators/?period=2025").content.decode()
    assert "本期尚未保存评分" in page
    assert page.index("南岸人工智能园") < page.index("琶洲互联网创新集聚区") < page.index("会展数字产业园")
    assert "45.45" in page and "2/4" in page


def test_the_entity_page_traces_the_index_to_each_normalised_value_and_weight(leader, scored):
    page = leader.get(f"/indicators/entities/{scored[0].pk}/?period=2025").content.decode()
    # revenue: 0.0 normalised × 0.3; approval days 100 × 0.25; present weights 0.55
    assert "0.3000" in page and "0.2500" in page and "0.4545" in page and "45.45" in page
    assert 'data-figure="fig-radar"' in page and 'id="fig-trend"' in page
    assert "较2024年变化最大的指标" in page and "营业收入" in page


def test_saving_a_run_keeps_it_and_the_page_reads_it(leader, scored):
    leader.post("/indicators/score", {"period": "2025", "weights": "entropy"})
    run = ScoreRun.objects.get()
    assert (run.method, run.created_by.username, run.version.number) == ("entropy", "leader", 1)
    assert "评分记录" in leader.get("/indicators/?period=2025&weights=entropy").content.decode()


def test_export_is_a_workbook_with_ranking_and_detail(leader, scored):
    response = leader.get("/indicators/export.xlsx?period=2025")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["排名", "明细"]
    assert [c.value for c in book["排名"][3]][:3] == ["南岸人工智能园", 100.0, 1]


def test_the_exports_neutralise_a_formula_name_and_keep_numbers(leader, scored, tmp_path):
    from django.core.management import call_command

    scored[2].name = '=HYPERLINK("http://x","y")'
    scored[2].save()
    book = load_workbook(io.BytesIO(leader.get("/indicators/export.xlsx?period=2025").content))
    top = [c for c in book["排名"][3]]
    assert top[0].value == "'" + scored[2].name and (top[1].value, top[1].data_type) == (100.0, "n")
    assert {r[0].value for r in book["明细"].iter_rows(min_row=2)} >= {"'" + scored[2].name}
    out = tmp_path / "score.csv"
    call_command("indicators", "score", "--period", "2025", "--output", str(out), stdout=io.StringIO())
    text = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_handlers_and_units_do_not_see_rankings(client, scored):
    client.force_login(make_user("h", Role.HANDLER))
    assert client.get("/indicators/").status_code == 403
    assert client.get(f"/indicators/entities/{scored[0].pk}/").status_code == 403


def test_a_unit_fills_its_figures_on_the_form(client, scored, year):
    office = make_unit("琶洲管委会")
    scored[2].unit = office
    scored[2].save()
    year.deadline = date(2026, 1, 31)
    year.save()
    client.force_login(make_user("head", Role.UNIT_HEAD, unit=office))
    page = client.get("/indicators/fill/?period=2025").content.decode()
    assert "南岸人工智能园" in page and "琶洲互联网创新集聚区" not in page
    response = client.post("/indicators/fill/?period=2025", {"entity": scored[2].pk, "approval_days": "十二"},
                           follow=True)
    assert "不是数字" in response.content.decode()
    client.post("/indicators/fill/?period=2025", {"entity": scored[2].pk, "approval_days": "12"})
    assert Value.objects.get(entity=scored[2], period=year, indicator_code="approval_days").value == 12.0
    assert client.post("/indicators/fill/?period=2025", {"entity": scored[0].pk, "approval_days": "1"}
                       ).status_code == 404


def test_the_json_ranking_and_its_errors(leader, scored):
    body = leader.get("/api/indicators/ranking?period=2025").json()
    assert [e["name"] for e in body["entities"]][0] == "南岸人工智能园" and body["run"] is None
    assert body["entities"][1]["index"] == pytest.approx(45.4545, abs=1e-3)
    error = leader.get("/api/indicators/ranking?period=20x5").json()
    assert error["field"] == "period" and "2025Q3" in error["message"]
    assert leader.get("/api/indicators/ranking?period=2025&weights=pca").status_code == 400


def test_the_tree_page_shows_the_version_in_force_and_the_old_ones(leader, scored, year):
    services.run_score(year, by=None)
    page = leader.get("/indicators/tree/").content.decode()
    assert "第 1 版（现行）" in page and "越低越好" in page and "单位填报" in page
    assert leader.get("/indicators/tree/?version=1").status_code == 200


def test_a_period_without_values_is_an_empty_ranking(leader, small_tree):
    periods.get_or_create("2026")
    page = leader.get("/indicators/?period=2026").content.decode()
    assert "本期尚无任何指标数据" in page
