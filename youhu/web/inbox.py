"""The in-app inbox: messages addressed to the user or to the user's unit."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from youhu.directory.models import User
from youhu.tickets.models import Notification


def notifications_for(user: User) -> QuerySet[Notification]:
    mine = Q(user=user)
    if user.unit_id:
        mine |= Q(unit_id=user.unit_id)
    return Notification.objects.filter(mine)


def unread_count(user: User) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()
