"""Scoring a CSV of appeals with their replies (the shared Teddy Cup file, or an export like it)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from youhu import spreadsheet

from .reply_quality import score_reply, timeliness_by_days

REQUIRED = ("title", "text", "reply")
SCORE_COLUMNS = ["score", "relevance", "completeness", "timeliness", "reasons"]
DATE_RE = re.compile(r"^\s*(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")


class ReplyFileError(ValueError):
    pass


def parse_when(text: str | None) -> datetime | None:
    """'2019/4/25 9:32:09', '2019-04-25 09:32:09' or a bare date; None if unreadable."""
    match = DATE_RE.match(text or "")
    if not match:
        return None
    parts = [int(p) if p else 0 for p in match.groups()]
    try:
        return datetime(*parts)
    except ValueError:
        return None


def days_between(received: str | None, replied: str | None) -> float | None:
    start, end = parse_when(received), parse_when(replied)
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 86400


def scored_rows(source: IO[str]) -> Iterator[dict[str, str]]:
    reader = csv.DictReader(source)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ReplyFileError(f"文件缺少列：{', '.join(missing)}（需要 title, text, reply；"
                             f"可选 received_at, replied_at）")
    for row in reader:
        days = days_between(row.get("received_at"), row.get("replied_at"))
        result = score_reply(row["title"] or "", row["text"] or "", row["reply"] or "",
                             timeliness=timeliness_by_days(days))
        yield {**row, "score": f"{result.score:.1f}", "relevance": f"{result.relevance:.3f}",
               "completeness": f"{result.completeness:.3f}",
               "timeliness": "" if result.timeliness is None else f"{result.timeliness:.3f}",
               "reasons": "；".join(result.reasons)}


def score_file(source: IO[str], target: IO[str]) -> int:
    """Copy the CSV with score columns added; returns the row count."""
    writer = None
    count = 0
    for row in scored_rows(source):
        if writer is None:
            writer = spreadsheet.SafeDictWriter(target, fieldnames=list(row.keys()))
            writer.writeheader()
        writer.writerow(row)
        count += 1
    if writer is None:
        spreadsheet.writer(target).writerow(list(REQUIRED) + SCORE_COLUMNS)
    return count
