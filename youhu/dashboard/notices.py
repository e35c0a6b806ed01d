"""The dashboard's one write: supervisors are told of a surge once (dashboard.tasks runs this every few minutes).

A surge is a street's or a first-level category's intake today above the rule of `selectors.surges` (read from the
intake rollup, whose today this job counts again first); its window is that day. The notice goes once per (day, street or category): the job runs on every worker's schedule, so
`notify.outbox.first_time` decides, in the same transaction as the notice.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from youhu import clock, db
from youhu.directory.models import District, Role, User
from youhu.notify import outbox
from youhu.tickets import services as tickets

from .rollup import roll_today
from .selectors import surges

DIMENSIONS = {"street": "街道", "category": "类别"}


def surge_key(day: str, surge: dict, district_id: int | None = None) -> str:
    scope = "" if district_id is None else f"d{district_id}:"
    return f"supervisor.surge:{day}:{scope}{surge['dimension']}:{surge['name']}"


def surge_message(surge: dict) -> str:
    return (f"{DIMENSIONS.get(surge['dimension'], '')}“{surge['name']}”今日诉求激增：已收 {surge['today']} 件，"
            f"近 28 天日均 {surge['baseline_mean']:.1f} 件")


def tell_surges(now: datetime | None = None) -> int:
    """Tell the supervisors (inbox; SMS / e-mail for those who opted in) of each surge not yet told today: each
    district's supervisors of their district's surges, the city's of the surges counted over the whole city —
    what each one's dashboard shows (docs/levels.md)."""
    now = now or clock.now()
    roll_today(now)  # today's counts as of now, not of the last minutely refresh: a surge is told at once
    district_ids = list(District.objects.filter(active=True).values_list("pk", flat=True))
    return sum(_tell_level(now, district_id) for district_id in (None, *district_ids))


def _supervisors(district_id: int | None) -> list[User]:
    """The active supervisors working at that level (None: the city's, and everyone's on a one-district
    deployment)."""
    level = Q(unit__isnull=True) | Q(unit__district__isnull=True) if district_id is None \
        else Q(unit__district_id=district_id)
    return list(User.objects.filter(level, is_active=True, role_grants__role=Role.SUPERVISOR).distinct())


def _tell_level(now: datetime, district_id: int | None) -> int:
    found = surges(now, district_id=district_id)
    if not found:
        return 0
    day = f"{timezone.localdate(now):%Y-%m-%d}"
    supervisors = _supervisors(district_id)
    told = 0
    for surge in found:
        with db.writing():
            if not outbox.first_time(surge_key(day, surge, district_id), now):
                continue
            message = surge_message(surge)
            tickets.notify(ticket=None, kind="surge", now=now, users=supervisors, message=message)
            outbox.tell(outbox.Notice("supervisor.surge", message=message, path=reverse("dashboard:home"),
                                      user_ids=tuple(u.pk for u in supervisors)), now=now)
        told += 1
    return told
