"""The Excel import (idempotent, row-level errors, nothing half-written) and the monthly workbook."""

from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from youhu.projects import services
from youhu.projects.importer import NODE_HEADERS, PROJECT_HEADERS, ImportFileError, import_projects
from youhu.projects.models import Node, Project, ProjectEvent
from youhu.projects.report import build
from youhu.testing.factories import at
from youhu.testing.files import with_sheet_cut

pytestmark = pytest.mark.django_db

P_COLS = [names[0] for names in PROJECT_HEADERS.values()]
N_COLS = [names[0] for names in NODE_HEADERS.values()]


def workbook(projects: list[dict], nodes: list[dict]) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "项目"
    sheet.append(P_COLS)
    for row in projects:
        sheet.append([row.get(c) for c in P_COLS])
    sheet = book.create_sheet("节点")
    sheet.append(N_COLS)
    for row in nodes:
        sheet.append([row.get(c) for c in N_COLS])
    stream = BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def project_row(zone, code="HZ-1", **over) -> dict:
    return {"项目编号": code, "项目名称": "琶洲数字总部", "项目类型": "产业", "项目阶段": "建设",
            "计划总投资(万元)": 52000, "年度": 2026, "年度计划投资(万元)": 8000, "年度完成投资(万元)": "1,200",
            "牵头单位": zone.lead.name, "配合单位": f"{zone.land.name}、{zone.other.name}", "挂点领导": "leader_a",
            "投资企业统一社会信用代码": zone.company.uscc, "街道": "琶洲", "经度": 113.37, "纬度": 23.098, **over}


def node_row(zone, code="HZ-1", name="施工许可", **over) -> dict:
    return {"项目编号": code, "节点名称": name, "序号": 1, "计划开始": date(2026, 1, 5), "计划完成": "2026-04-30",
            "责任单位": zone.land.name, **over}


def test_importing_twice_gives_the_same_projects(zone):
    rows = [project_row(zone), project_row(zone, "HZ-2", 项目名称="琶洲南区变电站", 项目类型="基础设施")]
    nodes = [node_row(zone), node_row(zone, name="主体开工", 计划完成=date(2026, 6, 30)), node_row(zone, "HZ-2")]
    first = import_projects(workbook(rows, nodes), now=zone.now)
    assert first.errors == [] and first.projects["created"] == 2 and first.nodes["created"] == 3
    project = Project.objects.get(code="HZ-1")
    assert project.cso == zone.cso  # the company's officer
    assert project.leader == zone.leader and project.street == zone.district.street
    assert sorted(u.name for u in project.co_units.all()) == sorted([zone.land.name, zone.other.name])
    assert project.investments.get(year=2026).completed == Decimal("1200.00")
    snapshot = (Project.objects.count(), Node.objects.count(), ProjectEvent.objects.count())
    second = import_projects(workbook(rows, nodes), now=zone.now)
    assert second.projects == {"created": 0, "updated": 0, "same": 2}
    assert second.nodes == {"created": 0, "updated": 0, "same": 3}
    assert (Project.objects.count(), Node.objects.count(), ProjectEvent.objects.count()) == snapshot
    third = import_projects(workbook([project_row(zone, 项目阶段="竣工")], []), now=zone.now)
    assert third.projects["updated"] == 1 and Project.objects.get(code="HZ-1").stage == "completed"


def test_bad_rows_are_reported_precisely_and_nothing_is_half_written(zone):
    rows = [
        project_row(zone, "OK-1"),
        project_row(zone, "BAD-NUM", **{"计划总投资(万元)": "五亿"}),
        project_row(zone, "BAD-UNIT", 牵头单位="区不存在局"),
        project_row(zone, "BAD-KIND", 项目类型="商业"),
        project_row(zone, "OK-1", 项目名称="重复的编号"),
    ]
    nodes = [
        node_row(zone, "OK-1"),
        node_row(zone, "OK-1", name="坏日期", 计划完成="明年春天"),
        node_row(zone, "OK-1", name="倒置", 计划开始=date(2026, 9, 1), 计划完成=date(2026, 3, 1)),
        node_row(zone, "NOWHERE", name="无主节点"),
        node_row(zone, "BAD-NUM", name="随项目拒绝"),
        node_row(zone, "OK-1"),
    ]
    result = import_projects(workbook(rows, nodes), now=zone.now)
    found = {(e.sheet, e.row, e.column): e.message for e in result.errors}
    assert "不是数字" in found["项目", 3, "计划总投资(万元)"]
    assert "未知单位" in found["项目", 4, "牵头单位"]
    assert "未知项目类型" in found["项目", 5, "项目类型"]
    assert "与第 2 行重复" in found["项目", 6, "项目编号"]
    assert "不是日期" in found["节点", 3, "计划完成"]
    assert "计划开始日期晚于计划完成日期" in found["节点", 4, "计划开始"]
    assert "请先登记项目" in found["节点", 5, "项目编号"]
    assert "被拒绝" in found["节点", 6, "项目编号"]
    assert "重复" in found["节点", 7, "节点名称"]
    assert len(result.errors) == 9
    assert list(Project.objects.values_list("code", flat=True)) == ["OK-1"]
    assert list(Node.objects.values_list("name", flat=True)) == ["施工许可"]


