"""`youhu triage-pending [--loop] [--interval S]`: triage queued tickets (imports, deferred intake)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from youhu.intake.services import triage_pending


class Command(BaseCommand):
    help = "Triage tickets waiting in the intake queue; with --loop, keep doing so."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds to wait when the queue is empty")
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, loop: bool, interval: float, limit: int, **options) -> None:
        while True:
            done, failed = triage_pending(limit=limit)
            if done or failed:
                self.stdout.write(f"已分拣 {done}，失败 {failed}")
            if not loop:
                if done == failed == 0:
                    self.stdout.write("队列为空")
                return
            if done + failed < limit:
                time.sleep(interval)
