"""A score run as CSV (the command) and as an Excel workbook (the ranking page), every cell formula-safe."""

from __future__ import annotations

import io
from typing import IO, Any

from openpyxl import Workbook

from youhu import spreadsheet

from .scoring import METHOD_LABELS
from .selectors import ranked


def _num(x: float | None, digits: int = 2) -> float | str:
    return "" if x is None else round(x, digits)


def header(result: dict[str, Any]) -> list[str]:
    return ["entity", "index", "rank", "counted", *(d["name"] for d in result["dimensions"])]


def rows(result: dict[str, Any]) -> list[list[Any]]:
    return [[e["name"], _num(e["index"]), e["rank"] or "", e["counted"], *(_num(x) for x in e["dimensions"])]
            for e in ranked(result)]


def write_csv(result: dict[str, Any], out: IO[str]) -> None:
    writer = spreadsheet.writer(out)
    writer.writerow(header(result))
    writer.writerows(rows(result))
    for note in result["notes"]:
        out.write(f"# {note}\n")


def workbook(result: dict[str, Any], period_label: str) -> bytes:
    """Sheet 排名 (index, rank, dimensions) and sheet 明细 (every raw and normalised value, and weights)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "排名"
    sheet.append(spreadsheet.safe_row([f"{period_label} 评价指数（{METHOD_LABELS[result['method_used']]}，"
                                        f"指标体系第 {result['version']} 版）"]))
    sheet.append(spreadsheet.safe_row(["评价对象", "指数", "排名", "计入指标数",
                                       *(d["name"] for d in result["dimensions"])]))
    for row in rows(result):
        sheet.append(spreadsheet.safe_row(row))
    for note in result["notes"]:
        sheet.append(spreadsheet.safe_row([note]))
    detail = book.create_sheet("明细")
    detail.append(spreadsheet.safe_row(["评价对象", "指标", "计量单位", "权重", "原始值", "标准化值"]))
    for e in ranked(result):
        for i, raw, x in zip(result["indicators"], e["raw"], e["normalised"], strict=True):
            detail.append(spreadsheet.safe_row([e["name"], i["name"], i["unit"], _num(i["weight"], 4),
                                                _num(raw, 4), _num(x)]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