def test_a_file_that_is_not_a_project_workbook_is_refused_whole(zone, tmp_path):
    with pytest.raises(ImportFileError):
        import_projects(BytesIO(b"not a zip"), now=zone.now)
    book = Workbook()
    book.active.title = "项目"
    book.active.append(["项目编号", "项目名称"])
    stream = BytesIO()
    book.save(stream)
    stream.seek(0)
    with pytest.raises(ImportFileError, match="缺少列"):
        import_projects(stream, now=zone.now)
    with pytest.raises(CommandError):
        call_command("projects", "import", str(tmp_path / "missing.xlsx"))
    assert Project.objects.count() == 0


def test_a_cut_project_sheet_stores_nothing_and_the_summary_accounts_for_every_row(zone):
    """Issue 19: openpyxl streams a sheet, so a cut one failed with a raw ParseError part-way."""
    rows = [project_row(zone, f"HZ-{i}", 项目名称=f"琶洲项目{i}") for i in range(300)]
    data = with_sheet_cut(workbook(rows, [node_row(zone, "HZ-0")]).getvalue(), keep=0.8)
    with pytest.raises(ImportFileError, match=r"第 \d+ 行：工作表“项目”在这一行处损坏或被截断"):
        import_projects(BytesIO(data), now=zone.now)
    assert Project.objects.count() == 0
    good = import_projects(workbook(rows[:2] + [{"项目编号": "HZ-9"}], [node_row(zone, "HZ-0")]), now=zone.now)
    assert good.summary().splitlines()[1:] == [
        "工作表“项目”共 4 行：表头 1 行，空行 0 行，数据 3 条（新增 2，更新 0，未变 0，拒绝 1）",
        "工作表“节点”共 2 行：表头 1 行，空行 0 行，数据 1 条（新增 1，更新 0，未变 0，拒绝 0）"]


def test_the_monthly_workbook_opens_with_every_sheet(zone, tmp_path):
    project = zone.project(name="=cmd|' /C calc'!A0", year=2026, year_planned=Decimal(400))
    zone.node(project, "施工许可", date(2026, 2, 27))  # overdue by the end of March
    services.submit_report(project, by=zone.lead_handler, month=date(2026, 3, 1), text="按计划推进",
                           investment_completed=Decimal(100), now=zone.now)
    services.raise_problem(project, services.ProblemData(kind="power", title="临电接入慢", content="请协调。",
                                                         unit=zone.land), by=zone.office, now=zone.now)
    services.raise_problem(project, services.ProblemData(kind="land", title="四月才提的问题", content="不属于三月。",
                                                         unit=zone.land), by=zone.office, now=at("2026-04-08 10:00"))
    path: Path = tmp_path / "report.xlsx"
    call_command("projects", "report", "--month", "2026-03", "--output", str(path))
    book = load_workbook(path)
    assert book.sheetnames == ["项目进度", "单位投资完成率", "超期节点", "未解决问题"]
    progress = [list(r) for r in book["项目进度"].iter_rows(min_row=2, values_only=True)]
    assert progress[0][1] == "'=cmd|' /C calc'!A0" and progress[0][4] == "红灯" and progress[0][10] == "按计划推进"
    assert progress[0][9] == 0.25
    assert [r[0] for r in book["单位投资完成率"].iter_rows(min_row=2, values_only=True)] == [zone.lead.name]
    assert [r[2] for r in book["超期节点"].iter_rows(min_row=2, values_only=True)] == ["施工许可"]
    [problem] = list(book["未解决问题"].iter_rows(min_row=2, values_only=True))
    assert problem[4].startswith("【重点项目·水电气配套】") and problem[7] == 27  # 4 March to the end of the month
    with pytest.raises(CommandError):
        call_command("projects", "report", "--month", "2026-13", "--output", str(path))
    assert build(date(2026, 3, 1), zone.now).sheetnames[0] == "项目进度"
