"""Reads for the supervisor's workspace."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from youhu import clock
from youhu.tickets.models import Extension, Status, Ticket

from .metrics import overdue_tickets


def in_district(qs: QuerySet, district_id: int | None, field: str = "district") -> QuerySet:
    """A district's supervisors see their district's tickets (units, streets); the city's (None) every district's
    (docs/levels.md)."""
    return qs.filter(**{f"{field}_id": district_id}) if district_id is not None else qs


def overdue_by_unit(now=None, district_id: int | None = None) -> list[dict]:
    """[{unit name, count}] of open tickets past their deadline, most first (one GROUP BY)."""
    return list(in_district(overdue_tickets(now=now or clock.now()), district_id)
                .values("main_unit_id", "main_unit__name").annotate(n=Count("id")).order_by("-n", "main_unit__name"))


def pending_extensions() -> QuerySet[Extension]:
    return (Extension.objects.filter(state=Extension.State.PENDING)
            .select_related("ticket", "ticket__main_unit", "requested_by").order_by("requested_at"))


def withheld_replies() -> QuerySet[Ticket]:
    return (Ticket.objects.filter(status=Status.REPLIED, reply_withheld=True)
            .select_related("main_unit").order_by("replied_at", "id"))


def awaiting_review() -> QuerySet[Ticket]:
    """Replied tickets the appellant can see, newest first: where a supervisor may send one back."""
    return (Ticket.objects.filter(status=Status.REPLIED, reply_withheld=False)
            .select_related("main_unit").order_by("-replied_at", "-id"))
