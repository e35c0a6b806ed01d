"""`youhu supervision rollup [--all]`: bring the scorecards' daily rollup up to date (the days whose tickets
changed since the last refresh), or build it again whole (docs/metrics.md, "The monthly rollup")."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from youhu.supervision import rollup


class Command(BaseCommand):
    help = "考核指标日汇总：更新有变化的日期（--all 全部重建）"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["rollup"])
        parser.add_argument("--all", action="store_true", help="全部重建（首次使用、批量改数据之后）")

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = rollup.build() if options["all"] else rollup.refresh()
        self.stdout.write(f"{result}（{time.perf_counter() - started:.1f} 秒）")
