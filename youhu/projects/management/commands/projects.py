"""`youhu projects import FILE.xlsx | report --month YYYY-MM --output FILE.xlsx | escalate`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from youhu import clock
from youhu.projects.escalation import run_pass
from youhu.projects.importer import ImportFileError, import_projects
from youhu.projects.report import parse_month, write_report


class Command(BaseCommand):
    help = "重点项目：import 导入项目与节点（Excel），report 生成月度报表，escalate 督办超期节点与缺报月报"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入 Excel（工作表“项目”和“节点”），按项目编号去重")
        imp.add_argument("file", type=Path)
        rep = sub.add_parser("report", help="月度报表")
        rep.add_argument("--month", required=True, help="YYYY-MM")
        rep.add_argument("--output", required=True, type=Path)
        sub.add_parser("escalate", help="一轮督办：超期节点、缺报月报")

    def handle(self, *args, action: str, **options):
        if action == "import":
            self._import(options["file"])
        elif action == "report":
            try:
                month = parse_month(options["month"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            path = write_report(month, options["output"], now=clock.now())
            self.stdout.write(f"已生成 {path}")
        else:
            self.stdout.write(str(run_pass(clock.now())))

    def _import(self, file: Path) -> None:
        if not file.is_file():
            raise CommandError(f"文件不存在 / no such file：{file}")
        try:
            result = import_projects(file)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
        for e in result.errors:
            self.stdout.write(f"  [{e.sheet}] 第 {e.row} 行 [{e.column}] {e.message}")
