from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from youhu.supervision.metrics import month_period
from youhu.supervision.reports import monthly_workbook, write_tickets_csv
from youhu.tickets.selectors import visible_tickets

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _reopen(wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def _find_row(ws, label):
    return next(row for row in ws.iter_rows(min_row=1) if row[0].value == label)


def test_monthly_workbook_content(october):
    d = october.district
    wb = _reopen(monthly_workbook(month_period("2026-10", now=NOW), now=NOW))
    assert wb.sheetnames[:4] == ["汇总", "考核排名", "单位明细", "超期工单"]
    summary = wb["汇总"]
    received = _find_row(summary, "受理量")
    assert received[1].value == 6 and received[2].value == 1  # October, September
    satisfaction = _find_row(summary, "满意率")
    assert satisfaction[1].value == pytest.approx(2 / 4)  # T1, T3 of the reviewed T1, T2, T3, T5
    assert satisfaction[1].number_format == "0.0%"

    ranking = wb["考核排名"]
    headers = [c.value for c in ranking[1]]
    assert headers[:3] == ["排名", "单位", "综合得分"] and "满意率" in headers
    assert ranking.cell(row=2, column=1).value == 1 and ranking.cell(row=2, column=2).value == d.roads.name
    assert isinstance(ranking.cell(row=2, column=3).value, float)

    units = wb["单位明细"]
    env = _find_row(units, d.env.name)
    sat_col = [c.value for c in units[1]].index("满意率")
    assert env[sat_col].value == "—"  # nothing reviewed: no rate, not zero

    overdue = wb["超期工单"]
    numbers = {row[0].value for row in overdue.iter_rows(min_row=2)}
    assert numbers == {october.tickets[k].number for k in ("T2", "T4", "T5")}
    assert overdue.cell(row=2, column=7).number_format == "yyyy-mm-dd hh:mm"
    assert units.column_dimensions["A"].width >= 20


def test_empty_month_gives_a_valid_workbook(district):
    wb = _reopen(monthly_workbook(month_period("2026-06", now=NOW), now=NOW))
    summary = wb["汇总"]
    assert _find_row(summary, "受理量")[1].value == 0
    assert _find_row(summary, "满意率")[1].value == "—"
    assert wb["超期工单"].max_row == 1


def test_report_command_writes_file_and_refuses_future_month(october, tmp_path):
    target = tmp_path / "m.xlsx"
    call_command("report", "monthly", "--month", "2026-10", "--output", str(target))
    assert load_workbook(target)["汇总"]["A1"].value.endswith("考核月报")
    with pytest.raises(CommandError, match="尚未开始"):
        call_command("report", "monthly", "--month", "2099-01", "--output", str(tmp_path / "f.xlsx"))


def test_csv_export_columns_follow_the_role(october):
    d = october.district
    for t in october.tickets.values():
        t.appellant_name, t.appellant_phone = "张三丰", "13812345678"
        t.save(update_fields=["appellant_name", "appellant_phone"])

    def export(user):
        out = io.StringIO()
        write_tickets_csv(user, visible_tickets(user), out)
        return list(csv.DictReader(io.StringIO(out.getvalue())))

    supervisor_rows = export(d.supervisor)
    assert len(supervisor_rows) == len(october.tickets) and "联系电话" not in supervisor_rows[0]
    env_rows = export(d.env_handler)
    assert [r["工单编号"] for r in env_rows] == [october.tickets["E1"].number]  # never another unit's
    assert env_rows[0]["联系电话"] == "13812345678"  # its own ticket: it must call back
    dispatcher_rows = export(d.dispatcher)
    assert dispatcher_rows[0]["诉求人"] == "张三丰"
