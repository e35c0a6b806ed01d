"""The dashboard's periodic work on the queue (`youhu run_huey`): its rollups and stored figures are brought up
to date here, never by a request (docs/scale.md, "Dashboard rollup")."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import rollup, stored
from .notices import tell_surges


@db_periodic_task(crontab(minute="*"))
def refresh_dashboard_rollup() -> bool:
    """Every minute: today's and yesterday's intake and the open work (the whole history, the first time)."""
    return rollup.refresh()


@db_periodic_task(crontab(hour="3", minute="40"))
def reroll_recent_days() -> int:
    """Nightly: the last 90 days' intake again, with the districts, streets and categories tickets have now."""
    return rollup.reroll_recent()


@db_periodic_task(crontab(minute="*/5"))
def compute_figures() -> int:
    """Every five minutes: every scope's hotspots and 三率 (hotspots form over days, not minutes)."""
    return stored.compute_all()


@db_task()
def compute_scope(district_id: int | None) -> bool:
    """One scope's stored figures, asked for by the first request that found none."""
    return stored.compute_scope(district_id)


@db_periodic_task(crontab(minute="*/5"))
def tell_new_surges() -> int:
    """Every five minutes: a surge reaches the supervisors within minutes of crossing the rule, once."""
    return tell_surges()
