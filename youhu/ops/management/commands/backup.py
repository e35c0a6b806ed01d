"""`youhu backup --output FILE`: the database and the uploaded files in one file, while the application runs."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youhu.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库和上传的照片到一个文件（运行中即可备份） (back up the database and the uploaded files)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="备份文件，如 youhu-20261204.tar.gz")

    def handle(self, *args, output: Path, **options) -> None:
        try:
            manifest = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = sum(1 for name in manifest["files"] if name != manifest["database"])
        size = output.stat().st_size / 1e6
        self.stdout.write(f"备份已写入 {output}：{manifest['vendor']} 数据库，{media} 个上传文件，{size:.1f} MB"
                          f" (backup written)")
