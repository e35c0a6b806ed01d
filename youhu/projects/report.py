"""`youhu projects report --month YYYY-MM --output FILE.xlsx`: the monthly workbook for the office.

Sheets: 项目进度 (every project, its light and the month's report), 单位投资完成率 (by lead unit),
超期节点, 未解决问题. Lights are as of the end of the month (or now, for the current month).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from youhu import clock
from youhu.spreadsheet import safe_cell
from youhu.tickets.models import OPEN_STATUSES
from youhu.workdays import calendar

from . import lights, selectors
from .models import Investment, Problem, ProgressReport, Project


def parse_month(text: str) -> date:
    """'2026-10' -> its first day; a malformed month or one outside the clock's span is a ValueError."""
    year, month = clock.parse_month(text)  # clock.OutOfSpan is a ValueError
    return date(year, month, 1)


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def as_of(month: date, now: datetime) -> datetime:
    """The end of the month's last day, or now if the month has not ended."""
    end = calendar.start_of_day(_month_end(month) + timedelta(days=1)) - timedelta(seconds=1)
    return min(end, now)


def _rate(done: Decimal, planned: Decimal) -> float | None:
    return round(float(done / planned), 4) if planned else None


def build(month: date, now: datetime, projects: QuerySet[Project] | None = None):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    projects = projects if projects is not None else Project.objects.all()
    moment = as_of(month, now)
    rows = selectors.rows(projects.select_related("lead_unit", "leader"), moment)
    reports = {r.project_id: r for r in ProgressReport.objects.filter(month=month, project__in=projects)}
    investments = {i.project_id: i for i in Investment.objects.filter(year=month.year, project__in=projects)}
    book = Workbook()

    def sheet(title: str, header: list[str], lines: list[list[Any]], first: bool = False):
        ws = book.active if first else book.create_sheet()
        ws.title = title
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for line in lines:
            ws.append([safe_cell(v) for v in line])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, (date, datetime)):
                    cell.number_format = "yyyy-mm-dd"
        for i, _ in enumerate(header):
            ws.column_dimensions[chr(ord("A") + i)].width = 18
        return ws

    progress, by_unit = [], defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for row in rows:
        p, inv, rep = row.project, investments.get(row.project.pk), reports.get(row.project.pk)
        planned, done = (inv.planned, inv.completed) if inv else (Decimal(0), Decimal(0))
        progress.append([p.code, p.name, p.get_kind_display(), p.get_stage_display(), row.light_label,
                         p.lead_unit.name, str(p.leader or ""), float(planned), float(done), _rate(done, planned),
                         rep.text if rep else "未填报", rep.reported_at.astimezone(calendar.local_tz()).strftime(
                             "%Y-%m-%d") if rep else ""])
        unit = by_unit[p.lead_unit.name]
        unit[0] += 1
        unit[1] += planned
        unit[2] += done
    sheet("项目进度", ["项目编号", "项目名称", "类型", "阶段", "灯色", "牵头单位", "挂点领导",
                    f"{month.year}年计划投资(万元)", "本年累计完成(万元)", "完成率", f"{month:%Y-%m}进展", "填报日期"],
          progress, first=True)
    sheet("单位投资完成率", ["牵头单位", "项目数", "年度计划投资(万元)", "累计完成(万元)", "完成率"],
          [[name, n, float(pl), float(dn), _rate(dn, pl)] for name, (n, pl, dn) in
           sorted(by_unit.items(), key=lambda kv: -kv[1][1])])
    overdue = [[r.project.code, r.project.name, node.name, node.planned_end, node.owner_unit.name,
                -nl.working_days_left, str(r.project.leader or "")]
               for r in rows for node, nl in r.nodes if nl.light == lights.RED]
    sheet("超期节点", ["项目编号", "项目名称", "节点", "计划完成", "责任单位", "超期工作日", "挂点领导"], overdue)
    # raised by the report's moment and not closed now (a ticket's past states are in its events, not here)
    problems = (Problem.objects.filter(project__in=projects, ticket__status__in=OPEN_STATUSES, created_at__lte=moment)
                .select_related("project", "ticket", "ticket__main_unit").order_by("created_at"))
    sheet("未解决问题", ["项目编号", "项目名称", "问题类型", "工单编号", "标题", "承办单位", "状态", "已持续(天)"],
          [[pr.project.code, pr.project.name, pr.get_kind_display(), pr.ticket.number, pr.ticket.title,
            str(pr.ticket.main_unit or ""), pr.ticket.get_status_display(), (moment - pr.created_at).days]
           for pr in problems])
    return book


def write_report(month: date, output: Path, *, now: datetime | None = None) -> Path:
    book = build(month, now or timezone.now())
    output.parent.mkdir(parents=True, exist_ok=True)
    book.save(output)
    return output
