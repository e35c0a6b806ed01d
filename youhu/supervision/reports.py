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
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from youhu import clock, spreadsheet
from youhu.directory.models import District, Role, User
from youhu.enterprise.models import Company
from youhu.enterprise.selectors import zone_figures
from youhu.tickets.models import Ticket
from youhu.tickets.policy import has_districts
from youhu.tickets.selectors import appellant_for, reply_overdue_q
from youhu.workdays import calendar

from .metrics import COUNT_LABELS, RATE_DEFS, Period, Scorecard, dispatched_in, scorecard
from .ranking import RankedUnit, Ranking, district_ranking, monthly_ranking
from .rollup import REFRESH_MINUTES

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


# Column widths are fitted to the first rows of a sheet only: a write-only sheet fixes them before its
# first row, and measuring every cell again after writing doubled the workbook's time (docs/scale.md).
WIDTH_SAMPLE_ROWS = 500


class _Sheet:
    """A write-only sheet, written cell by cell (row, column) as before, rows in ascending order.

    Rows wait until the column widths are fixed — from the rows seen by then, once `WIDTH_SAMPLE_ROWS`
    are waiting or the sheet is closed — and then stream to the file, so memory stays flat however long
    the sheet."""

    def __init__(self, wb: Workbook, title: str, *, widths: dict[int, float] | None = None,
                 freeze: str | None = None, default_width: float = 12, skip_first_row: bool = False):
        self.ws = wb.create_sheet(title)
        if freeze:
            self.ws.freeze_panes = freeze
        self.widths, self.default_width, self.skip_first_row = widths or {}, default_width, skip_first_row
        self.pending: dict[int, dict[int, WriteOnlyCell]] = {}
        self.written = 0  # rows already in the file
        self.fitted = False

    @property
    def title(self) -> str:
        return self.ws.title

    def cell(self, row: int, column: int, value: Any = None) -> WriteOnlyCell:
        if row <= self.written:
            raise ValueError(f"row {row} of {self.title} is already written")
        if self.fitted:
            self._flush(before=row)
        elif len(self.pending) >= WIDTH_SAMPLE_ROWS and row not in self.pending:
            self._fit()
            self._flush(before=row)
        cell = WriteOnlyCell(self.ws, value=value)
        self.pending.setdefault(row, {})[column] = cell
        return cell

    def row(self, row: int, values: list[Any]) -> None:
        """A whole row at once: plain values (written as openpyxl types them) or cells with a format. The long
        sheets use it: a cell object per value, and its bookkeeping, cost more than writing the row."""
        if row <= self.written or row in self.pending:
            raise ValueError(f"row {row} of {self.title} is already written")
        if self.fitted:
            self._flush(before=row)
        elif len(self.pending) >= WIDTH_SAMPLE_ROWS:
            self._fit()
            self._flush(before=row)
        self.pending[row] = dict(enumerate(values, start=1))

    def _fit(self) -> None:
        """Fit each column to its longest text in the sample (CJK characters count double), within bounds."""
        longest: dict[int, int] = {}
        for row, cells in self.pending.items():
            if row == 1 and self.skip_first_row:
                continue
            for col, cell in cells.items():
                value = cell.value if isinstance(cell, Cell) else cell
                if value is not None:
                    size = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(value))
                    longest[col] = max(longest.get(col, 0), size)
        for col, size in longest.items():
            self.ws.column_dimensions[get_column_letter(col)].width = min(max(self.default_width, size + 2), 60)
        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = width
        self.fitted = True

    def _flush(self, before: int) -> None:
        for row in range(self.written + 1, before):
            cells = self.pending.pop(row, {})
            self.ws.append([cells.get(col) for col in range(1, max(cells, default=0) + 1)])
            self.written = row

    def close(self) -> None:
        if not self.fitted:
            self._fit()
        self._flush(before=max(self.pending, default=self.written) + 1)


