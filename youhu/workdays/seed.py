"""Seed the calendar table from the maintained `holidays` package (CN)."""

from __future__ import annotations

from datetime import date

import holidays


def package_confirmed_years() -> set[int]:
    """Years for which the package knows the State Council's 调休 schedule."""
    return set(holidays.country_holidays("CN").special_public_holidays)  # type: ignore[attr-defined]


def package_days(years: range) -> list[tuple[date, str, str]]:
    """(date, kind, name) for every non-weekday holiday and every weekend make-up working day."""
    cn = holidays.country_holidays("CN", years=list(years))
    rows = [(d, "holiday", str(name)[:128]) for d, name in cn.items() if d.weekday() < 5]
    rows += [(d, "makeup_workday", "调休上班") for d in cn.weekend_workdays if d.year in years]
    return sorted(rows)


def seed(CalendarDay, CalendarYear, years: range) -> int:  # noqa: N803 - models passed in by migrations
    """Insert the package's days of confirmed years that are not in the table yet.

    Unconfirmed years are left out on purpose: they are computed on plain weekdays and flagged,
    rather than on a half-known schedule without its 调休 days. Admin edits are never overwritten.
    """
    confirmed = sorted(package_confirmed_years() & set(years))
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    new = [
        CalendarDay(date=d, kind=kind, name=name, source="package")
        for year in confirmed
        for d, kind, name in package_days(range(year, year + 1))
        if d not in existing
    ]
    CalendarDay.objects.bulk_create(new)
    for year in confirmed:
        CalendarYear.objects.get_or_create(year=year, defaults={"note": "holidays 软件包"})
    return len(new)
