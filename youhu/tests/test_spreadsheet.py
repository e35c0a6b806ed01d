"""safe_cell: texts a spreadsheet would run are neutralised; numbers and ordinary texts are left alone."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from youhu import spreadsheet
from youhu.spreadsheet import reading


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")',
                                  "-", "+"])
def test_formula_starts_are_quoted(text):
    assert spreadsheet.safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3, -2.5, 0, None, True, "-3", "+8613800138000", "-0.5", "1e5", "路灯不亮",
                                   "A=B", "", "'=already quoted"])
def test_numbers_and_ordinary_texts_are_unchanged(value):
    assert spreadsheet.safe_cell(value) == value


def test_the_writers_quote_every_cell():
    out = io.StringIO()
    spreadsheet.writer(out).writerow(["=1", -1, "ok"])
    writer = spreadsheet.SafeDictWriter(out, fieldnames=["a", "=b"])
    writer.writeheader()
    writer.writerow({"a": "@x", "=b": "-1"})
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=1", "-1", "ok"], ["a", "'=b"], ["'@x", "-1"]]


def test_import_reports_written_back_to_users_are_neutralised(tmp_path):
    """The rows a report quotes come from the uploaded file: a formula there must not come back live."""
    from youhu.enterprise.importer import ImportReport as CompanyReport
    from youhu.enterprise.importer import RowError, write_error_report
    from youhu.intake.importing import ImportResult, RowIssue

    appeals = ImportResult(outcomes=[RowIssue(2, "=cmd|' /C calc'!A0", "title", "缺少标题", "rejected")])
    assert list(csv.reader(io.StringIO(appeals.report_csv())))[1][1] == "'=cmd|' /C calc'!A0"

    target = tmp_path / "errors.csv"
    write_error_report(CompanyReport(errors=[RowError(3, "企业名称", "名称无效", uscc="@SUM(1)")]), target)
    assert list(csv.reader(target.open(encoding="utf-8-sig")))[1][2] == "'@SUM(1)"


@pytest.mark.parametrize(("cell", "expected"), [
    ("2026-03-31", date(2026, 3, 31)), ("2026/3/31", date(2026, 3, 31)), ("2026年3月31日", date(2026, 3, 31)),
    (datetime(2026, 3, 31, 8, 0), date(2026, 3, 31)), (date(2026, 3, 31), date(2026, 3, 31)), ("  ", None), (None, None),
])
def test_a_date_cell_as_offices_write_it(cell, expected):
    assert reading.cell_date(cell) == expected


@pytest.mark.parametrize("cell", ["明年", "2026-13-01", "31/03/2026"])
def test_a_cell_that_is_no_date_is_refused(cell):
    with pytest.raises(ValueError, match="不是日期"):
        reading.cell_date(cell)
