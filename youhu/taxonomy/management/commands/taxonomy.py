"""`youhu taxonomy load FILE`: load the three-level category tree from a CSV file."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youhu.taxonomy.loaders import TaxonomyFileError, load_taxonomy


class Command(BaseCommand):
    help = "诉求分类管理：load FILE 从 CSV（level1,level2,level3）导入三级分类（可重复执行）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="导入分类 CSV 文件")
        load.add_argument("file", help="CSV 文件路径，列为 level1,level2,level3")

    def handle(self, *args, action: str, **options) -> None:
        if action == "load":
            try:
                counts = load_taxonomy(options["file"])
            except TaxonomyFileError as exc:
                raise CommandError(str(exc)) from exc
            levels = counts.created_by_level
            self.stdout.write(
                f"分类导入完成：文件 {counts.rows} 条三级分类；新建 {counts.created} 个"
                f"（一级 {levels[1]}、二级 {levels[2]}、三级 {levels[3]}），已存在 {counts.existing} 个。"
            )
