"""The monthly rollup: each day's scorecard counts per district and unit (`DayFigures`), so that a month's
figures are a SUM over 30 rows per unit instead of a GROUP BY over the month's tickets (docs/metrics.md,
"The monthly rollup"; docs/scale.md).

A day's rows are recomputed whole from the tickets by the same expressions the live figures use
(`metrics.stored_counts`): never added to, so a recomputed day is exact. Which days to recompute is read
from the ticket events since the last refresh: every change of a ticket writes one (tickets.services), and a
ticket's counts sit on the day of its dispatch, its 退单 on their own days. A changed ticket's days are the
day it is dispatched on now and the days of its dispatch, transfer and return events (the rows it may have
left: a transfer moves it to another day, a district change moves its 退单 too).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from youhu import clock, db
from youhu.tickets.models import Ticket, TicketEvent

from .metrics import Period, dispatched_in, month_of, open_late_q, prefixed, return_events, stored_counts
from .models import DayFigures, RollupState

# The events that place a ticket's counts on a day, key or district: the days they happened on are the rows the
# ticket may have left.
PLACING_ACTIONS = ("dispatch", "district_dispatch", "transfer", "return", "to_district", "return_to_city")
# A refresh reads again the last REWIND events before the previous refresh's newest: a transaction that took
# its event id before that refresh and committed after it is found (1,000 events are minutes of a city's work).
REWIND = 1000
INSERT_BATCH = 2000
# How often the queue refreshes the rollup (tasks.py): the pages say how fresh the figures are.
REFRESH_MINUTES = 10


@dataclass(frozen=True)
class Refreshed:
    days: int  # days recomputed
    rows: int  # rows written
    tickets: int  # changed tickets the events named
    full: bool = False

    def __str__(self) -> str:
        what = "全部重建" if self.full else f"{self.tickets} 件工单有变化"
        return f"考核指标日汇总：{what}，重算 {self.days} 天，写入 {self.rows} 行"


def build(*, now: datetime | None = None) -> Refreshed:
    """Every day again, from the first dispatch or 退单 to the last (`youhu supervision rollup --all`, and nightly)."""
    now = now or clock.now()
    with db.writing():
        state = RollupState.objects.select_for_update().first()  # one refresh or build at a time
        top = _newest_event()
        DayFigures.objects.all().delete()
        days = _span()
        rows = _recompute(days)
        if state is None:
            RollupState.objects.create(built_at=now, refreshed_at=now, events_seen=top)
        else:
            state.built_at, state.refreshed_at, state.events_seen = now, now, top
            state.save(update_fields=["built_at", "refreshed_at", "events_seen"])
    return Refreshed(days=len(days), rows=rows, tickets=0, full=True)


def refresh(*, now: datetime | None = None) -> Refreshed:
    """The days whose tickets changed since the last refresh (`youhu supervision rollup`, every 10 minutes);
    a first refresh builds the whole rollup."""
    now = now or clock.now()
    with db.writing():
        state = RollupState.objects.select_for_update().first()
        if state is None:
            return build(now=now)
        top = _newest_event()
        since = max(0, state.events_seen - REWIND)
        tickets = set(TicketEvent.objects.filter(pk__gt=since, pk__lte=top).values_list("ticket_id", flat=True))
        days = changed_days(tickets)
        rows = _recompute(days)
        state.refreshed_at, state.events_seen = now, top
        state.save(update_fields=["refreshed_at", "events_seen"])
    return Refreshed(days=len(days), rows=rows, tickets=len(tickets))


def recompute_days(first: date, last: date) -> int:
    """The days first..last again (what a busy refresh does; the benchmark times it): rows written."""
    with db.writing():
        return _recompute(_days_between(first, last))


def changed_days(ticket_ids: Iterable[int]) -> set[date]:
    """The local days whose rows the changes of these tickets may have touched."""
    ids = list(ticket_ids)
    days: set[date] = set()
    for chunk in _chunks(ids, 5000):
        moments = list(Ticket.objects.filter(pk__in=chunk, dispatched_at__isnull=False)
                       .values_list("dispatched_at", flat=True))
        moments += TicketEvent.objects.filter(ticket_id__in=chunk, action__in=PLACING_ACTIONS).values_list("at", flat=True)
        days.update(_local_day(moment) for moment in moments)
    return days


def _recompute(days: set[date]) -> int:
    """Delete the rows of `days` and count them again, one run of consecutive days per query."""
    written = 0
    for first, last in _runs(days):
        DayFigures.objects.filter(day__gte=first, day__lte=last).delete()
        written += _insert(_rows(first, last))
    return written


def _rows(first: date, last: date) -> Iterator[DayFigures]:
    """The rows of first..last (days of one month): the tickets' counts and the 退单, merged by (day, district,
    unit)."""
    period = _period(first, last)
    local = timezone.get_default_timezone()
    merged: dict[tuple, DayFigures] = {}
    month_end = month_of(first).end  # first..last are days of one month
    counts = {**stored_counts(), "open_late_at_month_end": Count("id", filter=open_late_q(month_end))}
    tickets = (dispatched_in(period).annotate(n_day=TruncDate("dispatched_at", tzinfo=local))
               .values("n_day", "district_id", "main_unit_id").annotate(**prefixed(counts)))
    for row in tickets:
        figures = DayFigures(day=row["n_day"], district_id=row["district_id"], unit_id=row["main_unit_id"],
                             **{key: row[f"n_{key}"] or 0 for key in counts})
        merged[(figures.day, figures.district_id, figures.unit_id)] = figures
    returns = (return_events(period).annotate(n_day=TruncDate("at", tzinfo=local))
               .values("n_day", "ticket__district_id", "unit_id").annotate(n=Count("id")))
    for row in returns:
        key = (row["n_day"], row["ticket__district_id"], row["unit_id"])
        merged.setdefault(key, DayFigures(day=key[0], district_id=key[1], unit_id=key[2])).returns = row["n"]
    return iter(merged.values())


def _insert(rows: Iterator[DayFigures]) -> int:
    batch, written = [], 0
    for row in rows:
        batch.append(row)
        if len(batch) >= INSERT_BATCH:
            written += len(DayFigures.objects.bulk_create(batch))
            batch = []
    return written + len(DayFigures.objects.bulk_create(batch))


def _span() -> set[date]:
    """Every day from the first dispatch or 退单 to the last."""
    tickets = Ticket.objects.filter(dispatched_at__isnull=False).aggregate(first=Min("dispatched_at"),
                                                                             last=Max("dispatched_at"))
    returns = TicketEvent.objects.filter(action="return").aggregate(first=Min("at"), last=Max("at"))
    moments = [m for m in (tickets["first"], tickets["last"], returns["first"], returns["last"]) if m is not None]
    if not moments:
        return set()
    return _days_between(_local_day(min(moments)), _local_day(max(moments)))


def _newest_event() -> int:
    return TicketEvent.objects.aggregate(top=Max("id"))["top"] or 0


def _period(first: date, last: date) -> Period:
    """[first 00:00, the day after last 00:00) in the district's time zone."""
    tz = timezone.get_default_timezone()
    return Period(start=datetime.combine(first, time(0), tzinfo=tz),
                  end=datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz), label=f"{first} 至 {last}")


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _days_between(first: date, last: date) -> set[date]:
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def _runs(days: set[date]) -> Iterator[tuple[date, date]]:
    """Consecutive days of one month as (first, last) runs (a month's rows count 超期 at its end)."""
    ordered = sorted(days)
    start = previous = None
    for day in ordered:
        if previous is not None and (day != previous + timedelta(days=1) or day.day == 1):
            yield start, previous
            start = None
        start = start or day
        previous = day
    if start is not None:
        yield start, previous


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
