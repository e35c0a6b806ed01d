"""`youhu indicators import` (row-level report, nothing written on a structural error), `score` (the CSV)
and the platform figures computed from Youhu's own data."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from youhu.enterprise.models import Building, Company
from youhu.indicators import auto, services, tree
from youhu.indicators.importer import ImportFileError, import_values
from youhu.indicators.models import Entity, Period, Value
from youhu.indicators.scoring import SINGLE_ENTITY
from youhu.testing.factories import at, make_area
from youhu.testing.files import with_sheet_cut

pytestmark = pytest.mark.django_db


def xlsx(path, rows, header=("评价对象", "评价期", "指标", "数值", "计量单位")):
    book = Workbook()
    book.active.append(list(header))
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    return path


def test_the_row_report_names_line_and_reason_and_the_good_rows_are_stored(tmp_path, small_tree, parks):
    path = xlsx(tmp_path / "v.xlsx", [
        ("P1", 2025, "revenue", 120.5, "亿元"),
        ("会展数字产业园", "2025", "营业收入", "80", ""),
        ("P3", 2025, "revenue", "一百", "亿元"),
        ("P3", 2025, "revenue", 90, "万元"),
        ("无此园区", 2025, "revenue", 1, ""),
        ("P1", "2025-1", "revenue", 1, ""),
        ("P1", 2025, "gdp", 1, ""),
        ("P1", 2025, "revenue", 3, ""),
    ])
    report = import_values(path)
    assert [(e.line, e.reason.split(" / ")[0]) for e in report.errors] == [
        (4, "数值“一百”不是数字"),
        (5, "指标“营业收入”的计量单位是“亿元”，文件中为“万元”"),
        (6, "评价对象“无此园区”不存在"),
        (7, "评价期应写作 2025 或 2025Q3，收到“2025-1”"),
        (8, "指标“gdp”不在现行指标体系中"),
        (9, "与第 2 行重复"),
    ]
    assert report.stored == 2
    assert sorted(Value.objects.values_list("entity__code", "value", "source")) == [
        ("P1", 120.5, "import"), ("P2", 80.0, "import")]
    assert Period.objects.get().code == "2025"


def test_a_structural_error_writes_nothing(tmp_path, small_tree, parks):
    path = xlsx(tmp_path / "v.xlsx", [("P1", 2025, 1)], header=("评价对象", "评价期", "数值"))
    with pytest.raises(ImportFileError, match="缺少列：指标"):
        import_values(path)
    (tmp_path / "bad.xlsx").write_text("not a workbook")
    with pytest.raises(ImportFileError, match="无法读取"):
        import_values(tmp_path / "bad.xlsx")
    assert not Value.objects.exists() and not Period.objects.exists()


def test_a_cut_sheet_writes_nothing_and_names_the_row(tmp_path, small_tree, parks):
    """Issue 19: openpyxl streams the sheet, so a cut one failed with a raw ParseError part-way."""
    path = xlsx(tmp_path / "v.xlsx", [("P1", 2025, "revenue", i, "") for i in range(400)])
    path.write_bytes(with_sheet_cut(path.read_bytes(), keep=0.8))
    with pytest.raises(ImportFileError, match=r"第 \d+ 行：工作表在这一行处损坏或被截断"):
        import_values(path)
    assert not Value.objects.exists() and not Period.objects.exists()
    good = import_values(xlsx(tmp_path / "g.xlsx", [("P1", 2025, "revenue", 1, ""), (None,), ("P9", 2025, "x", 1)]))
    assert good.summary().splitlines()[1] == "文件共 4 行：表头 1 行，空行 1 行，数据 2 条（写入 1，拒绝 1）"


def test_dry_run_checks_only(tmp_path, small_tree, parks):
    report = import_values(xlsx(tmp_path / "v.xlsx", [("P1", 2025, "revenue", 1, "")]), dry_run=True)
    assert not report.errors and not Value.objects.exists()


def test_score_writes_entity_index_rank_and_dimensions(tmp_path, small_tree, parks, year):
    figures = {"revenue": [10, 20, 30], "approval_days": [5, 10, None]}
    services.store([services.Figure(p, year, code, v) for code, vs in figures.items()
                    for p, v in zip(parks, vs, strict=True) if v is not None], source="import", by=None)
    out = tmp_path / "s.csv"
    call_command("indicators", "score", "--period", "2025", "--output", str(out))
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0] == ["entity", "index", "rank", "counted", "产业规模", "营商环境"]
    # revenue 0/50/100, approval days (lower is better) 100/0/—; weights .3 and .25 of the present ones
    assert rows[1:] == [["南岸人工智能园", "100.0", "1", "1", "100.0", ""],
                        ["琶洲互联网创新集聚区", "45.45", "2", "2", "0.0", "100.0"],
                        ["会展数字产业园", "27.27", "3", "2", "50.0", "0.0"]]


def test_score_refuses_a_bad_period_and_states_the_single_entity_fallback(tmp_path, small_tree, parks, year):
    with pytest.raises(CommandError, match="没有评价期“2031”"):
        call_command("indicators", "score", "--period", "2031", "--output", str(tmp_path / "x.csv"))
    services.store([services.Figure(parks[0], year, "revenue", 5)], source="import", by=None)
    out = tmp_path / "one.csv"
    call_command("indicators", "score", "--period", "2025", "--weights", "entropy", "--output", str(out))
    text = out.read_text(encoding="utf-8-sig")
    assert "琶洲互联网创新集聚区,100.0,1,1" in text and f"# {SINGLE_ENTITY}" in text


def test_platform_figures_are_computed_from_the_companies_and_tickets(small_tree, year):
    street = make_area("琶洲街道")
    building = Building.objects.create(name="琶洲互联网创新集聚区", kind=Building.Kind.PARK, street=street)
    park = Entity.objects.create(code="P1", name="琶洲互联网创新集聚区", kind=Entity.Kind.PARK, building=building)
    Entity.objects.create(code="Z1", name="外区园区", kind=Entity.Kind.PEER)  # no data in Youhu: nothing
    for k, created in enumerate([at("2025-03-01 10:00"), at("2025-11-01 10:00"), at("2026-02-01 10:00")]):
        Company.objects.create(name=f"企业{k}", uscc=f"91440105MA5{k:07d}", building=building,
                               created_at=created, updated_at=created)
    assert auto.autofill(year, now=at("2026-03-01 10:00")) == 1
    value = Value.objects.get()
    assert (value.entity, value.indicator_code, value.value, value.source) == (park, "companies", 2.0, "auto")
    assert auto.open_periods(date(2025, 6, 1)) == [year]


def test_the_platform_rates_come_from_the_streets_tickets(small_tree, year, district):
    """A street entity's 12345 响应率 is supervision's definition over its tickets of the period."""
    street = Entity.objects.create(code="S1", name="测试街道", kind=Entity.Kind.STREET, area=district.street)
    district.ticket_in("closed", now=at("2025-05-06 10:00"), street=district.street)  # accepted at once
    district.ticket_in("dispatched", now=at("2025-05-06 10:00"), street=district.street)  # never accepted
    district.ticket_in("closed", now=at("2026-01-05 10:00"), street=district.street)  # another period
    auto.autofill(year, now=at("2026-03-01 10:00"))
    assert Value.objects.get(entity=street, indicator_code="response_rate").value == 50.0


def test_the_key_projects_investment_completion_comes_from_the_streets_projects(district, year):
    """An indicator with the auto key project_investment: completed / planned of the street's projects."""
    from youhu.projects.models import Investment, Project

    tree.publish([{"code": "projects", "name": "重点项目", "weight": 1, "indicators": [
        {"code": "invest_rate", "name": "重点项目投资完成率", "unit": "%", "weight": 1, "source": "platform",
         "auto": "project_investment"}]}], by=None, note="测试")
    street = Entity.objects.create(code="S1", name="测试街道", kind=Entity.Kind.STREET, area=district.street)
    Entity.objects.create(code="S2", name="无项目街道", kind=Entity.Kind.STREET, area=make_area("无项目街道"))
    for code, planned, completed in (("P1", 300, 240), ("P2", 100, 20)):
        project = Project.objects.create(code=code, name=code, kind="industry", stage="building",
                                         lead_unit=district.roads, street=district.street,
                                         created_at=at("2025-01-02 10:00"), updated_at=at("2025-01-02 10:00"))
        Investment.objects.create(project=project, year=2025, planned=planned, completed=completed)
        Investment.objects.create(project=project, year=2026, planned=999, completed=0)  # another period
    assert auto.autofill(year, now=at("2026-03-01 10:00")) == 1  # the street without projects has no figure
    assert Value.objects.get(entity=street, indicator_code="invest_rate").value == 65.0  # 260 / 400


def test_the_commands_print_the_report_and_the_tree(tmp_path, small_tree, parks, capsys):
    path = xlsx(tmp_path / "v.xlsx", [("P1", 2025, "revenue", "x", ""), ("P2", 2025, "revenue", 3, "")])
    call_command("indicators", "import", str(path))
    out = capsys.readouterr().out
    assert "第 2 行：数值“x”不是数字" in out and "写入 1 个数值，拒绝 1 行" in out
    call_command("indicators", "tree", "show")
    assert '"code": "approval_days"' in capsys.readouterr().out
    bad = tmp_path / "tree.json"
    bad.write_text('[{"code": "a", "name": "甲", "weight": 1, "indicators": []}]', encoding="utf-8")
    with pytest.raises(CommandError, match="维度“甲”下没有指标"):
        call_command("indicators", "tree", "publish", str(bad))
