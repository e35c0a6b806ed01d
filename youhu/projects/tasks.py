"""The projects room's periodic work on the queue (`youhu run_huey`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .escalation import run_pass


@db_periodic_task(crontab(minute="7", hour="*"))
def escalate_projects() -> str:
    """Hourly: overdue nodes and missing monthly reports are escalated once each."""
    return str(run_pass())
