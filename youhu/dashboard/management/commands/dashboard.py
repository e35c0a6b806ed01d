"""`youhu dashboard rollup [--all] | figures`: bring the dashboard's rollups and stored figures up to date now,
as the queue does every minute and every five minutes (after a restore, an import of old appeals, for a bench)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from youhu.dashboard import rollup, stored


class Command(BaseCommand):
    help = "指挥大屏：rollup 刷新统计汇总（--all 全部历史重算），figures 计算热点与三率"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        roll = sub.add_parser("rollup", help="今日、昨日受理与在办汇总；--all 重算全部历史")
        roll.add_argument("--all", action="store_true", dest="everything", help="every day since the first ticket")
        sub.add_parser("figures", help="各区与全市的热点、三率")

    def handle(self, *args, action: str, everything: bool = False, **options):
        started = time.perf_counter()
        if action == "figures":
            done = f"{stored.compute_all()} scopes"
        elif everything:
            written = rollup.rebuild()
            if written < 0:
                raise CommandError("another worker is refreshing the rollup now: try again in a minute")
            done = f"{written} rows"
        else:
            done = "refreshed" if rollup.refresh() else "skipped: another worker is refreshing it"
        self.stdout.write(f"dashboard {action}: {done} in {time.perf_counter() - started:.1f} s")
