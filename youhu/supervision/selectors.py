"""Reads for the supervisor's workspace. Each list takes the viewer's district (None: the city's, every district;
docs/levels.md) and filters by it itself, so no caller can forget to."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, QuerySet

from youhu import clock
from youhu.directory.models import Unit
from youhu.tickets.models import Extension, Status, Ticket
from youhu.tickets.selectors import reply_overdue_q


def in_district(qs: QuerySet, district_id: int | None, field: str = "district") -> QuerySet:
    """A district's supervisors see their district's tickets (units, streets); the city's (None) every district's
    (docs/levels.md)."""
    return qs.filter(**{f"{field}_id": district_id}) if district_id is not None else qs


def overdue_tickets(*, district_id: int | None, now: datetime | None = None,
                    unit: Unit | None = None) -> QuerySet[Ticket]:
    """Open tickets past their reply deadline, most overdue first (the supervisor's work list)."""
    qs = in_district(Ticket.objects.filter(reply_overdue_q(now or clock.now())), district_id)
    if unit is not None:
        qs = qs.filter(main_unit_id__in=unit.subtree_ids())
    return qs.select_related("main_unit", "category", "street").order_by("reply_due", "id")


def overdue_by_unit(*, district_id: int | None, now: datetime | None = None) -> list[dict]:
    """[{unit name, count}] of open tickets past their deadline, most first (one GROUP BY)."""
    return list(overdue_tickets(district_id=district_id, now=now)
                .values("main_unit_id", "main_unit__name").annotate(n=Count("id")).order_by("-n", "main_unit__name"))


def pending_extensions(*, district_id: int | None) -> QuerySet[Extension]:
    return (in_district(Extension.objects.filter(state=Extension.State.PENDING), district_id, "ticket__district")
            .select_related("ticket", "ticket__main_unit", "requested_by").order_by("requested_at"))


def withheld_replies(*, district_id: int | None) -> QuerySet[Ticket]:
    return (in_district(Ticket.objects.filter(status=Status.REPLIED, reply_withheld=True), district_id)
            .select_related("main_unit").order_by("replied_at", "id"))


def awaiting_review(*, district_id: int | None) -> QuerySet[Ticket]:
    """Replied tickets the appellant can see, newest first: where a supervisor may send one back."""
    return (in_district(Ticket.objects.filter(status=Status.REPLIED, reply_withheld=False), district_id)
            .select_related("main_unit").order_by("-replied_at", "-id"))
