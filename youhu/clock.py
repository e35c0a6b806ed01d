"""The one clock every service reads, so that tests can move time; and the span of years a date given
from outside may name, so that no filter, period or range arithmetic reaches the calendar's edge."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils import timezone
from pydantic import AfterValidator

# Years outside these cannot hold the district's data. Python's dates end at years 1 and 9999, and a
# filter's day boundary, a month's next month or "90 days before" would step past them (OverflowError).
MIN_YEAR = 2000
MAX_YEAR = 2100
SPAN_MESSAGE = f"日期须在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间"
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def now() -> datetime:
    return timezone.now()


class OutOfSpan(ValueError):
    """A date or month outside MIN_YEAR..MAX_YEAR, or a month that is not YYYY-MM."""


def in_span(value: date) -> date:
    """The date itself (or datetime) if its year is within the span; else OutOfSpan."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise OutOfSpan(SPAN_MESSAGE)
    return value


def validate_in_span(value: date | None) -> None:
    """in_span for Django form fields (`validators=[clock.validate_in_span]`): a form error, not a 500."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(SPAN_MESSAGE, code="date_out_of_span")


def parse_month(text: str | None) -> tuple[int, int]:
    """'2026-10' -> (2026, 10), the year within the span."""
    match = MONTH_RE.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise OutOfSpan(f"月份格式应为 YYYY-MM（例如 2026-10），收到“{(text or '')[:20]}”")
    year, month = int(match.group(1)), int(match.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise OutOfSpan(f"月份须在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间")
    return year, month


# A date for API schemas and parameters: one outside the span is a 400 like any malformed field.
Day = Annotated[date, AfterValidator(in_span)]
