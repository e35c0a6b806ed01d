"""Periodic work on the queue: the platform figures of the open periods, refreshed daily; reminders to
units whose figures are overdue."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from youhu import clock

from .auto import autofill, open_periods
from .models import Period
from .services import remind_overdue


@db_periodic_task(crontab(hour="2", minute="20"))
def autofill_open_periods() -> int:
    return sum(autofill(period) for period in open_periods(timezone.localdate(clock.now())))


@db_periodic_task(crontab(hour="9", minute="10"))
def remind_overdue_units() -> int:
    """催报: the units whose figures are missing after a deadline of the last year, every morning."""
    today = timezone.localdate(clock.now())
    recent = Period.objects.filter(deadline__lt=today, deadline__gte=today.replace(year=today.year - 1))
    return sum(remind_overdue(period) for period in recent)
