"""`youhu indicators import FILE.xlsx`: one value per row (entity, period, indicator, number, unit).

The file is read whole first (`youhu.spreadsheet.reading`, shared with the other imports): one that cannot
be read as a whole (format, a cut or corrupt sheet, missing column, no rows) writes nothing and names the
row. A bad row is reported with its line and reason and skipped; the good rows are written together in one
section, and the summary says where every row of the sheet went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from youhu import db
from youhu.directory.models import User
from youhu.spreadsheet import reading
from youhu.tickets.errors import InvalidInput

from . import periods, services
from .models import Entity, Indicator
from .tree import current

HEADERS: dict[str, tuple[str, ...]] = {
    "entity": ("评价对象", "对象", "entity"),
    "period": ("评价期", "期间", "period"),
    "indicator": ("指标", "指标代码", "indicator"),
    "value": ("数值", "值", "value"),
    "unit": ("计量单位", "单位", "unit"),
}
REQUIRED = ("entity", "period", "indicator", "value")


# The file as a whole cannot be read.
ImportFileError = reading.StructureError


@dataclass
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    stored: int = 0
    errors: list[RowError] = field(default_factory=list)
    lines: str = ""  # where every row of the sheet went (Table.account)

    def summary(self) -> str:
        text = f"写入 {self.stored} 个数值，拒绝 {len(self.errors)} 行 / {self.stored} values stored, " \
               f"{len(self.errors)} rows refused"
        return f"{text}\n{self.lines}" if self.lines else text


def _columns(header: tuple[Any, ...]) -> dict[str, int]:
    names = [str(h or "").strip().lower() for h in header]
    found = {key: names.index(alias.lower()) for key, aliases in HEADERS.items() for alias in aliases
             if alias.lower() in names}
    if missing := [HEADERS[key][0] for key in REQUIRED if key not in found]:
        raise ImportFileError(f"缺少列：{'、'.join(missing)} / missing columns: {', '.join(missing)}")
    return found


def read_rows(path: Path) -> tuple[reading.Table, list[tuple[int, dict[str, Any]]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"无法读取文件（{exc}） / cannot read the file") from exc
    table = reading.read_xlsx(data)
    cols = _columns(tuple(table.header))
    out = [(r.first_line, {key: r.cells[k] if k < len(r.cells) else None for key, k in cols.items()})
           for r in table.records]
    if not out:
        raise ImportFileError("工作表没有数据行 / no data rows")
    return table, out


class _Lookup:
    def __init__(self) -> None:
        self.entities = {e.code: e for e in Entity.objects.all()} | {e.name: e for e in Entity.objects.all()}
        indicators = Indicator.objects.filter(dimension__version=current())
        self.indicators = {i.code: i for i in indicators} | {i.name: i for i in indicators}


def _period_code(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():  # a year typed into Excel is a number
        raw = int(raw)
    return periods.bounds(str(raw if raw is not None else ""))[0]


@dataclass(frozen=True)
class _Row:
    entity: Entity
    period: str
    code: str
    value: float


def _parse(cells: dict[str, Any], look: _Lookup) -> _Row:
    entity = look.entities.get(str(cells["entity"] or "").strip())
    if entity is None:
        raise InvalidInput(f"评价对象“{cells['entity']}”不存在 / unknown entity")
    indicator = look.indicators.get(str(cells["indicator"] or "").strip())
    if indicator is None:
        raise InvalidInput(f"指标“{cells['indicator']}”不在现行指标体系中 / unknown indicator")
    unit = str(cells.get("unit") or "").strip()
    if unit and unit != indicator.unit_of_measure:
        raise InvalidInput(f"指标“{indicator.name}”的计量单位是“{indicator.unit_of_measure}”，文件中为“{unit}” / "
                           f"unit of measure {unit} does not match {indicator.unit_of_measure}")
    value = services.parse_number(cells["value"], where="数值")
    return _Row(entity, _period_code(cells["period"]), indicator.code, value)


def import_values(path: Path, *, by: User | None = None, dry_run: bool = False) -> ImportReport:
    if current() is None:
        raise ImportFileError("尚未建立指标体系 / no indicator tree yet")
    table, rows = read_rows(Path(path))
    look, report, good, seen = _Lookup(), ImportReport(), [], {}
    for line, cells in rows:
        try:
            row = _parse(cells, look)
        except InvalidInput as exc:
            report.errors.append(RowError(line, exc.message))
            continue
        key = (row.entity.pk, row.period, row.code)
        if key in seen:
            report.errors.append(RowError(line, f"与第 {seen[key]} 行重复 / duplicate of line {seen[key]}"))
            continue
        seen[key] = line
        good.append(row)
    stored = "可写入" if dry_run else "写入"
    report.lines = table.account([(stored, len(good)), ("拒绝", len(report.errors))])
    if dry_run or not good:
        return report
    with db.writing():  # the new periods and the values together
        found = {code: periods.get_or_create(code) for code in {r.period for r in good}}
        report.stored = services.store([services.Figure(r.entity, found[r.period], r.code, r.value) for r in good],
                                       source="import", by=by)
    return report
