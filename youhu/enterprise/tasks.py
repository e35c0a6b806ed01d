"""The company service's periodic work on the queue (`youhu run_huey`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import tell_visits_due


@db_periodic_task(crontab(hour="8", minute="30"))
def remind_visits_due() -> int:
    """Every morning at 08:30, at the start of the working day: each officer's planned visits due or overdue."""
    return tell_visits_due()
