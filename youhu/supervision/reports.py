"""The monthly workbook (考核月报) and CSV export of ticket lists.

Numbers are written as numbers and rates as fractions with a percentage number format, so the sheets
can be summed and charted in Excel or LibreOffice; a rate without a denominator is the text "—".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from youhu import clock, spreadsheet
from youhu.directory.models import Role, User
from youhu.enterprise.selectors import zone_figures
from youhu.tickets.models import Ticket
from youhu.tickets.selectors import appellant_for, reply_overdue_q
from youhu.workdays import calendar

from .metrics import COUNT_LABELS, RATE_DEFS, Period, Scorecard, dispatched_in, scorecard
from .ranking import RankedUnit, Ranking, monthly_ranking

PERCENT = "0.0%"
DECIMAL = "0.00"
DATETIME = "yyyy-mm-dd hh:mm"
DASH = "—"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
TITLE_FONT = Font(bold=True, size=14)

# (header, key, kind) for the scorecard columns shared by the ranking and per-unit sheets.
CARD_COLUMNS: list[tuple[str, str, str]] = (
    [(label, key, "int") for key, label in COUNT_LABELS.items()]
    + [(label, key, "rate") for key, (label, _n, _d) in RATE_DEFS.items()]
    + [("平均办理时长（工作日）", "avg_handling_days", "decimal")]
)


def _local(value: datetime | None) -> datetime | None:
    """openpyxl cannot store time zones: write the district's wall-clock time."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _put(ws: Worksheet, row: int, col: int, value: Any, kind: str = "text") -> None:
    cell = ws.cell(row=row, column=col)
    if value is None and kind in ("rate", "decimal"):
        cell.value = DASH
        cell.alignment = Alignment(horizontal="right")
        return
    cell.value = spreadsheet.safe_cell(value)
    if kind == "rate":
        cell.number_format = PERCENT
    elif kind == "decimal":
        cell.number_format = DECIMAL
    elif kind == "datetime":
        cell.number_format = DATETIME


