"""`youhu report monthly --month 2026-10 --output FILE.xlsx`: the monthly assessment workbook."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from youhu.supervision.metrics import month_period
from youhu.supervision.reports import monthly_workbook
from youhu.tickets.errors import TicketError


class Command(BaseCommand):
    help = "生成考核月报（Excel）：汇总、考核排名、单位明细、超期工单"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["monthly"])
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--output", required=True, help="输出文件 .xlsx")

    def handle(self, *args, **options):
        try:
            period = month_period(options["month"])
            workbook = monthly_workbook(period)
        except TicketError as exc:
            raise CommandError(str(exc)) from exc
        try:
            workbook.save(options["output"])
        except OSError as exc:
            raise CommandError(f"无法写入 {options['output']}：{exc}") from exc
        self.stdout.write(f"{period.label}考核月报已写入 {options['output']}")
