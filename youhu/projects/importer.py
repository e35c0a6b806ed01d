"""`youhu projects import FILE.xlsx`: the office's project list (sheet 项目) and nodes (sheet 节点).

Idempotent: projects by code, nodes by (project code, node name); a row that changes nothing writes
nothing (no event either). Both sheets are read whole first (`youhu.spreadsheet.reading`, shared with the
other imports: a cut or corrupt sheet stops the import before anything is written, naming the row), and
every row is checked before anything is written; a rejected row is
reported with its sheet, row number, column and reason. A project is stored with its accepted nodes in
one transaction; the nodes of a rejected project are rejected with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.db.models import Q

from youhu import clock, db
from youhu.directory.models import Area, Unit, User
from youhu.enterprise.models import Company
from youhu.enterprise.uscc import normalize as normalize_uscc
from youhu.spreadsheet import reading
from youhu.tickets.errors import TicketError

from . import services
from .models import Kind, Project, Stage

PROJECT_SHEET, NODE_SHEET = "项目", "节点"

# field -> (header as the office writes it, other accepted spellings)
PROJECT_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("项目编号", "编号"),
    "name": ("项目名称", "名称"),
    "kind": ("项目类型", "类型"),
    "stage": ("项目阶段", "阶段"),
    "total_investment": ("计划总投资(万元)", "总投资(万元)", "总投资"),
    "year": ("年度",),
    "year_planned": ("年度计划投资(万元)", "年度计划投资"),
    "year_completed": ("年度完成投资(万元)", "年度完成投资"),
    "lead_unit": ("牵头单位", "责任单位"),
    "co_units": ("配合单位", "协办单位"),
    "leader": ("挂点领导", "区领导"),
    "company": ("投资企业统一社会信用代码", "统一社会信用代码"),
    "cso": ("首席服务官",),
    "street": ("街道", "所在街道"),
    "address": ("地址", "项目地址"),
    "lon": ("经度",),
    "lat": ("纬度",),
}
NODE_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("项目编号", "编号"),
    "name": ("节点名称", "节点"),
    "seq": ("序号",),
    "planned_start": ("计划开始", "计划开始日期"),
    "planned_end": ("计划完成", "计划完成日期"),
    "actual_start": ("实际开始", "实际开始日期"),
    "actual_end": ("实际完成", "实际完成日期"),
    "owner_unit": ("责任单位", "节点责任单位"),
}
REQUIRED_PROJECT = ("code", "name", "kind", "stage", "lead_unit")
REQUIRED_NODE = ("code", "name", "planned_end", "owner_unit")
KINDS = {label: value for value, label in Kind.choices} | {v: v for v in Kind.values}
STAGES = ({label: value for value, label in Stage.choices} | {v: v for v in Stage.values}
          | {"投产": Stage.PRODUCING, "达产": Stage.PRODUCING})
LIST_SPLIT = re.compile(r"[、,，;；/]+")


# The file as a whole cannot be read (not an xlsx, cut or corrupt, a sheet or a required column missing).
ImportFileError = reading.StructureError


class CellProblem(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    projects: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "same": 0})
    nodes: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "same": 0})
    errors: list[RowError] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # per sheet, where every row went (Table.account)

    def summary(self) -> str:
        p, n = self.projects, self.nodes
        text = (f"项目：新增 {p['created']}，更新 {p['updated']}，未变 {p['same']}；"
                f"节点：新增 {n['created']}，更新 {n['updated']}，未变 {n['same']}；拒绝 {len(self.errors)} 行")
        return "\n".join([text, *self.lines])


# ---------------------------------------------------------------- cells


def _norm_header(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or "")).replace("（", "(").replace("）", ")")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_decimal(value: Any, column: str) -> Decimal | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, bool):
        raise CellProblem(column, f"“{value}”不是数字")
    try:
        number = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise CellProblem(column, f"“{_text(value)}”不是数字（金额以万元计，只填数字）") from None
    if not number.is_finite():
        raise CellProblem(column, f"“{_text(value)}”不是数字")
    return number


def parse_int(value: Any, column: str) -> int | None:
    number = parse_decimal(value, column)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellProblem(column, f"“{_text(value)}”不是整数")
    return int(number)


def parse_float(value: Any, column: str) -> float | None:
    number = parse_decimal(value, column)
    return None if number is None else float(number)


def parse_date(value: Any, column: str) -> date | None:
    try:
        return reading.cell_date(value)
    except ValueError as exc:
        raise CellProblem(column, str(exc)) from exc


class Lookups:
    """Units, users, streets and companies by the names the office writes, read once per import."""

    def __init__(self) -> None:
        self.units: dict[str, Unit] = {}
        for unit in Unit.objects.filter(active=True):
            self.units[unit.name] = self.units[unit.code] = unit
        self.streets: dict[str, Area] = {}
        for street in Area.objects.filter(kind=Area.Kind.STREET):
            for name in [street.name, *filter(None, (a.strip() for a in street.aliases.split(",")))]:
                self.streets.setdefault(name, street)
        self._users: dict[str, User | None] = {}

    def unit(self, text: str, column: str) -> Unit:
        unit = self.units.get(text)
        if unit is None:
            raise CellProblem(column, f"未知单位：“{text}”（须与单位名录中的名称或编码一致）")
        return unit

    def user(self, text: str, column: str) -> User:
        if text not in self._users:
            found = list(User.objects.filter(Q(username=text) | Q(display_name=text), is_active=True)[:2])
            if len(found) > 1:
                raise CellProblem(column, f"“{text}”对应多个账号，请填写账号名")
            self._users[text] = found[0] if found else None
        user = self._users[text]
        if user is None:
            raise CellProblem(column, f"未知人员：“{text}”（填写账号名或姓名）")
        return user

    def street(self, text: str, column: str) -> Area:
        street = self.streets.get(text) or self.streets.get(f"{text}街道") or self.streets.get(text.removesuffix("街道"))
        if street is None:
            raise CellProblem(column, f"未知街道：“{text}”")
        return street

    def company(self, text: str, column: str) -> Company:
        company = Company.objects.select_related("service_officer").filter(uscc=normalize_uscc(text)).first()
        if company is None:
            raise CellProblem(column, f"企业名录中没有统一社会信用代码为 {text} 的企业")
        return company


# ---------------------------------------------------------------- sheets


def _sheet_rows(book: Any, sheet: str, headers: dict[str, tuple[str, ...]],
                required: tuple[str, ...]) -> tuple[reading.Table, list[tuple[int, dict[str, Any]]]]:
    """The sheet read whole (blank rows between blocks are the Table's blank lines), each row by field."""
    table = reading.sheet_table(book, sheet)
    names = [_norm_header(h) for h in table.header]
    columns: dict[str, int] = {}
    for key, spellings in headers.items():
        for spelling in spellings:
            if _norm_header(spelling) in names:
                columns[key] = names.index(_norm_header(spelling))
                break
    missing = [headers[k][0] for k in required if k not in columns]
    if missing:
        raise ImportFileError(f"工作表“{sheet}”缺少列：{'、'.join(missing)} / missing columns")
    rows, kept = [], []
    for record in table.records:
        values = {k: (record.cells[i] if i < len(record.cells) else None) for k, i in columns.items()}
        if all(_text(v) == "" for v in values.values()):
            table.blank_lines.append(record.first_line)  # text only in columns the import does not read
            continue
        rows.append((record.first_line, values))
        kept.append(record)
    table.records = kept
    return table, rows


def _label(headers: dict[str, tuple[str, ...]], key: str) -> str:
    return headers[key][0]


def _choice(value: Any, table: dict[str, str], column: str, what: str) -> str:
    text = _text(value)
    if text not in table:
        raise CellProblem(column, f"未知{what}：“{text}”（应为 {'/'.join(dict.fromkeys(k for k in table if not k.isascii()))}）")
    return table[text]


def _required(values: dict[str, Any], keys: tuple[str, ...], headers: dict[str, tuple[str, ...]]) -> None:
    for key in keys:
        if _text(values.get(key)) == "":
            raise CellProblem(_label(headers, key), "必填项为空")


def parse_project(values: dict[str, Any], lookups: Lookups) -> services.ProjectData:
    col = lambda key: _label(PROJECT_HEADERS, key)  # noqa: E731 - a column's name in messages
    _required(values, REQUIRED_PROJECT, PROJECT_HEADERS)
    opt = lambda key, fn: fn(_text(values[key]), col(key)) if _text(values.get(key)) else None  # noqa: E731
    year = parse_int(values.get("year"), col("year"))
    data = services.ProjectData(
        code=_text(values["code"]), name=_text(values["name"]),
        kind=_choice(values["kind"], KINDS, col("kind"), "项目类型"),
        stage=_choice(values["stage"], STAGES, col("stage"), "项目阶段"),
        lead_unit=lookups.unit(_text(values["lead_unit"]), col("lead_unit")),
        total_investment=parse_decimal(values.get("total_investment"), col("total_investment")),
        co_units=[lookups.unit(name, col("co_units"))
                  for name in LIST_SPLIT.split(_text(values.get("co_units"))) if name.strip()],
        leader=opt("leader", lookups.user), company=opt("company", lookups.company), cso=opt("cso", lookups.user),
        street=opt("street", lookups.street), address=_text(values.get("address")),
        lon=parse_float(values.get("lon"), col("lon")), lat=parse_float(values.get("lat"), col("lat")),
        year=year, year_planned=parse_decimal(values.get("year_planned"), col("year_planned")),
        year_completed=parse_decimal(values.get("year_completed"), col("year_completed")),
    )
    if year is None and (data.year_planned is not None or data.year_completed is not None):
        raise CellProblem(col("year"), "填写了年度投资，但未填写年度")
    return data


def parse_node(values: dict[str, Any], lookups: Lookups) -> services.NodeData:
    col = lambda key: _label(NODE_HEADERS, key)  # noqa: E731
    _required(values, REQUIRED_NODE, NODE_HEADERS)
    return services.NodeData(
        name=_text(values["name"]), seq=parse_int(values.get("seq"), col("seq")) or 0,
        planned_start=parse_date(values.get("planned_start"), col("planned_start")),
        planned_end=parse_date(values["planned_end"], col("planned_end")),
        actual_start=parse_date(values.get("actual_start"), col("actual_start")),
        actual_end=parse_date(values.get("actual_end"), col("actual_end")),
        owner_unit=lookups.unit(_text(values["owner_unit"]), col("owner_unit")),
    )


_FIELD_COLUMNS = {**{k: v[0] for k, v in NODE_HEADERS.items() if k != "name"},
                  **{k: v[0] for k, v in PROJECT_HEADERS.items()}}


def _checked(parse: Callable, validate: Callable, values: dict, lookups: Lookups) -> Any:
    """Parse a row and run the service's own validation, as a CellProblem naming the column."""
    data = parse(values, lookups)
    try:
        validate(data)
    except TicketError as exc:
        raise CellProblem(_FIELD_COLUMNS.get(exc.field or "", exc.field or ""), exc.message) from exc
    return data


# ---------------------------------------------------------------- the import


def import_projects(stream: IO[bytes] | Path, *, by: User | None = None, now: datetime | None = None) -> ImportResult:
    now = now or clock.now()
    if isinstance(stream, Path):
        with stream.open("rb") as handle:
            return import_projects(handle, by=by, now=now)
    book = reading.open_workbook(stream)
    # Both sheets whole before any row is parsed or stored: a cut sheet fails here.
    project_table, project_rows = _sheet_rows(book, PROJECT_SHEET, PROJECT_HEADERS, REQUIRED_PROJECT)
    node_table, node_rows = _sheet_rows(book, NODE_SHEET, NODE_HEADERS, REQUIRED_NODE)
    lookups, result = Lookups(), ImportResult()
    reject = lambda sheet, row, column, message: result.errors.append(RowError(sheet, row, column, message))  # noqa: E731

    projects: dict[str, tuple[int, services.ProjectData]] = {}
    rejected: dict[str, int] = {}
    for row, values in project_rows:
        code = _text(values.get("code"))
        if code in projects:
            reject(PROJECT_SHEET, row, "项目编号", f"项目编号 {code} 与第 {projects[code][0]} 行重复")
            continue
        try:
            projects[code] = (row, _checked(parse_project, services.validate_project, values, lookups))
        except CellProblem as exc:
            reject(PROJECT_SHEET, row, exc.column, exc.message)
            rejected[code] = row

    nodes: dict[str, list[tuple[int, services.NodeData]]] = {}
    seen: dict[tuple[str, str], int] = {}
    known = set(Project.objects.values_list("code", flat=True))
    for row, values in node_rows:
        code, name = _text(values.get("code")), _text(values.get("name"))
        if code in rejected:
            reject(NODE_SHEET, row, "项目编号", f"所属项目（项目表第 {rejected[code]} 行）被拒绝，节点未导入")
            continue
        if code and code not in projects and code not in known:
            reject(NODE_SHEET, row, "项目编号", f"项目编号 {code} 不在项目表中，也未登记：请先登记项目")
            continue
        if (code, name) in seen:
            reject(NODE_SHEET, row, "节点名称", f"与第 {seen[code, name]} 行重复（同一项目的节点名称须唯一）")
            continue
        try:
            data = _checked(parse_node, services.validate_node, values, lookups)
        except CellProblem as exc:
            reject(NODE_SHEET, row, exc.column, exc.message)
            continue
        seen[code, name] = row
        nodes.setdefault(code, []).append((row, data))

    for code in dict.fromkeys([*projects, *nodes]):
        _store(code, projects.get(code), nodes.get(code, []), result, by=by, now=now)
    result.errors.sort(key=lambda e: (e.sheet != PROJECT_SHEET, e.row))
    for table, counts in ((project_table, result.projects), (node_table, result.nodes)):
        refused = sum(1 for e in result.errors if e.sheet == table.sheet)
        result.lines.append(table.account([("新增", counts["created"]), ("更新", counts["updated"]),
                                           ("未变", counts["same"]), ("拒绝", refused)]))
    return result


def _store(code: str, project_row: tuple[int, services.ProjectData] | None,
           node_rows: list[tuple[int, services.NodeData]], result: ImportResult, *, by: User | None,
           now: datetime) -> None:
    """One project and its nodes, all or nothing (the counts too)."""
    outcomes: list[tuple[dict[str, int], str]] = []
    try:
        with db.writing():
            if project_row is not None:
                project, outcome = services.save_project(project_row[1], by=by, now=now)
                outcomes.append((result.projects, outcome))
            else:
                project = Project.objects.get(code=code)
            for _row, data in node_rows:
                _node, outcome = services.save_node(project, data, by=by, now=now)
                outcomes.append((result.nodes, outcome))
    except TicketError as exc:  # validated above; a concurrent change of the registry lands here
        message = f"{exc.message}（该项目及其节点均未导入）"
        if project_row is not None:
            result.errors.append(RowError(PROJECT_SHEET, project_row[0], exc.field or "", message))
        result.errors += [RowError(NODE_SHEET, row, exc.field or "", message) for row, _data in node_rows]
        return
    for counts, outcome in outcomes:
        counts[outcome] += 1
