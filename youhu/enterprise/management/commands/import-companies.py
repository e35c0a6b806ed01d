"""youhu import-companies FILE: load the company registry from XLSX or CSV (idempotent by USCC)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from youhu.enterprise.importer import ImportFileError, import_companies, write_error_report


class Command(BaseCommand):
    help = "从 XLSX/CSV 导入企业名录（按统一社会信用代码去重，重复导入只更新）"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--report", type=Path, help="拒绝行报告的路径（默认：FILE.errors.csv）")

    def handle(self, *args, file: Path, report: Path | None, **options):
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            with file.open("rb") as stream:
                result = import_companies(file.name, stream)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
        if result.errors:
            path = report or file.with_name(file.name + ".errors.csv")
            write_error_report(result, path)
            for error in result.errors:
                self.stdout.write(f"  第 {error.row} 行 [{error.column}] {error.message}")
            self.stdout.write(f"拒绝行报告：{path}")
