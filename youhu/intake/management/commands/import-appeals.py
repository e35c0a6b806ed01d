"""`youhu import-appeals FILE [--format csv|xlsx] [--encoding auto|utf-8|gbk] [--mapping m.json]
[--column field=列名 ...] [--channel hotline] [--source NAME] [--triage queue|now|skip] [--no-receipts]`

Reads and checks the whole file first: a structural error (a broken quote, a cut sheet, a wrong encoding)
stops it before anything is stored, names the line and exits non-zero. Otherwise it writes FILE.report.csv
next to the input, one line per line of the file (created with the ticket number, skipped as imported
before, rejected or implausible with the reason, blank), and prints where every line went.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from youhu.directory.models import User
from youhu.intake.importing import (
    FIELDS,
    OUTCOMES,
    ImportFileError,
    ImportOptions,
    import_appeals,
    load_mapping,
)
from youhu.tickets.models import Channel

ISSUES_SHOWN = 20


class Command(BaseCommand):
    help = "Import appeals from a hotline CSV/XLSX export (idempotent by external id)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--format", choices=["auto", "csv", "xlsx"], default="auto")
        parser.add_argument("--encoding", choices=["auto", "utf-8", "gbk"], default="auto")
        parser.add_argument("--mapping", help='JSON file {"content": "来电内容", "title": "标题", ...}')
        parser.add_argument("--column", action="append", default=[], metavar="FIELD=HEADER",
                            help=f"map one column (fields: {', '.join(FIELDS)})")
        parser.add_argument("--channel", choices=Channel.values, default=Channel.HOTLINE)
        parser.add_argument("--source", default="", help="external id namespace (default: the file name)")
        parser.add_argument("--user", help="record the import as done by this user")
        parser.add_argument("--triage", choices=["queue", "now", "skip"], default="queue",
                            help="queue: for the worker `youhu run_huey` (default); now: one by one "
                                 "during the import (slow); skip: leave them to the dispatchers")
        parser.add_argument("--no-receipts", action="store_true",
                            help="send no SMS receipt to the appellants (an export of old appeals)")

    def handle(self, *args, **opts) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            mapping = load_mapping(Path(opts["mapping"]).read_text(encoding="utf-8")) if opts["mapping"] else {}
            for item in opts["column"]:
                target, sep, header = item.partition("=")
                if not sep:
                    raise ImportFileError(f"--column 应写成 字段=列名：{item}")
                mapping[target.strip()] = header.strip()
            by = User.objects.filter(username=opts["user"]).first() if opts["user"] else None
            options = ImportOptions(channel=opts["channel"], fmt=opts["format"], encoding=opts["encoding"],
                                    mapping=mapping, source=opts["source"], triage=opts["triage"],
                                    receipts=not opts["no_receipts"])
            started = time.perf_counter()
            result = import_appeals(path.read_bytes(), name=path.name, options=options, by=by,
                                    progress=lambda rows: tqdm(rows, desc="导入", unit="行", file=self.stderr))
        except (ImportFileError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        report = path.with_name(path.name + ".report.csv")
        report.write_text(result.report_csv(), encoding="utf-8-sig")
        rate = result.total / elapsed if elapsed else 0
        self.stdout.write(f"{result.summary}（{elapsed:.1f} 秒，{rate:.0f} 行/秒）。报告：{report}")
        for issue in result.issues[:ISSUES_SHOWN]:
            self.stdout.write(f"  第 {issue.lines} 行 [{OUTCOMES[issue.outcome]}] {issue.field} {issue.reason}")
        if len(result.issues) > ISSUES_SHOWN:
            self.stdout.write(f"  另有 {len(result.issues) - ISSUES_SHOWN} 行，见报告")
