"""Answering from an entry, and the Excel/CSV import of entries.

Answering from an entry is the ordinary 直接答复 (`tickets.services.answer_directly`, which checks that the
actor is the ticket's dispatcher): the entry's id and question go into the event's data, so that the
ticket's history says which entry the reply came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from youhu import clock
from youhu.directory.models import User
from youhu.spreadsheet import reading
from youhu.tickets import services as tickets
from youhu.tickets.errors import InvalidInput
from youhu.tickets.models import Ticket

from .models import Entry

ImportFileError = reading.StructureError


def valid_entry(entry_id: object, *, today: date) -> Entry:
    """The entry a dispatcher picked, if it may still be used (active, not expired)."""
    try:
        entry = Entry.objects.get(pk=int(entry_id))  # type: ignore[call-overload]
    except (TypeError, ValueError, Entry.DoesNotExist) as exc:
        raise InvalidInput("所选知识条目不存在", field="entry") from exc
    if not entry.valid_on(today):
        raise InvalidInput(f"知识条目“{entry.question}”已过期或停用，不能据此答复", field="entry")
    return entry


def answer_from_entry(ticket: Ticket, *, by: User, entry_id: object, reply: str = "",
                      now: datetime | None = None) -> Ticket:
    """直接答复 with an entry's answer (or the dispatcher's edit of it), recording the entry used."""
    now = now or clock.now()
    entry = valid_entry(entry_id, today=timezone.localdate(now))
    return tickets.answer_directly(ticket, by=by, reply=reply.strip() or entry.answer, now=now,
                                   source={"knowledge_entry": entry.pk, "knowledge_question": entry.question})


# ---------------------------------------------------------------- the import

HEADERS = {"问题": "question", "答复": "answer", "类别": "category", "政策依据": "policy_source",
           "有效期至": "valid_until"}
REQUIRED = ("问题", "答复")


@dataclass
class RowError:
    row: str  # the physical line(s) of the file
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    report: str = ""


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _parse(values: dict[str, Any]) -> dict[str, Any]:
    """One row's fields, or ValueError(column, message)."""
    data: dict[str, Any] = {}
    for label, name in HEADERS.items():
        raw = values.get(label)
        if name == "valid_until":
            try:
                data[name] = reading.cell_date(raw)
            except ValueError as exc:
                raise ValueError(label, str(exc)) from exc
            continue
        data[name] = _text(raw)
        limit = Entry._meta.get_field(name).max_length
        if label in REQUIRED and not data[name]:
            raise ValueError(label, f"{label}不能为空")
        if limit and len(data[name]) > limit:
            raise ValueError(label, f"{label}超过 {limit} 字")
    return data


def import_entries(raw: bytes, *, name: str = "") -> ImportResult:
    """Entries from a CSV/XLSX with the columns of `HEADERS` (a known question is updated).

    The whole file is read first: a structural error raises `ImportFileError` and nothing is stored;
    a bad row is reported and skipped, the good rows are stored in one transaction.
    """
    table = reading.read_table(raw, name=name)
    header = [_text(h) for h in table.header]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise ImportFileError(f"缺少列：{'、'.join(missing)}（需要列：{'、'.join(HEADERS)}）", line=1)
    result, rows, seen = ImportResult(), [], {}
    for record in table.records:
        values = dict(zip(header, record.cells, strict=False))
        try:
            data = _parse(values)
        except ValueError as exc:
            column, message = exc.args
            result.errors.append(RowError(record.lines, column, message))
            continue
        if data["question"] in seen:
            result.errors.append(RowError(record.lines, "问题", f"与第 {seen[data['question']]} 行的问题重复"))
            continue
        seen[data["question"]] = record.lines
        rows.append(data)
    with transaction.atomic():
        for data in rows:
            question = data.pop("question")
            _entry, created = Entry.objects.update_or_create(
                question=question, defaults={**data, "active": True, "origin": "import"})
            result.created += created
            result.updated += not created
    result.report = table.account([("新增", result.created), ("更新", result.updated),
                                   ("拒绝", len(result.errors))])
    return result
