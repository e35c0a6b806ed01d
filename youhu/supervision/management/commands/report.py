"""`youhu report monthly --month 2026-10 --output FILE.xlsx [--district ADCODE]`: the monthly assessment
workbook, of the whole city or of one district (docs/levels.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from youhu.directory.models import District
from youhu.supervision.metrics import month_period
from youhu.supervision.reports import monthly_workbook
from youhu.tickets.errors import TicketError


class Command(BaseCommand):
    help = "生成考核月报（Excel）：汇总、考核排名、单位明细、超期工单"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["monthly"])
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--output", required=True, help="输出文件 .xlsx")
        parser.add_argument("--district", default="", help="区划代码（adcode）：只含该区；不填为全市（含各区排名）")

    def handle(self, *args, **options):
        try:
            period = month_period(options["month"])
            workbook = monthly_workbook(period, district=self._district(options["district"]))
        except TicketError as exc:
            raise CommandError(str(exc)) from exc
        try:
            workbook.save(options["output"])
        except OSError as exc:
            raise CommandError(f"无法写入 {options['output']}：{exc}") from exc
        self.stdout.write(f"{period.label}考核月报已写入 {options['output']}")

    @staticmethod
    def _district(code: str) -> District | None:
        if not code:
            return None
        try:
            return District.objects.get(code=code)
        except District.DoesNotExist:
            raise CommandError(f"--district：没有区划代码为 {code} 的区") from None
