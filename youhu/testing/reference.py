"""Reference data that migrations seed (calendar, deadline rules). Tests that run in real
transactions empty every table afterwards, so the next such test puts it back first."""

from __future__ import annotations

from youhu.taxonomy.defaults import ensure_default_deadline_rules
from youhu.taxonomy.models import DeadlineRule
from youhu.workdays import calendar
from youhu.workdays.models import CalendarDay, CalendarYear
from youhu.workdays.seed import seed

CALENDAR_YEARS = range(2015, 2031)  # as in migration workdays 0002


def ensure_reference_data() -> None:
    if not DeadlineRule.objects.exists():
        ensure_default_deadline_rules(DeadlineRule)
    if not CalendarYear.objects.exists():
        seed(CalendarDay, CalendarYear, CALENDAR_YEARS)
    calendar.invalidate()
