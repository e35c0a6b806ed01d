"""Hotline import: CSV/XLSX exports of the 12345 hotline (or any board) into tickets.

Each good row becomes a ticket with its number and 'create' event, written in blocks by
`tickets.create_tickets` (bulk inserts; bench/intake.py measures the rows per second). Each bad row is reported with its reason and stored not at all. A row's external id (its `id`
column, or a hash of its content when it has none) makes re-importing the same file create nothing new.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from youhu import clock, db, spreadsheet
from youhu.directory.models import Area, User
from youhu.taxonomy.models import AppealType, Category, Urgency
from youhu.tickets import services as tickets
from youhu.tickets.errors import InvalidInput
from youhu.tickets.models import Channel, Ticket

from .flows import run_triage_many
from .models import ImportBatch
from .tasks import queue_triage

BLOCK = 500
TITLE_FROM_TEXT = 30
SOURCE_MAX = 24
TRUNCATED_NOTE = "……（原文过长，已截断）"

# Target field -> column headers recognised without a mapping (lower-cased, stripped).
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "external_id", "编号", "工单编号", "来电编号", "留言编号"),
    "title": ("title", "标题", "主题", "留言主题"),
    "content": ("text", "content", "内容", "诉求内容", "留言详情", "来电内容", "描述"),
    "created_at": ("received_at", "created_at", "时间", "来电时间", "留言时间", "受理时间"),
    "appellant_name": ("appellant_name", "name", "姓名", "联系人", "来电人"),
    "appellant_phone": ("appellant_phone", "phone", "电话", "联系电话", "来电号码"),
    "address": ("address", "地址", "事发地址", "事发地点"),
    "street": ("street", "街道", "所属街道"),
    "appeal_type": ("appeal_type", "诉求类型", "类型"),
    "urgency": ("urgency", "紧急程度"),
    "category": ("category", "分类", "诉求分类"),
}
FIELDS = tuple(DEFAULT_COLUMNS)
DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?)?\s*秒?)?$"
)


class ImportFileError(Exception):
    """The whole file cannot be read (format, encoding, columns): nothing was imported."""


@dataclass
class ImportOptions:
    channel: str = Channel.HOTLINE
    fmt: str = "auto"  # auto | csv | xlsx
    encoding: str = "auto"  # auto | utf-8 | gbk
    mapping: dict[str, str] = field(default_factory=dict)  # target field -> column header
    source: str = ""  # external ids are "<source>:<id>"; default: the file's stem
    triage: str = "queue"  # queue (for the worker `youhu run_huey`) | now | skip (left to the dispatchers)


@dataclass
class RowIssue:
    row: int
    external_id: str
    field: str
    reason: str
    outcome: str  # rejected | imported (a warning)


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    skipped: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    batch: ImportBatch | None = None
    numbers: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[RowIssue]:
        return [i for i in self.issues if i.outcome == "rejected"]

    def report_csv(self) -> str:
        out = io.StringIO()
        writer = spreadsheet.writer(out)
        writer.writerow(["row", "external_id", "field", "outcome", "reason"])
        for issue in self.issues:
            writer.writerow([issue.row, issue.external_id, issue.field, issue.outcome, issue.reason])
        return out.getvalue()


# ---------------------------------------------------------------- reading


def decode(raw: bytes, encoding: str) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030, as told or detected."""
    if encoding in ("gbk", "gb2312", "gb18030"):
        candidates = ["gb18030"]
    elif encoding in ("utf-8", "utf8"):
        candidates = ["utf-8-sig"]
    elif encoding == "auto":
        candidates = ["utf-8-sig", "gb18030"]
    else:
        raise ImportFileError(f"不支持的编码：{encoding}（可选 auto、utf-8、gbk）")
    for name in candidates:
        try:
            return raw.decode(name)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"文件不是 {'/'.join(candidates)} 编码的文本，请确认格式或用 --encoding 指定编码")


def read_table(data: bytes, *, fmt: str, encoding: str) -> tuple[list[str], Iterator[list[Any]]]:
    """(header, rows). `fmt` is csv or xlsx."""
    if fmt == "xlsx":
        return _read_xlsx(data)
    text = decode(data, encoding)
    if "\x00" in text:
        raise ImportFileError("文件含有 NUL 字符，不是有效的 CSV 文本（是否选错了格式或编码？）")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ImportFileError("文件是空的") from exc
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式错误：{exc}") from exc
    return header, _csv_rows(reader)


