"""Evaluation periods written as 2025 (a year) or 2025Q3 (a quarter)."""

from __future__ import annotations

import re
from datetime import date

from youhu import db
from youhu.tickets.errors import InvalidInput

from .models import Period, PeriodKind

PERIOD_RE = re.compile(r"^(\d{4})(?:[Qq]([1-4]))?$")


def bounds(code: str) -> tuple[str, str, date, date]:
    """(normalised code, kind, first day, last day) of a period written as 2025 or 2025Q3."""
    match = PERIOD_RE.match((code or "").strip())
    if not match:
        raise InvalidInput(f"评价期应写作 2025 或 2025Q3，收到“{code}” / period must look like 2025 or 2025Q3",
                           field="period")
    year = int(match.group(1))
    if match.group(2) is None:
        return str(year), PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31)
    q = int(match.group(2))
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), (3 * q) % 12 + 1, 1)
    return f"{year}Q{q}", PeriodKind.QUARTER, start, date.fromordinal(end.toordinal() - 1)


def find(code: str) -> Period:
    normalised = bounds(code)[0]
    period = Period.objects.filter(code=normalised).first()
    if period is None:
        raise InvalidInput(f"没有评价期“{normalised}” / no such period", field="period")
    return period


def get_or_create(code: str, *, deadline: date | None = None) -> Period:
    normalised, kind, start, end = bounds(code)
    with db.writing():
        period, _ = Period.objects.get_or_create(code=normalised, defaults={
            "kind": kind, "start": start, "end": end, "deadline": deadline})
    return period


def previous(period: Period) -> Period | None:
    return Period.objects.filter(kind=period.kind, start__lt=period.start).order_by("-start").first()
