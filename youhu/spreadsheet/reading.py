"""Reading a CSV or XLSX for an import: the whole file is read and checked before anything is stored.

Every importer (appeals in `intake`, companies in `enterprise`, projects, indicator values) reads its file
here, so that they all keep the same two promises:

- a *structural* error (a broken quote, a row with more cells than the header, bytes that are not the
  file's encoding, a cut or corrupt sheet) raises `StructureError` naming the line, before the importer
  has stored anything: it reads the whole table first, then stores;
- every physical line is accounted for: a `Table` holds the header line, the blank lines and each record
  with the lines it spans (a quoted cell may hold line breaks), and `Table.account` refuses a report whose
  outcomes do not add up to the records.

Why strict: Python's csv reader, left lenient, reads an unclosed quote as a cell running to the end of the
file (or to the next quote), so 299 rows became one rejected "row" and vanished from the report.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

ENCODINGS = {"auto": ("utf-8-sig", "gb18030"), "utf-8": ("utf-8-sig",), "utf8": ("utf-8-sig",),
             "gbk": ("gb18030",), "gb2312": ("gb18030",), "gb18030": ("gb18030",)}
# A row swallowed by an open quote shows as a line inside a cell that has as many cells as the header.
SWALLOW_MIN_COLUMNS = 3


class StructureError(Exception):
    """The file cannot be read as a table; `line` (1-based, physical) says where. Nothing may be stored."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"第 {line} 行：{message}" if line else message)
        self.line = line
        self.reason = message


@dataclass(frozen=True)
class Record:
    """One data row: its cells and the physical lines (CSV) or sheet rows (XLSX) it occupies."""

    first_line: int
    last_line: int
    cells: list[Any]

    @property
    def lines(self) -> str:
        return str(self.first_line) if self.first_line == self.last_line else f"{self.first_line}-{self.last_line}"


@dataclass
class Table:
    header: list[str]
    records: list[Record]
    line_count: int  # physical lines of the file (rows of the sheet), the header's included
    blank_lines: list[int] = field(default_factory=list)
    sheet: str = ""

    @property
    def record_lines(self) -> int:
        return sum(r.last_line - r.first_line + 1 for r in self.records)

    def account(self, outcomes: Iterable[tuple[str, int]]) -> str:
        """One sentence saying where every line went; `outcomes` (label, records) must cover every record."""
        outcomes = list(outcomes)
        if sum(n for _label, n in outcomes) != len(self.records):
            raise AssertionError(f"report covers {sum(n for _l, n in outcomes)} of {len(self.records)} records")
        where = f"工作表“{self.sheet}”" if self.sheet else "文件"
        spread = f"，占 {self.record_lines} 行" if self.record_lines != len(self.records) else ""
        parts = "，".join(f"{label} {n}" for label, n in outcomes)
        return (f"{where}共 {self.line_count} 行：表头 1 行，空行 {len(self.blank_lines)} 行，"
                f"数据 {len(self.records)} 条{spread}（{parts}）")


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def cell_date(value: Any) -> date | None:
    """A date cell as offices write it (an Excel date, or one of `DATE_FORMATS`); None when empty.

    ValueError when it is no date: the importer names the row and column."""
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}”不是日期（请写成 2026-03-31）")


def is_blank(cells: Iterable[Any]) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


# ---------------------------------------------------------------- text


def decode(raw: bytes, encoding: str = "auto") -> str:
    """UTF-8 (with or without BOM) or GB18030/GBK. A UTF-8 file with a bad byte further on is an error naming
    its line, not a reason to try it as GBK (which fails with no line, or reads it as mojibake)."""
    candidates = ENCODINGS.get(encoding)
    if candidates is None:
        raise StructureError(f"不支持的编码：{encoding}（可选 auto、utf-8、gbk）")
    for name in candidates:
        try:
            text = raw.decode(name)
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].count(b"\n") + 1
            utf8_so_far = name.startswith("utf-8") and not raw[:exc.start].isascii()
            if utf8_so_far or name == candidates[-1]:
                tried = "/".join(n.removesuffix("-sig") for n in candidates)
                raise StructureError(f"含有不是 {tried} 编码的字节（文件已损坏或编码不对，可用 --encoding 指定）",
                                     line) from exc
            continue
        if "\x00" in text:
            line = text[:text.index("\x00")].count("\n") + 1
            raise StructureError("含有 NUL 字符，不是 CSV 文本（是否选错了格式或编码？）", line)
        return text
    raise AssertionError("unreachable")


def read_csv(raw: bytes, *, encoding: str = "auto") -> Table:
    text = decode(raw, encoding)
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    records: list[Record] = []
    blank: list[int] = []
    last = 0
    while True:
        first = last + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise StructureError(_csv_problem(str(exc), first, reader.line_num), first) from exc
        last = reader.line_num
        if header is None:
            header = [c.strip().lstrip("\ufeff") for c in cells]
            if is_blank(header):
                raise StructureError("表头是空的（表头应在第 1 行）", first)
            continue
        if is_blank(cells):
            blank += range(first, last + 1)
            continue
        _check_width(cells, header, first)
        if last > first:
            _check_swallowed(cells, header, first, last)
        records.append(Record(first, last, [c.strip() for c in cells]))
    if header is None:
        raise StructureError("文件是空的")
    return Table(header, records, last, blank)


