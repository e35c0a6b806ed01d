"""Rows that read well but cannot be real appeals: flagged in the import's report and not stored.

A hotline export is Chinese text from residents over a stretch of time. A row whose content has no Chinese
character, is one short piece repeated ("测试测试测试…"), repeats the same text word for word in many rows of
one file, or is dated before 2000 or far outside the time the rest of the file covers, is most likely junk
or a broken export (50,000 rows of well-formed nonsense imported as tickets before this check). Such a row
is rejected as implausible: it appears in the report with the reason, and importing a corrected file adds it
(the rows stored before are skipped by their external id).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ONE_PIECE_REPEATED = re.compile(r"(.{1,6}?)\1{4,}", re.S)
REPEAT_MAX = 10  # the same text in more rows than this is junk (real re-submissions: up to 5 in the shared data)
EARLIEST = datetime(2000, 1, 1)
# A date outside [Q1 - k·IQR, Q3 + k·IQR] of the file's dates (at least MARGIN wide) is an outlier; only with
# enough dated rows for quartiles to mean anything.
FENCE_K = 5  # 3 (Tukey's "far out") flagged a real 2017 appeal among the shared data's 2019 ones
FENCE_MARGIN = timedelta(days=90)
FENCE_MIN_ROWS = 20


@dataclass(frozen=True)
class Suspect:
    content: str
    created_at: datetime | None


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def flags(rows: Sequence[Suspect]) -> dict[int, tuple[str, str]]:
    """Position in `rows` -> (field, reason) for each implausible row."""
    found: dict[int, tuple[str, str]] = {}
    counts = Counter(_key(r.content) for r in rows)
    fence = _date_fence([r.created_at for r in rows if r.created_at is not None])
    earliest = timezone.make_aware(EARLIEST)
    for position, row in enumerate(rows):
        text = _key(row.content)
        if not HAN.search(text):
            found[position] = ("content", "内容不含汉字，不像群众诉求")
        elif match := ONE_PIECE_REPEATED.fullmatch(text):
            found[position] = ("content", f"内容只是“{match.group(1)}”的重复")
        elif counts[text] > REPEAT_MAX:
            found[position] = ("content", f"同一内容在本文件中出现 {counts[text]} 次（超过 {REPEAT_MAX} 次视为批量垃圾数据）")
        elif row.created_at is not None and row.created_at < earliest:
            found[position] = ("created_at", f"时间早于 2000 年：{row.created_at:%Y-%m-%d}")
        elif row.created_at is not None and fence and not fence[0] <= row.created_at <= fence[1]:
            found[position] = ("created_at", f"时间 {row.created_at:%Y-%m-%d} 远离本文件其他记录的时间范围"
                                             f"（大部分在 {fence[2]:%Y-%m-%d} 至 {fence[3]:%Y-%m-%d}）")
    return found


def _date_fence(dates: list[datetime]) -> tuple[datetime, datetime, datetime, datetime] | None:
    if len(dates) < FENCE_MIN_ROWS:
        return None
    dates = sorted(dates)
    q1, q3 = dates[len(dates) // 4], dates[(3 * len(dates)) // 4]
    reach = max(FENCE_K * (q3 - q1), FENCE_MARGIN)
    return q1 - reach, q3 + reach, q1, q3