def _put(ws: _Sheet, row: int, col: int, value: Any, kind: str = "text") -> None:
    if value is None and kind in ("rate", "decimal"):
        ws.cell(row, col, DASH).alignment = Alignment(horizontal="right")
        return
    cell = ws.cell(row, col, spreadsheet.safe_cell(value))
    if kind == "rate":
        cell.number_format = PERCENT
    elif kind == "decimal":
        cell.number_format = DECIMAL
    elif kind == "datetime":
        cell.number_format = DATETIME


def _header(ws: _Sheet, row: int, headers: Iterable[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row, col, text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _card_values(card: Scorecard) -> list[tuple[Any, str]]:
    data = card.as_dict()
    return [(data[key], kind) for _label, key, kind in CARD_COLUMNS]


def _summary_sheet(wb: Workbook, period: Period, total: Scorecard, previous: Scorecard, now: datetime) -> None:
    ws = _Sheet(wb, "汇总", widths={1: 26, 2: 14, 3: 14}, skip_first_row=True)
    ws.cell(1, 1, f"有呼必应 {period.label} 考核月报").font = TITLE_FONT
    ws.cell(2, 1, f"统计口径：{period.label}内派单的工单；生成时间 {timezone.localtime(now):%Y-%m-%d %H:%M}")
    if total.refreshed_at is not None:  # summed from the daily rollup (docs/metrics.md, "The monthly rollup")
        ws.cell(3, 1, f"数据截至 {timezone.localtime(total.refreshed_at):%Y-%m-%d %H:%M}（考核指标日汇总每 "
                      f"{REFRESH_MINUTES} 分钟更新；未办结工单的超期按生成时间计）")
    _header(ws, 4, ["指标", "本月", "上月"])
    now_values, before_values = _card_values(total), _card_values(previous)
    for offset, (label, _key, kind) in enumerate(CARD_COLUMNS):
        row = 5 + offset
        ws.cell(row, 1, label)
        _put(ws, row, 2, now_values[offset][0], kind)
        _put(ws, row, 3, before_values[offset][0], kind)
    ws.close()


def _ranking_row(ws: _Sheet, row: int, item: RankedUnit, ranked: bool) -> None:
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


def _ranking_sheet(wb: Workbook, ranking: Ranking, title: str = "考核排名", member: str = "单位") -> None:
    ws = _Sheet(wb, title, widths={2: 24}, freeze="C2")
    _header(ws, 1, [member if h == "单位" else h for h in RANKING_HEADERS] + [label for label, _k, _t in CARD_COLUMNS])
    row = 2
    for item in ranking.ranked:
        _ranking_row(ws, row, item, ranked=True)
        row += 1
    if ranking.insufficient:
        row += 1
        ws.cell(row, 1, f"样本不足（当月受理量少于 {ranking.min_volume} 件，不参与排名）").font = HEADER_FONT
        row += 1
        for item in ranking.insufficient:
            _ranking_row(ws, row, item, ranked=False)
            row += 1
    ws.close()


def _unit_sheet(wb: Workbook, ranking: Ranking) -> None:
    ws = _Sheet(wb, "单位明细", widths={1: 24}, freeze="B2")
    _header(ws, 1, ["单位", "单位类型"] + [label for label, _k, _t in CARD_COLUMNS])
    # Busiest first: the dozens of community offices without a ticket go to the bottom.
    items = sorted(ranking.ranked + ranking.insufficient, key=lambda r: (-r.card.received, r.unit.name))
    for row, item in enumerate(items, start=2):
        _put(ws, row, 1, item.unit.name)
        _put(ws, row, 2, item.unit.get_kind_display())
        for col, (value, kind) in enumerate(_card_values(item.card), start=3):
            _put(ws, row, col, value, kind)
    ws.close()


OVERDUE_HEADERS = ["工单编号", "标题", "主办单位", "诉求分类", "所属街道", "状态", "派单时间", "办结时限",
                   "答复时间", "超期工作日"]


def overdue_in(period: Period, now: datetime, district: District | None = None) -> QuerySet[Ticket]:
    """The tickets behind 超期件数: replied late, or still open past the deadline (of one district's, or all)."""
    as_of = min(period.end, now)
    late = Q(replied_on_time=False) | reply_overdue_q(as_of)
    return (dispatched_in(period, district=district).filter(late).select_related("main_unit", "category", "street")
            .order_by("main_unit__name", "reply_due", "id"))


# The overdue sheet's columns as read from the database: plain values, no ticket objects (at 1 M tickets a
# month has 17 k overdue tickets; building the objects and their units, categories and streets took 1.3 s).
OVERDUE_FIELDS = ("number", "title", "main_unit__name", "category__path", "street__name", "dispatched_at",
                  "reply_due", "replied_at", "district_id")


def _overdue_sheet(wb: Workbook, period: Period, now: datetime, district: District | None) -> None:
    ws = _Sheet(wb, "超期工单", widths={2: 40, 7: 17, 8: 17, 9: 17}, freeze="A2")
    _header(ws, 1, OVERDUE_HEADERS)
    as_of = min(period.end, now)

    def moment(value: datetime | None) -> WriteOnlyCell | None:
        if value is None:
            return None
        cell = WriteOnlyCell(ws.ws, _local(value))
        cell.number_format = DATETIME
        return cell

    rows = overdue_in(period, now, district).values_list(*OVERDUE_FIELDS).iterator(chunk_size=2000)
    for row, (number, title, unit, category, street, dispatched, due, replied, district_id) in enumerate(rows, 2):
        # counted on the ticket's district's calendar, as its deadline was
        late_days = calendar.working_days_between(due, replied or as_of, district_id) if due else None
        ws.row(row, [spreadsheet.safe_cell(v) for v in (number, title, unit or "", category or "", street or "")]
               + ["超期办结" if replied else "超期未办结", moment(dispatched), moment(due), moment(replied),
                  late_days])
    ws.close()


ENTERPRISE_TOTALS = [("走访次数", "visits", "int"), ("企业诉求数", "demands_raised", "int"),
                     ("已解决诉求", "demands_solved", "int"), ("企业诉求解决率", "resolution_rate", "rate"),
                     ("平均解决天数", "avg_days_to_solve", "decimal"), ("未办结诉求", "open_demands", "int")]
ENTERPRISE_GROUP = [("走访次数", "visits", "int"), ("诉求数", "demands_raised", "int"),
                    ("已解决", "demands_solved", "int"), ("解决率", "resolution_rate", "rate"),
                    ("平均解决天数", "avg_days_to_solve", "decimal")]


def _enterprise_sheet(wb: Workbook, period: Period, district: District | None) -> None:
    """企业服务 figures (the enterprise app owns their definitions): a district's, the companies on its streets."""
    companies = None if district is None else Company.objects.filter(street__district=district)
    figures = zone_figures(period.start, period.end, companies=companies)
    ws = _Sheet(wb, "企业服务", widths={1: 24})
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
    ws.close()


def monthly_workbook(period: Period, *, now: datetime | None = None, district: District | None = None) -> Workbook:
    """Summary, ranking, per-unit and overdue sheets for one month (valid, with zeros, when empty): of one
    district (its figures, its units ranked), or of the whole city (None), which then also ranks its districts
    (各区排名, when it has any; docs/levels.md). A write-only workbook: save it once."""
    now = now or clock.now()
    ranking = monthly_ranking(period, now=now, district=district)
    wb = Workbook(write_only=True)
    _summary_sheet(wb, period, scorecard(period, now=now, district=district),
                   scorecard(period.previous_month(), now=now, district=district), now)
    _ranking_sheet(wb, ranking)
    if district is None and has_districts():
        _ranking_sheet(wb, district_ranking(period, now=now), title="各区排名", member="区")
    _unit_sheet(wb, ranking)
    _overdue_sheet(wb, period, now, district)
    _enterprise_sheet(wb, period, district)
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