def _csv_problem(message: str, first: int, at: int) -> str:
    if "unexpected end of data" in message:
        return f"引号未闭合：从这一行起到文件末尾（第 {at} 行）都被读成了一个单元格，请检查该行的引号"
    if "expected after" in message:
        return f"引号不配对：这一行开始的记录在第 {at} 行处，引号后面不是逗号或换行（{message}）"
    return f"CSV 格式错误（{message}），出错位置在第 {at} 行"


def _check_width(cells: list[str], header: list[str], line: int) -> None:
    extra = [c for c in cells[len(header):] if c.strip()]
    if extra:
        raise StructureError(f"有 {len(cells)} 个单元格，而表头只有 {len(header)} 列（是否有没加引号的逗号？）", line)


def _check_swallowed(cells: list[str], header: list[str], first: int, last: int) -> None:
    """A cell running over several lines may hold a paragraph (with commas: residents type them). One
    holding a line shaped like a whole row — as many cells as the header, the first like this record's
    first cell (an id: 188006 and 188007 are both "9") — is an open quote that ate the rows after it."""
    if len(header) < SWALLOW_MIN_COLUMNS or not cells[0].strip():
        return
    own = _shape(cells[0])
    for position, cell in enumerate(cells):
        for inner in cell.splitlines()[1:]:
            parts = next(csv.reader([inner]), [])
            if len(parts) == len(header) and _shape(parts[0]) == own:
                column = header[position] if position < len(header) else f"第 {position + 1} 列"
                raise StructureError(f"“{column}”单元格的引号一直延续到第 {last} 行，其中有像完整一行的内容："
                                     f"“{inner[:40]}”（引号未闭合？）", first)


def _shape(text: str) -> str:
    return re.sub(r"\d+", "9", re.sub(r"[A-Za-z]+", "a", text.strip()))


# ---------------------------------------------------------------- workbooks


def open_workbook(data: bytes | IO[bytes]) -> Any:
    from openpyxl import load_workbook

    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip, XML, openpyxl's own: any is "not a readable workbook"
        raise StructureError(f"无法读取 XLSX 文件（文件损坏、不完整或不是 Excel 2007+ 格式）：{exc}") from exc


def sheet_table(book: Any, sheet: str | None = None) -> Table:
    """The named sheet (or the first) as a Table. The sheet is read to its end here: openpyxl streams it, so a
    cut or corrupt sheet fails in the middle, and it must fail before the importer stores its first row."""
    if sheet is not None and sheet not in book.sheetnames:
        raise StructureError(f"缺少工作表“{sheet}”（现有：{'、'.join(book.sheetnames)}）")
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]
    name = sheet or ""
    header: list[str] | None = None
    records: list[Record] = []
    blank: list[int] = []
    number = 0
    rows = _rows(worksheet)
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            break
        except Exception as exc:  # noqa: BLE001 - ParseError, BadZipFile (CRC), zlib.error, EOFError ...
            where = f"工作表“{name}”" if name else "工作表"
            raise StructureError(f"{where}在这一行处损坏或被截断，文件不完整：{type(exc).__name__}: {exc}",
                                 number + 1) from exc
        number += 1
        if header is None:
            if is_blank(cells):
                raise StructureError("表头是空的（表头应在第 1 行）", number)
            header = ["" if h is None else str(h).strip() for h in cells]
            continue
        if is_blank(cells):
            blank.append(number)
            continue
        records.append(Record(number, number, [c.strip() if isinstance(c, str) else c for c in cells]))
    if header is None:
        raise StructureError(f"工作表“{name}”是空的" if name else "工作表是空的")
    return Table(header, records, number, blank, sheet=name)


def _rows(worksheet: Any) -> Iterator[list[Any]]:
    for row in worksheet.iter_rows(values_only=True):
        yield list(row)


def read_xlsx(data: bytes | IO[bytes], sheet: str | None = None) -> Table:
    return sheet_table(open_workbook(data), sheet)


def looks_like_xlsx(name: str, data: bytes) -> bool:
    return name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04"


def read_table(data: bytes, *, name: str = "", fmt: str = "auto", encoding: str = "auto") -> Table:
    """A CSV or XLSX (`fmt` auto: by the name's suffix or the zip signature) read whole."""
    if fmt == "auto":
        fmt = "xlsx" if looks_like_xlsx(name, data) else "csv"
    if fmt == "xlsx":
        return read_xlsx(data)
    if fmt != "csv":
        raise StructureError(f"不支持的格式：{fmt}（可选 csv、xlsx）")
    return read_csv(data, encoding=encoding)
