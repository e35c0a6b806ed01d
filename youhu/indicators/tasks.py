"""Periodic work on the queue: the platform figures of the open periods, refreshed daily."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from youhu import clock

from .auto import autofill, open_periods


@db_periodic_task(crontab(hour="2", minute="20"))
def autofill_open_periods() -> int:
    return sum(autofill(period) for period in open_periods(timezone.localdate(clock.now())))
