"""The supervision room's periodic work on the queue (`youhu run_huey`): the scorecards' daily rollup."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import rollup


@db_periodic_task(crontab(minute=f"*/{rollup.REFRESH_MINUTES}"))
def refresh_scorecard_rollup() -> str:
    """Every 10 minutes: the days whose tickets changed are counted again (the first run builds it all)."""
    return str(rollup.refresh())


@db_periodic_task(crontab(hour="3", minute="40"))
def rebuild_scorecard_rollup() -> str:
    """Nightly: every day again, for changes made outside the services (SQL by hand, a bulk fix-up)."""
    return str(rollup.build())
