"""The dashboard's periodic work on the queue (`youhu run_huey`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .notices import tell_surges


@db_periodic_task(crontab(minute="*/5"))
def tell_new_surges() -> int:
    """Every five minutes: a surge reaches the supervisors within minutes of crossing the rule, once."""
    return tell_surges()
