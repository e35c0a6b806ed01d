"""Broken files for the import tests (issue 19): a workbook whose sheet an interrupted export cut off."""

from __future__ import annotations

import io
import zipfile

FIRST_SHEET = "xl/worksheets/sheet1.xml"


def with_sheet_cut(data: bytes, keep: float) -> bytes:
    """The same XLSX with its first sheet's XML cut after `keep` of its bytes: the zip itself is whole, so
    the workbook opens and openpyxl fails only when its streaming reader reaches the cut."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == FIRST_SHEET:
                content = content[:int(len(content) * keep)]
            target.writestr(item, content)
    return out.getvalue()


def with_sheet_bytes_flipped(data: bytes, count: int = 64) -> bytes:
    """The same XLSX with `count` bytes in the middle of the first sheet's compressed data inverted."""
    member = zipfile.ZipFile(io.BytesIO(data)).getinfo(FIRST_SHEET)
    middle = member.header_offset + 30 + len(member.filename) + member.compress_size // 2  # 30: local header
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + count]) + data[middle + count:]
