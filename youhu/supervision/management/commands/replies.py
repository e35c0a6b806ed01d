"""`youhu replies score --input FILE.csv --output FILE.csv`: add reply-quality scores to a CSV.
`youhu replies check`: run the in-app check on every replied ticket that has none yet (backfill, demo)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from youhu.supervision.replies_file import ReplyFileError, score_file
from youhu.supervision.reply_quality import check_unchecked_replies


class Command(BaseCommand):
    help = "答复质量：score 为 CSV（title, text, reply[, received_at, replied_at]）评分；check 检查尚未检查的已答复工单"

    def needs_migrated_database(self, args: list[str]) -> bool:
        """Scoring a CSV needs no database (youhu.cli)."""
        return "score" not in args

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["score", "check"])
        parser.add_argument("--input")
        parser.add_argument("--output")

    def handle(self, *args, **options):
        if options["action"] == "check":
            self._check()
            return
        if not options["input"] or not options["output"]:
            raise CommandError("score 需要 --input 和 --output")
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

    def _check(self) -> None:
        checked, flagged = check_unchecked_replies()
        self.stdout.write(f"已检查 {checked} 条答复，其中 {flagged} 条低于阈值、已暂缓公开待督办员审核")
