"""Reads: which tickets a user may see, and how much of the appellant's data."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from youhu.directory.models import Role, User

from .errors import InvalidInput
from .masking import mask_name, mask_phone
from .models import Extension, Status, Ticket, TicketUnit
from .policy import CENTRE_ROLES, UNIT_ROLES


def reply_overdue_q(as_of: datetime) -> Q:
    """超期: dispatched or in hand, and past the reply deadline at `as_of` — the one definition of overdue."""
    return Q(status__in=(Status.DISPATCHED, Status.HANDLING), reply_due__lt=as_of)


def level_tickets(user: User) -> QuerySet[Ticket]:
    """Where every view of the tickets starts (docs/levels.md): a district's staff see their district's tickets
    only; the city's staff, and everyone on a deployment of one district, every ticket."""
    district_id = user.district_id
    return Ticket.objects.all() if district_id is None else Ticket.objects.filter(district_id=district_id)


def at_level(qs: QuerySet[Ticket], user: User) -> QuerySet[Ticket]:
    """The tickets of `qs` the user's own level holds now: a dispatcher's queues (the city's are the tickets
    not sent to any district)."""
    return qs.filter(district_id=user.district_id)


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """The centre sees every ticket; a unit sees the tickets its unit (or a unit below it) leads or
    co-handles — never another unit's, unless it was shared with it as co-handler. Both within the user's
    level (`level_tickets`)."""
    qs = level_tickets(user)
    if user.has_role(*CENTRE_ROLES):
        return qs
    if not user.unit_id or not user.has_role(*UNIT_ROLES, Role.SERVICE_OFFICER):
        return qs.none()
    return qs.filter(unit_tickets_q(user.unit.subtree_ids()))


def unit_tickets_q(unit_ids: list[int]) -> Q:
    """The tickets these units lead or co-handle — the one place where how that is asked is chosen.

    The shared half is a correlated EXISTS on PostgreSQL: a probe of tickets_ticketunit's ticket index
    for each row the rest of the query keeps (and none where the main unit already matches), so the
    query's own indexes choose the rows. The uncorrelated `id IN (links)` it replaces was re-scanned per
    row once a big unit's links outgrew work_mem, and a UNION of both halves is computed whole before
    any other filter applies (docs/scale.md). SQLite keeps the IN: it planned the EXISTS as a scan of
    every ticket with a subquery each (0.5 s for one count on the 2,000-ticket demo; 12 ms with IN)."""
    led = Q(main_unit_id__in=unit_ids)
    links = TicketUnit.objects.filter(unit_id__in=unit_ids, active=True)
    if connection.vendor == "postgresql":
        # `ticket_id <= pk` beside `ticket_id = pk` changes no answer but keeps the probe a probe: with only the
        # equality PostgreSQL may plan the EXISTS as a hashed set of every active link of the unit instead
        # (97 k rows read and hashed per query for 住建局 at 1 M tickets, 0.35 s; it does so while the set fits
        # in work_mem, i.e. up to a few million tickets), and a correlated non-equality rules that form out.
        return led | Q(Exists(links.filter(ticket=OuterRef("pk"), ticket_id__lte=OuterRef("pk"))))
    return led | Q(pk__in=links.values("ticket_id"))


def can_view(user: User, ticket: Ticket) -> bool:
    return visible_tickets(user).filter(pk=ticket.pk).exists()


def can_see_personal_data(user: User, ticket: Ticket) -> bool:
    """Dispatchers take the call and the main unit must call back; nobody else needs the contact."""
    if user.has_role(Role.DISPATCHER, Role.ADMIN):
        return True
    return bool(user.unit_id) and user.unit_id == ticket.main_unit_id and user.has_role(*UNIT_ROLES)


def appellant_for(user: User, ticket: Ticket) -> dict[str, str]:
    if can_see_personal_data(user, ticket):
        return {"name": ticket.appellant_name, "phone": ticket.appellant_phone}
    return {"name": mask_name(ticket.appellant_name), "phone": mask_phone(ticket.appellant_phone)}


def merge_target(user: User, number: str | None) -> Ticket:
    """The master ticket a duplicate is merged into, by its number, among the tickets `user` may see."""
    number = (number or "").strip()
    if not number:
        raise InvalidInput("请填写主件工单编号", field="into")
    into = visible_tickets(user).filter(number=number).first()
    if into is None:
        raise InvalidInput(f"找不到工单 {number[:40]}", field="into")
    return into


def pending_extension(ticket: Ticket, pk: int | None = None) -> Extension | None:
    """The ticket's pending extension request (`pk`, or the newest), if any."""
    pending = ticket.extensions.filter(state=Extension.State.PENDING).order_by("-requested_at")
    return (pending.filter(pk=pk) if pk else pending).first()
