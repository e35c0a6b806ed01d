"""The in-app inbox: messages addressed to the user or to the user's unit."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from youhu import clock
from youhu.directory.models import User
from youhu.tickets.models import Notification, Ticket


def notifications_for(user: User) -> QuerySet[Notification]:
    mine = Q(user=user)
    if user.unit_id:
        mine |= Q(unit_id=user.unit_id)
    return Notification.objects.filter(mine)


def unread_count(user: User) -> int:
    """The badge on every staff page: two counts, each answered by a partial index of the unread rows
    (`user = … OR unit = …` is one scan of every message the unit ever had, read or not)."""
    unread = Notification.objects.filter(read_at__isnull=True)
    count = unread.filter(user=user).count()
    if user.unit_id:
        count += unread.filter(unit_id=user.unit_id).exclude(user=user).count()
    return count


def mark_read(user: User, *, ids: list[int] | None = None, ticket: Ticket | None = None,
              now: datetime | None = None) -> int:
    """Mark the user's unread messages read: the given ones, those about one ticket, or all of them.
    A unit's message is one row for the whole unit, so one member reading it marks it for all."""
    qs = notifications_for(user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if ticket is not None:
        qs = qs.filter(ticket=ticket)
    return qs.update(read_at=now or clock.now())
