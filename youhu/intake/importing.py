"""Hotline import: CSV/XLSX exports of the 12345 hotline (or any board) into tickets.

The whole file is read and checked first (`youhu.spreadsheet.reading`, shared with the other imports): a
structural error (broken quote, cut sheet, bad encoding) raises ImportFileError naming the line and stores
nothing. Then each good row becomes a ticket with its number and 'create' event, written in blocks by
`tickets.create_tickets` (bulk inserts; bench/intake.py measures the rows per second). Each bad row is
reported with its reason and stored not at all, and so is each implausible one (`plausibility`). The report
has one line per line of the file. A row's external id (its `id` column, or a hash of its content when it
has none) makes re-importing the same file create nothing new.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from youhu import clock, db, spreadsheet
from youhu.directory.models import Area, User
from youhu.spreadsheet import reading
from youhu.taxonomy.models import AppealType, Category, Urgency
from youhu.tickets import services as tickets
from youhu.tickets.errors import InvalidInput
from youhu.tickets.models import Channel, Ticket

from . import plausibility
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


# The file as a whole cannot be read (format, encoding, broken quote, cut sheet, columns): nothing was
# stored. The shared reader's error, so that its line number reaches the command and the upload page.
ImportFileError = reading.StructureError

OUTCOMES = {"created": "新建", "skipped": "已导入过，跳过", "rejected": "拒绝", "implausible": "存疑，未导入",
            "blank": "空行"}


@dataclass
class ImportOptions:
    channel: str = Channel.HOTLINE
    fmt: str = "auto"  # auto | csv | xlsx
    encoding: str = "auto"  # auto | utf-8 | gbk
    mapping: dict[str, str] = field(default_factory=dict)  # target field -> column header
    source: str = ""  # external ids are "<source>:<id>"; default: the file's stem
    triage: str = "queue"  # queue (for the worker `youhu run_huey`) | now | skip (left to the dispatchers)
    # The SMS receipt (number and tracking code) to each appellant with a mobile number, as for every channel;
    # off for an export of old appeals whose appellants were answered long ago.
    receipts: bool = True


@dataclass
class RowIssue:
    """What became of one record: outcome created (with a warning in `reason`, if any), skipped, rejected
    or implausible. `row` is its first line, `lines` all of them ("12" or "12-14")."""

    row: int
    external_id: str
    field: str
    reason: str
    outcome: str
    lines: str = ""
    number: str = ""


@dataclass
class ImportResult:
    total: int = 0  # records (data rows), blank lines and the header aside
    created: int = 0
    skipped: int = 0
    outcomes: list[RowIssue] = field(default_factory=list)  # one per record, in the file's order
    blank_lines: list[int] = field(default_factory=list)
    batch: ImportBatch | None = None
    numbers: list[str] = field(default_factory=list)
    summary: str = ""

    def add(self, record: reading.Record, external_id: str, outcome: str, field_name: str, reason: str,
            number: str = "") -> None:
        self.outcomes.append(RowIssue(record.first_line, external_id, field_name, reason, outcome, record.lines,
                                      number))
        if outcome == "created":
            self.created += 1
        elif outcome == "skipped":
            self.skipped += 1

    @property
    def issues(self) -> list[RowIssue]:
        """The records to look at: rejected, implausible, and stored with a warning."""
        return [i for i in self.outcomes if i.outcome in ("rejected", "implausible") or i.reason and
                i.outcome == "created"]

    @property
    def rejected(self) -> list[RowIssue]:
        return [i for i in self.outcomes if i.outcome == "rejected"]

    @property
    def implausible(self) -> list[RowIssue]:
        return [i for i in self.outcomes if i.outcome == "implausible"]

    def report_csv(self) -> str:
        """Every line of the file but the header: each record's outcome (and ticket number), each blank line."""
        out = io.StringIO()
        writer = spreadsheet.writer(out)
        writer.writerow(REPORT_HEADER)
        rows = [(i.row, i.lines or str(i.row), i.external_id, i.number, i.outcome, i.field, i.reason)
                for i in self.outcomes]
        rows += [(line, str(line), "", "", "blank", "", "") for line in self.blank_lines]
        for row in sorted(rows, key=lambda r: r[0]):
            writer.writerow(row[1:])
        return out.getvalue()


REPORT_HEADER = ["row", "external_id", "number", "outcome", "field", "reason"]


# ---------------------------------------------------------------- columns


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
                triage: str = "queue", receipts: bool = True) -> list[tuple[int, str]]:
    """All of the block or none of it (a savepoint inside a caller's transaction): tickets with consecutive
    numbers and their 'create' events, marked as imported with the triage option (for the queue's sweeper).
    Returns (pk, number) pairs in the appeals' order."""
    with db.writing():
        created = tickets.create_tickets(appeals, by=by, now=now, payload={"import": True, "triage": triage},
                                         receipts=receipts)
    return [(c.pk, c.number) for c in created]