def _header(ws: Worksheet, row: int, headers: Iterable[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _widths(ws: Worksheet, widths: dict[int, float] | None = None, default: float = 12) -> None:
    """Fit each column to its longest text (CJK characters count double), within sane bounds."""
    for col_cells in ws.iter_cols():
        letter = get_column_letter(col_cells[0].column)
        longest = 0
        for cell in col_cells:
            if cell.value is None or cell.row == 1 and ws.title == "汇总":
                continue
            text = str(cell.value)
            longest = max(longest, sum(2 if ord(ch) > 0x2E80 else 1 for ch in text))
        ws.column_dimensions[letter].width = min(max(default, longest + 2), 60)
    for col, width in (widths or {}).items():
        ws.column_dimensions[get_column_letter(col)].width = width


def _card_values(card: Scorecard) -> list[tuple[Any, str]]:
    data = card.as_dict()
    return [(data[key], kind) for _label, key, kind in CARD_COLUMNS]


def _summary_sheet(ws: Worksheet, period: Period, total: Scorecard, previous: Scorecard, now: datetime) -> None:
    ws.title = "汇总"
    ws.cell(row=1, column=1, value=f"有呼必应 {period.label} 考核月报").font = TITLE_FONT
    ws.cell(row=2, column=1, value=f"统计口径：{period.label}内派单的工单；生成时间 "
                                   f"{timezone.localtime(now):%Y-%m-%d %H:%M}")
    _header(ws, 4, ["指标", "本月", "上月"])
    now_values, before_values = _card_values(total), _card_values(previous)
    for offset, (label, _key, kind) in enumerate(CARD_COLUMNS):
        row = 5 + offset
        ws.cell(row=row, column=1, value=label)
        _put(ws, row, 2, now_values[offset][0], kind)
        _put(ws, row, 3, before_values[offset][0], kind)
    _widths(ws, {1: 26, 2: 14, 3: 14})


def _ranking_row(ws: Worksheet, row: int, item: RankedUnit, ranked: bool) -> None:
    values: list[tuple[Any, str]] = [
        (item.rank if ranked else "样本不足", "int"),
        (item.unit.name, "text"),
        (item.score, "decimal"),
        (item.previous_rank, "int"),
        (item.rank_change, "int"),
        (item.score_change, "decimal"),
    ] + _card_values(item.card)
    for col, (value, kind) in enumerate(values, start=1):
        _put(ws, row, col, DASH if value is None and kind == "int" else value, kind)


RANKING_HEADERS = ["排名", "单位", "综合得分", "上月排名", "名次变化", "得分变化"]


def _ranking_sheet(ws: Worksheet, ranking: Ranking) -> None:
    _header(ws, 1, RANKING_HEADERS + [label for label, _k, _t in CARD_COLUMNS])
    row = 2
    for item in ranking.ranked:
        _ranking_row(ws, row, item, ranked=True)
        row += 1
    if ranking.insufficient:
        row += 1
        ws.cell(row=row, column=1, value=f"样本不足（当月受理量少于 {ranking.min_volume} 件，不参与排名）").font = HEADER_FONT
        row += 1
        for item in ranking.insufficient:
            _ranking_row(ws, row, item, ranked=False)
            row += 1
    ws.freeze_panes = "C2"
    _widths(ws, {2: 24})


def _unit_sheet(ws: Worksheet, ranking: Ranking) -> None:
    _header(ws, 1, ["单位", "单位类型"] + [label for label, _k, _t in CARD_COLUMNS])
    # Busiest first: the dozens of community offices without a ticket go to the bottom.
    items = sorted(ranking.ranked + ranking.insufficient, key=lambda r: (-r.card.received, r.unit.name))
    for row, item in enumerate(items, start=2):
        _put(ws, row, 1, item.unit.name)
        _put(ws, row, 2, item.unit.get_kind_display())
        for col, (value, kind) in enumerate(_card_values(item.card), start=3):
            _put(ws, row, col, value, kind)
    ws.freeze_panes = "B2"
    _widths(ws, {1: 24})


OVERDUE_HEADERS = ["工单编号", "标题", "主办单位", "诉求分类", "所属街道", "状态", "派单时间", "办结时限",
                   "答复时间", "超期工作日"]


def overdue_in(period: Period, now: datetime) -> QuerySet[Ticket]:
    """The tickets behind 超期件数: replied late, or still open past the deadline."""
    as_of = min(period.end, now)
    late = Q(replied_on_time=False) | reply_overdue_q(as_of)
    return (dispatched_in(period).filter(late).select_related("main_unit", "category", "street")
            .order_by("main_unit__name", "reply_due", "id"))


def _overdue_sheet(ws: Worksheet, period: Period, now: datetime) -> None:
    _header(ws, 1, OVERDUE_HEADERS)
    as_of = min(period.end, now)
    for row, t in enumerate(overdue_in(period, now).iterator(chunk_size=2000), start=2):
        finished = t.replied_at or as_of
        late_days = calendar.working_days_between(t.reply_due, finished) if t.reply_due else None
        state = "超期办结" if t.replied_at else "超期未办结"
        values = [(t.number, "text"), (t.title, "text"), (str(t.main_unit or ""), "text"),
                  (t.category.path if t.category else "", "text"), (str(t.street or ""), "text"),
                  (state, "text"), (_local(t.dispatched_at), "datetime"), (_local(t.reply_due), "datetime"),
                  (_local(t.replied_at), "datetime"), (late_days, "int")]
        for col, (value, kind) in enumerate(values, start=1):
            _put(ws, row, col, value, kind)
    ws.freeze_panes = "A2"
    _widths(ws, {2: 40, 7: 17, 8: 17, 9: 17})


ENTERPRISE_TOTALS = [("走访次数", "visits", "int"), ("企业诉求数", "demands_raised", "int"),
                     ("已解决诉求", "demands_solved", "int"), ("企业诉求解决率", "resolution_rate", "rate"),
                     ("平均解决天数", "avg_days_to_solve", "decimal"), ("未办结诉求", "open_demands", "int")]
ENTERPRISE_GROUP = [("走访次数", "visits", "int"), ("诉求数", "demands_raised", "int"),
                    ("已解决", "demands_solved", "int"), ("解决率", "resolution_rate", "rate"),
                    ("平均解决天数", "avg_days_to_solve", "decimal")]


def _enterprise_sheet(wb: Workbook, period: Period) -> None:
    """企业服务 figures (the enterprise app owns their definitions)."""
    figures = zone_figures(period.start, period.end)
    ws = wb.create_sheet("企业服务")
    _header(ws, 1, ["指标", "数值"])
    for row, (label, key, kind) in enumerate(ENTERPRISE_TOTALS, start=2):
        _put(ws, row, 1, label)
        _put(ws, row, 2, figures.get(key), kind)
    row = len(ENTERPRISE_TOTALS) + 3
    for title, key, name_key in (("按行业", "by_industry", "industry"), ("按楼宇园区", "by_building", "building")):
        _header(ws, row, [title] + [label for label, _k, _t in ENTERPRISE_GROUP])
        row += 1
        for item in figures.get(key) or []:
            _put(ws, row, 1, str(item.get(name_key, "")))
            for col, (_label, field, kind) in enumerate(ENTERPRISE_GROUP, start=2):
                _put(ws, row, col, item.get(field), kind)
            row += 1
        row += 1
    _widths(ws, {1: 24})


def monthly_workbook(period: Period, *, now: datetime | None = None) -> Workbook:
    """Summary, ranking, per-unit and overdue sheets for one month (valid, with zeros, when empty)."""
    now = now or clock.now()
    ranking = monthly_ranking(period, now=now)
    wb = Workbook()
    _summary_sheet(wb.active, period, scorecard(period, now=now), scorecard(period.previous_month(), now=now), now)
    _ranking_sheet(wb.create_sheet("考核排名"), ranking)
    _unit_sheet(wb.create_sheet("单位明细"), ranking)
    _overdue_sheet(wb.create_sheet("超期工单"), period, now)
    _enterprise_sheet(wb, period)
    return wb


# ---------------------------------------------------------------- CSV export of ticket lists

PERSONAL_ROLES = (Role.DISPATCHER, Role.ADMIN, Role.HANDLER, Role.UNIT_HEAD)
BASE_CSV_COLUMNS = ["工单编号", "标题", "状态", "渠道", "诉求分类", "所属街道", "地址", "主办单位", "登记时间",
                    "办结时限", "答复时间", "是否按时办结", "满意度"]


def csv_columns(user: User) -> list[str]:
    """Personal data columns only for roles that ever call the appellant; masked per ticket below."""
    extra = ["诉求人", "联系电话"] if user.has_role(*PERSONAL_ROLES) else []
    return BASE_CSV_COLUMNS + extra


def _iso(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def ticket_rows(user: User, tickets: QuerySet[Ticket]) -> Iterator[list[str]]:
    """The header, then one row per ticket of `tickets` (already limited to what `user` can see)."""
    columns = csv_columns(user)
    yield columns
    on_time = {True: "是", False: "否", None: ""}
    for t in tickets.select_related("category", "street", "main_unit").iterator(chunk_size=2000):
        row = [t.number, t.title, t.get_status_display(), t.get_channel_display(),
               t.category.path if t.category else "", str(t.street or ""), t.address, str(t.main_unit or ""),
               _iso(t.created_at), _iso(t.reply_due), _iso(t.replied_at), on_time[t.replied_on_time],
               t.get_review_satisfaction_display() if t.review_satisfaction else ""]
        if len(columns) > len(BASE_CSV_COLUMNS):
            person = appellant_for(user, t)
            row += [person["name"], person["phone"]]
        yield row


def write_tickets_csv(user: User, tickets: QuerySet[Ticket], out: IO[str]) -> int:
    """Write the CSV to `out`; returns the number of tickets written."""
    writer = spreadsheet.writer(out)
    count = -1
    for row in ticket_rows(user, tickets):
        writer.writerow(row)
        count += 1
    return count