def _csv_rows(reader) -> Iterator[list[Any]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式错误（第 {reader.line_num} 行附近）：{exc}") from exc


def _read_xlsx(data: bytes) -> tuple[list[str], Iterator[list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError) as exc:
        raise ImportFileError(f"无法读取 XLSX 文件（文件损坏或不是 Excel 2007+ 格式）：{exc}") from exc
    if header is None:
        raise ImportFileError("工作表是空的")
    return ["" if h is None else str(h) for h in header], (list(r) for r in rows)


def column_index(header: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """Target field -> column position, from the mapping first, then the usual header names."""
    normalised = [h.strip().lstrip("\ufeff").lower() for h in header]
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise ImportFileError(f"映射中有未知字段：{', '.join(sorted(unknown))}（可用：{', '.join(FIELDS)}）")
    index: dict[str, int] = {}
    for target in FIELDS:
        wanted = [mapping[target]] if target in mapping else list(DEFAULT_COLUMNS[target])
        for name in wanted:
            if name.strip().lower() in normalised:
                index[target] = normalised.index(name.strip().lower())
                break
        else:
            if target in mapping:
                raise ImportFileError(f"文件中没有映射指定的列“{mapping[target]}”（{target}）")
    if "content" not in index:
        raise ImportFileError(f"找不到诉求内容列（表头：{', '.join(header)}）；请用映射文件指定 content 列")
    return index


# ---------------------------------------------------------------- rows


def parse_when(value: Any, now: datetime) -> datetime | None:
    """Mixed export formats: '2019/2/28 11:25:05', '2019-02-28 11:25', '2019年2月28日', ISO 8601, Excel dates."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        match = DATE_RE.match(text)
        try:
            if match:
                parsed = datetime(*(int(g) if g else 0 for g in match.groups()))
            else:
                parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise InvalidInput(f"无法识别的时间：{text[:40]}", field="created_at") from exc
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if parsed > now + timedelta(days=1):
        raise InvalidInput(f"时间在未来：{parsed:%Y-%m-%d %H:%M}", field="created_at")
    return parsed


def title_from(text: str) -> str:
    first = re.split(r"[。！？!?\n\r]", text.strip(), maxsplit=1)[0].strip() or text.strip()
    return first if len(first) <= TITLE_FROM_TEXT else first[:TITLE_FROM_TEXT] + "…"


def _cell(row: list[Any], index: dict[str, int], name: str) -> Any:
    pos = index.get(name)
    if pos is None or pos >= len(row):
        return ""
    value = row[pos]
    return value if isinstance(value, datetime) else ("" if value is None else str(value).strip())


class Lookups:
    """Streets, categories, appeal types by name, loaded once per import."""

    def __init__(self) -> None:
        self.streets = {a.name: a for a in Area.objects.filter(kind=Area.Kind.STREET)}
        self.categories = {c.path: c for c in Category.objects.filter(active=True)}
        by_name: dict[str, list[Category]] = {}
        for c in self.categories.values():
            by_name.setdefault(c.name, []).append(c)
        self.category_names = {name: cs[0] for name, cs in by_name.items() if len(cs) == 1}

    @staticmethod
    def choice(value: str, choices, default: str, field_name: str) -> str:
        if not value:
            return default
        for code, label in choices:
            if value in (code, label):
                return code
        raise InvalidInput(f"未知的取值：{value[:20]}", field=field_name)

    def street(self, name: str) -> Area | None:
        if not name:
            return None
        if name not in self.streets:
            raise InvalidInput(f"未知街道：{name[:20]}", field="street")
        return self.streets[name]

    def category(self, name: str) -> Category | None:
        if not name:
            return None
        found = self.categories.get(name) or self.category_names.get(name)
        if found is None:
            raise InvalidInput(f"未知分类：{name[:40]}", field="category")
        return found


def row_external_id(source: str, raw_id: str, title: str, content: str, when: Any) -> str:
    if raw_id:
        return f"{source}:{raw_id}"[:64]
    digest = hashlib.sha1(f"{title}\n{content}\n{when}".encode()).hexdigest()[:16]
    return f"{source}:h{digest}"


def build_appeal(row: list[Any], index: dict[str, int], *, lookups: Lookups, options: ImportOptions,
                 now: datetime, warn: Callable[[str, str], None]) -> tickets.NewAppeal:
    """One row as a validated NewAppeal; raises InvalidInput naming the field at fault."""
    content = _cell(row, index, "content")
    if not content:
        raise InvalidInput("诉求内容为空", field="content")
    if len(content) > tickets.CONTENT_MAX:
        keep = tickets.CONTENT_MAX - len(TRUNCATED_NOTE)
        warn("content", f"内容 {len(content)} 字，超过 {tickets.CONTENT_MAX} 字，已截断")
        content = content[:keep] + TRUNCATED_NOTE
    title = _cell(row, index, "title") or title_from(content)
    if len(title) > tickets.TITLE_MAX:
        warn("title", f"标题超过 {tickets.TITLE_MAX} 字，已截断")
        title = title[:tickets.TITLE_MAX]
    appeal = tickets.NewAppeal(
        title=title, content=content, channel=options.channel,
        appeal_type=Lookups.choice(_cell(row, index, "appeal_type"), AppealType.choices, AppealType.COMPLAINT,
                                   "appeal_type"),
        urgency=Lookups.choice(_cell(row, index, "urgency"), Urgency.choices, Urgency.NORMAL, "urgency"),
        appellant_name=_cell(row, index, "appellant_name"), appellant_phone=_cell(row, index, "appellant_phone"),
        address=_cell(row, index, "address"), street=lookups.street(_cell(row, index, "street")),
        category=lookups.category(_cell(row, index, "category")),
        created_at=parse_when(_cell(row, index, "created_at"), now),
        external_id=row_external_id(options.source, _cell(row, index, "external_id"), title, content,
                                    _cell(row, index, "created_at")),
    )
    tickets.validate_appeal(appeal)
    return appeal


# ---------------------------------------------------------------- writing


def write_block(appeals: list[tickets.NewAppeal], *, by: User | None, now: datetime,
                triage: str = "queue") -> list[tuple[int, str]]:
    """All of the block or none of it (a savepoint inside a caller's transaction): tickets with consecutive
    numbers and their 'create' events, marked as imported with the triage option (for the queue's sweeper).
    Returns (pk, number) pairs."""
    with db.writing():
        created = tickets.create_tickets(appeals, by=by, now=now, payload={"import": True, "triage": triage})
    return [(c.pk, c.number) for c in created]


def _write_one_by_one(appeals: list[tickets.NewAppeal], *, by: User | None, now: datetime,
                      triage: str) -> list[tuple[int, str]]:
    """After a lost race with a concurrent import of the same rows: keep those nobody else stored."""
    created = []
    for appeal in appeals:
        try:
            created += write_block([appeal], by=by, now=now, triage=triage)
        except IntegrityError:
            continue
    return created


# ---------------------------------------------------------------- the whole file


def detect_format(name: str, data: bytes) -> str:
    if name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return "xlsx"
    return "csv"


def import_appeals(data: bytes, *, name: str, options: ImportOptions, by: User | None = None,
                   now: datetime | None = None, progress: Callable[[Iterable], Iterable] | None = None,
                   ) -> ImportResult:
    """Import one export. Raises ImportFileError when the file as a whole cannot be read."""
    now = now or clock.now()
    options.source = (options.source or Path(name).stem or "import")[:SOURCE_MAX]
    if options.channel not in Channel.values:
        raise ImportFileError(f"未知渠道：{options.channel}")
    fmt = detect_format(name, data) if options.fmt == "auto" else options.fmt
    header, rows = read_table(data, fmt=fmt, encoding=options.encoding)
    index = column_index(header, options.mapping)
    lookups = Lookups()
    seen = set(Ticket.objects.filter(channel=options.channel, external_id__startswith=f"{options.source}:")
               .values_list("external_id", flat=True))
    result = ImportResult()
    batch = ImportBatch.objects.create(file_name=name[:255], channel=options.channel, source=options.source,
                                       created_by=by, started_at=now)
    pending: list[tickets.NewAppeal] = []
    for row_number, row in enumerate(progress(rows) if progress else rows, start=2):
        if not any(str(c).strip() for c in row if c is not None):
            continue  # blank line
        result.total += 1
        issues: list[RowIssue] = []

        def warn(field_name: str, reason: str, issues=issues, row_number=row_number) -> None:
            issues.append(RowIssue(row_number, "", field_name, reason, "imported"))

        try:
            appeal = build_appeal(row, index, lookups=lookups, options=options, now=now, warn=warn)
        except InvalidInput as exc:
            raw_id = str(_cell(row, index, "external_id"))
            result.issues.append(RowIssue(row_number, raw_id, exc.field or "", exc.message, "rejected"))
            continue
        if appeal.external_id in seen:
            result.skipped += 1
            continue
        seen.add(appeal.external_id)
        for issue in issues:
            issue.external_id = appeal.external_id
        result.issues += issues
        pending.append(appeal)
        if len(pending) >= BLOCK:
            _flush(pending, result, by=by, now=now, triage=options.triage)
    _flush(pending, result, by=by, now=now, triage=options.triage)
    batch.finished_at = clock.now()
    batch.total_rows, batch.created_count, batch.skipped_count = result.total, result.created, result.skipped
    batch.rejected_count = len(result.rejected)
    batch.report_csv = result.report_csv()
    batch.save()
    result.batch = batch
    return result


def _flush(pending: list[tickets.NewAppeal], result: ImportResult, *, by: User | None, now: datetime,
           triage: str) -> None:
    if not pending:
        return
    try:
        created = write_block(pending, by=by, now=now, triage=triage)
    except IntegrityError:
        created = _write_one_by_one(pending, by=by, now=now, triage=triage)
    result.skipped += len(pending) - len(created)
    result.created += len(created)
    result.numbers += [number for _pk, number in created]
    if triage == "queue":
        queue_triage([pk for pk, _n in created])
    elif triage == "now":
        run_triage_many(list(Ticket.objects.filter(pk__in=[pk for pk, _n in created]).order_by("pk")), now=now)
    pending.clear()


def load_mapping(text: str) -> dict[str, str]:
    """A mapping file: {"content": "来电内容", ...} or {"columns": {...}}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"映射文件不是有效的 JSON：{exc}") from exc
    data = data.get("columns", data) if isinstance(data, dict) else data
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ImportFileError('映射文件格式应为 {"字段": "列名"}')
    return data