def _write_one_by_one(appeals: list[tickets.NewAppeal], *, by: User | None, now: datetime,
                      triage: str, receipts: bool) -> list[tuple[int, str] | None]:
    """After a lost race with a concurrent import of the same rows: keep those nobody else stored
    (None for each one another import stored first)."""
    created: list[tuple[int, str] | None] = []
    for appeal in appeals:
        try:
            created += write_block([appeal], by=by, now=now, triage=triage, receipts=receipts)
        except IntegrityError:
            created.append(None)
    return created


# ---------------------------------------------------------------- the whole file


def detect_format(name: str, data: bytes) -> str:
    return "xlsx" if reading.looks_like_xlsx(name, data) else "csv"


@dataclass
class _Row:
    """A record that became an appeal, on its way to the database."""

    record: reading.Record
    appeal: tickets.NewAppeal
    warnings: list[tuple[str, str]]


def import_appeals(data: bytes, *, name: str, options: ImportOptions, by: User | None = None,
                   now: datetime | None = None, progress: Callable[[Iterable], Iterable] | None = None,
                   ) -> ImportResult:
    """Import one export: read and check the whole file, then store the good rows. Raises ImportFileError
    (naming the line) when the file as a whole cannot be read; nothing is stored then, not even the batch."""
    now = now or clock.now()
    options.source = (options.source or Path(name).stem or "import")[:SOURCE_MAX]
    if options.channel not in Channel.values:
        raise ImportFileError(f"未知渠道：{options.channel}")
    fmt = detect_format(name, data) if options.fmt == "auto" else options.fmt
    table = reading.read_table(data, name=name, fmt=fmt, encoding=options.encoding)
    index = column_index(table.header, options.mapping)
    lookups = Lookups()
    seen = set(Ticket.objects.filter(channel=options.channel, external_id__startswith=f"{options.source}:")
               .values_list("external_id", flat=True))
    result = ImportResult(total=len(table.records), blank_lines=list(table.blank_lines))
    candidates: list[_Row] = []
    for record in progress(table.records) if progress else table.records:
        warnings: list[tuple[str, str]] = []
        try:
            appeal = build_appeal(record.cells, index, lookups=lookups, options=options, now=now,
                                  warn=lambda f, r, w=warnings: w.append((f, r)))
        except InvalidInput as exc:
            raw_id = str(_cell(record.cells, index, "external_id"))
            result.add(record, raw_id, "rejected", exc.field or "", exc.message)
            continue
        if appeal.external_id in seen:
            result.add(record, appeal.external_id, "skipped", "", "已导入过")
            continue
        seen.add(appeal.external_id)
        candidates.append(_Row(record, appeal, warnings))
    suspects = plausibility.flags([plausibility.Suspect(r.appeal.content, r.appeal.created_at) for r in candidates])
    good = []
    for position, row in enumerate(candidates):
        if position in suspects:
            result.add(row.record, row.appeal.external_id, "implausible", *suspects[position])
        else:
            good.append(row)
    batch = ImportBatch.objects.create(file_name=name[:255], channel=options.channel, source=options.source,
                                       created_by=by, started_at=now)
    for start in range(0, len(good), BLOCK):
        _store(good[start:start + BLOCK], result, by=by, now=now, options=options)
    result.summary = table.account([("新建", result.created), ("已导入过跳过", result.skipped),
                                    ("拒绝", len(result.rejected)), ("存疑未导入", len(result.implausible))])
    batch.finished_at = clock.now()
    batch.total_rows, batch.created_count, batch.skipped_count = result.total, result.created, result.skipped
    batch.rejected_count, batch.implausible_count = len(result.rejected), len(result.implausible)
    batch.line_count, batch.blank_lines, batch.summary = table.line_count, len(table.blank_lines), result.summary
    batch.report_csv = result.report_csv()
    batch.save()
    result.batch = batch
    return result


def _store(rows: list[_Row], result: ImportResult, *, by: User | None, now: datetime,
           options: ImportOptions) -> None:
    appeals = [r.appeal for r in rows]
    triage, receipts = options.triage, options.receipts
    try:
        created: list[tuple[int, str] | None] = list(write_block(appeals, by=by, now=now, triage=triage,
                                                                 receipts=receipts))
    except IntegrityError:
        created = _write_one_by_one(appeals, by=by, now=now, triage=triage, receipts=receipts)
    for row, stored in zip(rows, created, strict=True):
        if stored is None:
            result.add(row.record, row.appeal.external_id, "skipped", "", "同时进行的另一次导入已存入")
            continue
        reason = "；".join(r for _f, r in row.warnings)
        result.add(row.record, row.appeal.external_id, "created", "；".join(f for f, _r in row.warnings), reason,
                   number=stored[1])
        result.numbers.append(stored[1])
    pks = [stored[0] for stored in created if stored is not None]
    if triage == "queue":
        queue_triage(pks)
    elif triage == "now":
        run_triage_many(list(Ticket.objects.filter(pk__in=pks).order_by("pk")), now=now)


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
