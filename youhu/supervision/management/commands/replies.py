"""`youhu replies score --input FILE.csv --output FILE.csv`: add reply-quality scores to a CSV."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from youhu.supervision.replies_file import ReplyFileError, score_file


class Command(BaseCommand):
    help = "答复质量评分：为 CSV（title, text, reply[, received_at, replied_at]）增加得分列"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["score"])
        parser.add_argument("--input", required=True)
        parser.add_argument("--output", required=True)

    def handle(self, *args, **options):
        source = Path(options["input"])
        if not source.is_file():
            raise CommandError(f"找不到输入文件：{source}")
        try:
            with source.open(encoding="utf-8-sig", newline="") as fin, \
                    Path(options["output"]).open("w", encoding="utf-8", newline="") as fout:
                count = score_file(fin, fout)
        except ReplyFileError as exc:
            raise CommandError(str(exc)) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"输入文件不是 UTF-8 编码：{exc}") from exc
        self.stdout.write(f"已评分 {count} 条答复，结果写入 {options['output']}")
