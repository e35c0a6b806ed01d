"""Deadline arithmetic on the Chinese working calendar.

Days listed in CalendarDay override the weekday rule; on a city's deployment a district's own DistrictDay
rows override both for that district's tickets (`district_id`, docs/levels.md). A year with no confirmed
schedule is computed on plain weekdays, and every result that relied on such a year says so (`estimated`).
"""

from __future__ import annotations

import hashlib
import threading
import time as _time
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

# Other processes (an admin edit on another app server) are seen within this many seconds.
_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class Deadline:
    at: datetime
    estimated: bool


@dataclass(frozen=True)
class _Snapshot:
    overrides: dict[date, bool]  # date -> is working day
    district_overrides: dict[int, dict[date, bool]]  # district id -> its own exceptions
    confirmed_years: frozenset[int]
    loaded_at: float


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def invalidate() -> None:
    global _snapshot
    with _lock:
        _snapshot = None


def calendar_changed(**kwargs) -> None:
    """Any edit through the ORM (admin, a command, a data fix) is used by the next calculation here;
    other processes see it within the calendar's cache period (connected in `WorkdaysConfig.ready`)."""
    invalidate()


def _load() -> _Snapshot:
    global _snapshot
    snap = _snapshot
    if snap is not None and _time.monotonic() - snap.loaded_at < _CACHE_SECONDS:
        return snap
    from .models import CalendarDay, CalendarYear, DistrictDay

    overrides = {
        d: kind == CalendarDay.Kind.MAKEUP_WORKDAY for d, kind in CalendarDay.objects.values_list("date", "kind")
    }
    by_district: dict[int, dict[date, bool]] = {}
    for district_id, d, kind in DistrictDay.objects.values_list("district_id", "date", "kind"):
        by_district.setdefault(district_id, {})[d] = kind == CalendarDay.Kind.MAKEUP_WORKDAY
    years = frozenset(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))
    snap = _Snapshot(overrides, by_district, years, _time.monotonic())
    with _lock:
        _snapshot = snap
    return snap


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def is_confirmed_year(year: int) -> bool:
    return year in _load().confirmed_years


_digest: tuple[_Snapshot | None, str] = (None, "")


def fingerprint() -> str:
    """A digest of which days are working days (the city's exceptions and every district's): equal digests, equal
    calendars. The escalation pass works out its moments ahead of time and compares this to know when to redo them."""
    global _digest
    snap = _load()
    seen, digest = _digest
    if seen is not snap:
        days = (sorted(snap.overrides.items()),
                sorted((district, sorted(own.items())) for district, own in snap.district_overrides.items()))
        digest = hashlib.sha256(repr(days).encode()).hexdigest()
        _digest = (snap, digest)
    return digest


def is_working_day(day: date, district_id: int | None = None) -> bool:
    snap = _load()
    if district_id is not None:
        own = snap.district_overrides.get(district_id, {}).get(day)
        if own is not None:
            return own
    override = snap.overrides.get(day)
    if override is not None:
        return override
    return day.weekday() < 5


def _office_periods() -> list[tuple[time, time]]:
    return [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in settings.YOUHU["OFFICE_HOURS"]]


def _closing_time() -> time:
    return _office_periods()[-1][1]


def add_working_days(start: datetime, days: int, district_id: int | None = None) -> Deadline:
    """End of office hours on the `days`-th working day after the day of `start` (in the district's calendar)."""
    if days < 0:
        raise ValueError("days must not be negative")
    tz = local_tz()
    day = timezone.localtime(start, tz).date()
    estimated = not is_confirmed_year(day.year)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        estimated = estimated or not is_confirmed_year(day.year)
        if is_working_day(day, district_id):
            remaining -= 1
    return Deadline(datetime.combine(day, _closing_time(), tzinfo=tz), estimated)


def add_office_minutes(start: datetime, minutes: int, district_id: int | None = None) -> Deadline:
    """The moment `minutes` of office time have passed since `start` (in the district's calendar)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    tz = local_tz()
    cursor = timezone.localtime(start, tz)
    remaining = timedelta(minutes=minutes)
    estimated = False
    for _ in range(3660):  # ten years of days: a calendar with no working day at all is a data error
        day = cursor.date()
        estimated = estimated or not is_confirmed_year(day.year)
        if is_working_day(day, district_id):
            for begin, end in _office_periods():
                period_start = max(cursor, datetime.combine(day, begin, tzinfo=tz))
                period_end = datetime.combine(day, end, tzinfo=tz)
                if period_start >= period_end:
                    continue
                available = period_end - period_start
                if remaining <= available:
                    return Deadline(period_start + remaining, estimated)
                remaining -= available
        cursor = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    raise RuntimeError("the calendar has no working day in ten years; check the holiday table")


def working_days_between(start: datetime, end: datetime, district_id: int | None = None) -> int:
    """Working days from the day after `start` up to and including the day of `end` (0 if same day)."""
    tz = local_tz()
    a, b = timezone.localtime(start, tz).date(), timezone.localtime(end, tz).date()
    if b <= a:
        return 0
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        if is_working_day(day, district_id):
            count += 1
    return count


def add_working_days_to_date(day: date, days: int, district_id: int | None = None) -> date:
    """The `days`-th working day after `day` (for day-level rules such as the 书面通报 delay)."""
    tz = local_tz()
    return add_working_days(datetime.combine(day, time(12, 0), tzinfo=tz), days, district_id).at.date()


def working_day_before(day: date, days: int, district_id: int | None = None) -> date:
    """The `days`-th working day before `day` (for "remind N working days before the deadline"), in the
    district's calendar."""
    if days < 0:
        raise ValueError("days must not be negative")
    remaining = days
    while remaining > 0:
        day -= timedelta(days=1)
        if is_working_day(day, district_id):
            remaining -= 1
    return day


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the district's time zone."""
    return datetime.combine(day, time(0, 0), tzinfo=local_tz())
