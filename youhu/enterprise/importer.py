"""Import of the company registry from XLSX or CSV: one row per company, idempotent by USCC.

The whole file is read and checked first (`youhu.spreadsheet.reading`, shared with the other imports): a
broken quote, a cut sheet or a wrong encoding stops the import before any company is stored, naming the
line. Then each row is stored whole or not at all; rejected rows are listed with their row number, the
column at fault and why, and the summary says where every line of the file went. Used by
`youhu import-companies FILE` and the upload page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from django.db import transaction
from django.db.models import Q

from youhu import clock, spreadsheet
from youhu.directory.models import Area, Role, User
from youhu.spreadsheet import reading
from youhu.tickets.errors import TicketError

from . import services
from .models import Building, Company
from .uscc import normalize

# field -> accepted column headers (Chinese as exported by the zone's registry, or English)
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "名称", "name"),
    "uscc": ("统一社会信用代码", "信用代码", "uscc"),
    "industry": ("行业", "所属行业", "industry"),
    "size": ("规模", "企业规模", "size"),
    "address": ("地址", "注册地址", "经营地址", "address"),
    "street": ("街道", "所属街道", "street"),
    "building": ("楼宇/园区", "楼宇园区", "楼宇", "园区", "building"),
    "above_scale": ("规上", "规上企业", "above_scale"),
    "specialized": ("专精特新", "specialized"),
    "unicorn": ("独角兽", "unicorn"),
    "headquarters": ("总部", "总部企业", "headquarters"),
    "contact_name": ("联系人", "contact_name"),
    "contact_phone": ("联系电话", "电话", "contact_phone"),
    "contact_position": ("职务", "联系人职务", "contact_position"),
    "officer": ("首席服务官", "服务官账号", "officer"),
}
LABELS = {key: names[0] for key, names in HEADERS.items()}
# Columns that are Company fields: a re-import changes only those the file has.
COMPANY_FIELDS = {"name", "industry", "size", "address", "street", "building", "above_scale", "specialized",
                  "unicorn", "headquarters"}
REQUIRED = ("name", "uscc")
TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
FALSE = {"否", "n", "no", "false", "0", "", "×"}
SIZES = {label: value for value, label in Company.Size.choices} | {v: v for v in Company.Size.values}


# The file as a whole cannot be read (format, encoding, broken quote, cut sheet, missing columns).
ImportFileError = reading.StructureError


@dataclass
class RowError:
    row: int
    column: str
    message: str
    uscc: str = ""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    lines: str = ""  # where every line of the file went (Table.account)

    @property
    def rows_ok(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        return self.lines or f"新增 {self.created} 家，更新 {self.updated} 家，拒绝 {len(self.errors)} 行"


class RowProblem(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


# ---------------------------------------------------------------- reading


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # phone numbers typed into Excel come back as floats
    return str(value).strip()


def read_table(name: str, stream: IO[bytes]) -> reading.Table:
    """The whole file, read and checked before anything is stored."""
    data = stream.read()
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        table = reading.read_xlsx(data)
    elif suffix == ".csv":
        table = reading.read_csv(data)
    else:
        raise ImportFileError(f"不支持的文件类型“{suffix or name}”，请上传 .xlsx 或 .csv 文件")
    table.header = [_cell(h) for h in table.header]
    return table


def _column_map(header: list[str]) -> dict[str, int]:
    wanted = {alias.lower(): key for key, aliases in HEADERS.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = wanted.get(title.strip().lower())
        if key and key not in found:
            found[key] = index
    missing = [LABELS[key] for key in REQUIRED if key not in found]
    if missing:
        raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（表头应在第 1 行）")
    return found


# ---------------------------------------------------------------- one row


def _flag(values: dict[str, str], key: str) -> bool:
    raw = values.get(key, "").strip().lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise RowProblem(LABELS[key], f"“{values[key]}”应填 是 或 否")


def _street(name: str) -> Area | None:
    if not name:
        return None
    bare = name.removesuffix("街道")
    street = Area.objects.filter(kind=Area.Kind.STREET).filter(
        Q(name=name) | Q(name=f"{bare}街道") | Q(name=bare) | Q(aliases__contains=bare)
    ).first()
    if street is None:
        raise RowProblem(LABELS["street"], f"未知街道：{name}")
    return street


def _officer(name: str) -> User | None:
    if not name:
        return None
    officer = (User.objects.filter(Q(username=name) | Q(display_name=name), role_grants__role=Role.SERVICE_OFFICER)
               .distinct().first())
    if officer is None:
        raise RowProblem(LABELS["officer"], f"未知首席服务官：{name}（填写具有首席服务官角色的用户名）")
    return officer


def _building(name: str, street: Area | None) -> Building | None:
    if not name:
        return None
    kind = Building.Kind.PARK if "园" in name else Building.Kind.BUILDING
    building, _ = Building.objects.get_or_create(name=name, defaults={"kind": kind, "street": street})
    return building


def _company_data(values: dict[str, str], street: Area | None) -> services.CompanyData:
    size = values.get("size", "")
    if size and size not in SIZES:
        raise RowProblem(LABELS["size"], f"未知企业规模：{size}（应为 大型/中型/小型/微型）")
    contact = None
    if values.get("contact_name"):
        contact = services.ContactData(values["contact_name"], values.get("contact_phone", ""),
                                       values.get("contact_position", ""))
    elif values.get("contact_phone"):
        raise RowProblem(LABELS["contact_name"], "填写了联系电话但没有联系人姓名")
    return services.CompanyData(
        name=values.get("name", ""), uscc=values.get("uscc", ""), industry=values.get("industry", ""),
        size=SIZES.get(size, ""), address=values.get("address", ""), street=street,
        above_scale=_flag(values, "above_scale"), specialized=_flag(values, "specialized"),
        unicorn=_flag(values, "unicorn"), headquarters=_flag(values, "headquarters"),
        contacts=[contact] if contact else [],
    )


def _import_row(values: dict[str, str], *, by: User | None, now: datetime) -> bool:
    """Store one row; returns True when a company was created. Raises RowProblem or TicketError."""
    street = _street(values.get("street", ""))
    officer = _officer(values.get("officer", ""))
    data = _company_data(values, street)
    services.validate_company(data)  # before the building is created for it
    with transaction.atomic():
        data.building = _building(values.get("building", ""), street)
        company, created = services.upsert_company(data, by=by, now=now, only=set(values) & COMPANY_FIELDS)
        if officer is not None and company.service_officer_id != officer.pk:
            services.assign_officer(company, officer, by=by, reason="企业名录导入", now=now)
    return created


def import_companies(name: str, stream: IO[bytes], *, by: User | None = None,
                     now: datetime | None = None) -> ImportReport:
    """Import every row it can; report every row it cannot. Raises ImportFileError for the file."""
    now = now or clock.now()
    table = read_table(name, stream)
    columns = _column_map(table.header)
    report = ImportReport()
    seen: dict[str, int] = {}
    for record in table.records:
        number, row = record.first_line, [_cell(c) for c in record.cells]
        values = {key: (row[i] if i < len(row) else "") for key, i in columns.items()}
        code = normalize(values.get("uscc"))
        if code and code in seen:
            report.errors.append(RowError(number, LABELS["uscc"], f"与第 {seen[code]} 行的统一社会信用代码重复", code))
            continue
        try:
            created = _import_row(values, by=by, now=now)
        except RowProblem as exc:
            report.errors.append(RowError(number, exc.column, exc.message, code))
            continue
        except TicketError as exc:
            # Service errors name the field with the same keys as the columns.
            column = LABELS.get(exc.field or "", exc.field or "")
            report.errors.append(RowError(number, column, exc.message, code))
            continue
        seen[code] = number
        if created:
            report.created += 1
        else:
            report.updated += 1
    report.lines = table.account([("新增", report.created), ("更新", report.updated), ("拒绝", len(report.errors))])
    return report


def write_error_report(report: ImportReport, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = spreadsheet.writer(out)
        writer.writerow(["行号", "列", "统一社会信用代码", "原因"])
        for error in report.errors:
            writer.writerow([error.row, error.column, error.uscc, error.message])
