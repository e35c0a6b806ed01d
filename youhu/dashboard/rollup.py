"""The dashboard's rollups, derived from the tickets (docs/scale.md, "Dashboard rollup"): the intake per local
day (`ChannelDay`, `StreetDay`, `CategoryDay`) and the open work now (`OpenWork`).

When they are brought up to date (`dashboard.tasks`):
- every minute, `refresh`: today's and yesterday's intake rows, and the open work; the first refresh of a
  database (no rows yet) builds every day since the first ticket;
- every night, `reroll_recent`: the last `RECHECK_DAYS` days again. A ticket's district, street and category
  may change after the day it came in (派至区, a corrected street, the category triage or a dispatcher sets);
  the page reads at most 90 days back, so older days never need it;
- `youhu dashboard rollup --all`: every day again, when wanted (an import of old appeals, a category moved in
  the tree: rows hold first-level categories as the tree was when they were counted).

A day's rows are replaced whole (delete, insert) in one transaction holding the rollup's `Refresh` row; a second
worker finding it held skips its refresh (the first is doing the same work) rather than wait, so that no queue
worker is ever stuck behind a long build while appeals wait for triage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from youhu import clock, db
from youhu.taxonomy.models import Category
from youhu.tickets.models import OPEN_STATUSES, Status, Ticket

from .models import CategoryDay, ChannelDay, IntakeDay, OpenWork, Refresh, StreetDay
from .selectors import day_start, overdue_q

INTAKE, OPEN = "intake", "open"
LIVE_DAYS = 2  # today and yesterday: a ticket that came in just before midnight is still being classified
RECHECK_DAYS = 90  # the page's longest window (figures.TREND_DAYS)
CHUNK_DAYS = 31  # a full build reads the tickets a month at a time (an index range each, bounded results)


@contextmanager
def _locked(name: str) -> Iterator[Refresh | None]:
    """The rollup's write section, holding its `Refresh` row; None when another worker holds it now."""
    with db.writing():  # its own short transaction: a build holding a new row's insert would block the others
        Refresh.objects.get_or_create(name=name)
    with db.writing():
        yield Refresh.objects.select_for_update(skip_locked=True).filter(name=name).first()


def refresh(now: datetime | None = None) -> bool:
    """The minutely refresh: today's and yesterday's intake (every day, the first time) and the open work.
    False when another worker was already refreshing."""
    now = now or clock.now()
    with _locked(INTAKE) as state:
        if state is None:
            return False
        today = timezone.localdate(now)
        first = today - timedelta(days=LIVE_DAYS - 1) if state.at is not None else _first_day(today)
        _roll(first, today)
        _stamp(state, now)
    return refresh_open(now)


def rebuild(now: datetime | None = None) -> int:
    """Every day since the first ticket again, and the open work (`youhu dashboard rollup --all`): the rows
    written, or -1 when another worker was refreshing."""
    now = now or clock.now()
    with _locked(INTAKE) as state:
        if state is None:
            return -1
        today = timezone.localdate(now)
        written = _roll(_first_day(today), today)
        _stamp(state, now)
    refresh_open(now)
    return written


def reroll_recent(now: datetime | None = None) -> int:
    """The nightly pass: the last RECHECK_DAYS days again (late changes of a ticket's district, street or
    category); the rows written, or -1 when another worker was refreshing."""
    now = now or clock.now()
    with _locked(INTAKE) as state:
        if state is None:
            return -1
        today = timezone.localdate(now)
        written = _roll(today - timedelta(days=RECHECK_DAYS - 1), today)
        _stamp(state, now)
    return written


def roll_today(now: datetime) -> None:
    """Today's intake rows only (the surge notices read them: they must not wait for the next refresh). The
    refresh stamp is left alone: a rollup never built is still built whole by the next refresh."""
    with _locked(INTAKE) as state:
        if state is not None:
            today = timezone.localdate(now)
            _roll(today, today)


