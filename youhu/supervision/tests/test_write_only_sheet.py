"""The workbook's write-only sheets: every row in order past the width sample, widths from the sample."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from youhu.supervision.reports import WIDTH_SAMPLE_ROWS, _put, _Sheet


def _reopen(wb: Workbook):
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def test_rows_stream_in_order_past_the_sample_and_widths_come_from_it():
    wb = Workbook(write_only=True)
    sheet = _Sheet(wb, "长表", widths={3: 30}, freeze="A2")
    rows = WIDTH_SAMPLE_ROWS + 700
    for row in range(1, rows + 1):
        _put(sheet, row, 1, f"第{row}行")
        _put(sheet, row, 2, "短" if row <= WIDTH_SAMPLE_ROWS else "在样本之后才出现的很长很长的一段文字")
        if row % 3 == 0:
            _put(sheet, row, 3, "=1+1")  # written as text, never a formula
    sheet.close()
    ws = _reopen(wb)["长表"]
    assert ws.max_row == rows
    firsts = [ws.cell(row=r, column=1).value for r in (1, WIDTH_SAMPLE_ROWS + 1, rows)]
    after, last = WIDTH_SAMPLE_ROWS + 1, rows
    assert firsts == ["第1行", f"第{after}行", f"第{last}行"]
    assert ws.cell(row=3, column=3).value == "'=1+1" and ws.cell(row=4, column=3).value is None
    assert ws.column_dimensions["B"].width == 12  # the sample's short texts, the default floor
    assert ws.column_dimensions["C"].width == 30 and ws.freeze_panes == "A2"


def test_a_written_row_cannot_be_written_again():
    wb = Workbook(write_only=True)
    sheet = _Sheet(wb, "表")
    for row in range(1, WIDTH_SAMPLE_ROWS + 3):
        sheet.cell(row, 1, row)
    with pytest.raises(ValueError):
        sheet.cell(1, 2, "late")
    sheet.close()
    assert _reopen(wb)["表"].max_row == WIDTH_SAMPLE_ROWS + 2
