"""`youhu restore FILE [--force]`: put a backup made by `youhu backup` back (into an empty database)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youhu.ops.backup import BackupError, restore_backup

LABELS = {"tickets": "工单", "events": "工单事件", "users": "用户", "companies": "企业", "units": "单位"}


class Command(BaseCommand):
    help = "从 youhu backup 的备份文件恢复数据库和上传的照片（目标库须为空，否则加 --force）"
    needs_migrated_database = False  # it fills an empty database itself (youhu.cli)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="youhu backup 生成的备份文件")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据的数据库 (overwrite a non-empty one)")

    def handle(self, *args, file: Path, force: bool, **options) -> None:
        try:
            counts = restore_backup(file, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        listing = "，".join(f"{LABELS.get(label, label)} {n}" for label, n in counts.items())
        self.stdout.write(f"已从 {file} 恢复：{listing} (restored)")