def refresh_open(now: datetime | None = None) -> bool:
    """Count the open work again: open, overdue (at `now`) and replied, by district, street and main unit."""
    now = now or clock.now()
    with _locked(OPEN) as state:
        if state is None:
            return False
        rows = (Ticket.objects.filter(status__in=(*OPEN_STATUSES, Status.REPLIED))
                .values("district_id", "street_id", "main_unit_id").order_by()
                # counts of `status` (never null), not of `id`: the index ticket_open_work holds it, so it answers
                # the whole query without the rows
                .annotate(open=Count("status", filter=Q(status__in=OPEN_STATUSES)),
                          overdue=Count("status", filter=overdue_q(now)),
                          replied=Count("status", filter=Q(status=Status.REPLIED))))
        OpenWork.objects.all().delete()
        OpenWork.objects.bulk_create(
            [OpenWork(district_id=r["district_id"], street_id=r["street_id"], unit_id=r["main_unit_id"],
                      open=r["open"], overdue=r["overdue"], replied=r["replied"]) for r in rows], batch_size=1000)
        _stamp(state, now)
    return True


def refreshed_at() -> datetime | None:
    """When the rollups' figures were counted: the older of the two; None until both have been built."""
    at = dict(Refresh.objects.filter(name__in=(INTAKE, OPEN)).values_list("name", "at"))
    if at.get(INTAKE) is None or at.get(OPEN) is None:
        return None
    return min(at[INTAKE], at[OPEN])


def _stamp(state: Refresh, now: datetime) -> None:
    state.at = now
    state.save(update_fields=["at"])


def _first_day(today: date) -> date:
    first = Ticket.objects.aggregate(first=Min("created_at"))["first"]
    return min(timezone.localdate(first), today) if first else today


def _roll(first: date, last: date) -> int:
    """Replace the intake rows of the days first..last with the tickets' counts; returns the rows written."""
    for model in (ChannelDay, StreetDay, CategoryDay):
        model.objects.filter(day__gte=first, day__lte=last).delete()
    roots = _root_ids()
    written = 0
    start = first
    while start <= last:
        end = min(start + timedelta(days=CHUNK_DAYS - 1), last)
        rows = _counted(start, end, roots)
        for model in rows:
            model.objects.bulk_create(rows[model], batch_size=2000)
            written += len(rows[model])
        start = end + timedelta(days=1)
    return written


def _counted(first: date, last: date, roots: dict[int, int]) -> dict[type[IntakeDay], list[IntakeDay]]:
    """The rows of first..last, by channel, street and first-level category: three grouped reads of the days'
    tickets (an index range on created_at)."""
    tickets = (Ticket.objects.filter(created_at__gte=day_start(first), created_at__lt=day_start(last + timedelta(days=1)))
               .annotate(day=TruncDate("created_at")).order_by())
    channels = [ChannelDay(day=r["day"], district_id=r["district_id"], channel=r["channel"], count=r["n"])
                for r in tickets.values("day", "district_id", "channel").annotate(n=Count("pk"))]
    streets = [StreetDay(day=r["day"], district_id=r["district_id"], street_id=r["street_id"], count=r["n"])
               for r in tickets.filter(street__isnull=False).values("day", "district_id", "street_id")
               .annotate(n=Count("pk"))]
    by_root: Counter[tuple[date, int | None, int | None]] = Counter()
    for r in tickets.values("day", "district_id", "category_id").annotate(n=Count("pk")):
        by_root[(r["day"], r["district_id"], roots.get(r["category_id"]))] += r["n"]
    categories = [CategoryDay(day=day, district_id=district_id, category_id=root, count=n)
                  for (day, district_id, root), n in by_root.items()]
    return {ChannelDay: channels, StreetDay: streets, CategoryDay: categories}


def _root_ids() -> dict[int, int]:
    """Category id -> the id of its first-level ancestor (the tree is small; one query)."""
    parents = dict(Category.objects.values_list("id", "parent_id"))
    roots: dict[int, int] = {}
    for pk in parents:
        node = pk
        while parents[node] in parents:
            node = parents[node]
        roots[pk] = node
    return roots
