"""Cells that are safe to open in a spreadsheet: every CSV and XLSX the platform writes goes through here.

Excel, LibreOffice and WPS read a cell that starts with = + - @ (or a tab or carriage return before one) as a
formula: a ticket titled =HYPERLINK("http://x","y") would turn into a live link, or worse, in the monthly
workbook of whoever opens it (CSV/formula injection). As OWASP advises, such a text is prefixed with a single
quote, which the spreadsheet shows as text. Only strings are touched: numbers stay numbers, and a string that
is a plain number ("-3", "+86138...") is a number to the spreadsheet, not a formula.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """`value`, or a text a spreadsheet cannot run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


class SafeWriter:
    """csv.writer whose every cell passes through safe_cell."""

    def __init__(self, out: IO[str] | Any, **kwargs: Any):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose every value (the header's too) passes through safe_cell."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for rowdict in rowdicts:
            self.writerow(rowdict)


def writer(out: IO[str] | Any, **kwargs: Any) -> SafeWriter:
    """Drop-in for csv.writer(out, ...)."""
    return SafeWriter(out, **kwargs)
