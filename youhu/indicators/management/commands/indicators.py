"""`youhu indicators tree|import|autofill|score|overdue`: the evaluation index from the command line
(docs/indicators.md)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from youhu import clock
from youhu.indicators import periods, scoring, selectors, services, tree
from youhu.indicators.auto import autofill
from youhu.indicators.exports import write_csv
from youhu.indicators.importer import ImportFileError, import_values
from youhu.tickets.errors import TicketError


class Command(BaseCommand):
    help = "评价指标体系：tree 查看/发布指标体系；import 导入指标数据；autofill 计算平台数据；score 计算评价指数；" \
           "overdue 列出逾期未报的单位填报指标"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        t = sub.add_parser("tree", help="查看（show）或发布新版本（publish FILE.json）")
        t.add_argument("what", choices=["show", "publish"])
        t.add_argument("file", nargs="?", type=Path)
        t.add_argument("--note", default="")
        imp = sub.add_parser("import", help="导入指标数据（XLSX：评价对象、评价期、指标、数值、计量单位）")
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        for name, text in (("autofill", "由平台数据计算指标"), ("overdue", "逾期未报的单位填报指标")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--period", required=True, help="2025 或 2025Q3")
        p.add_argument("--remind", action="store_true", help="并向未报单位发站内催报消息")
        score = sub.add_parser("score", help="计算评价指数并写出 CSV")
        score.add_argument("--period", required=True, help="2025 或 2025Q3")
        score.add_argument("--weights", choices=scoring.METHODS, default=scoring.GIVEN)
        score.add_argument("--output", type=Path, required=True)

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except (TicketError, ImportFileError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc

    def _tree(self, what: str, file: Path | None, note: str, **_) -> None:
        if what == "publish":
            if file is None:
                raise CommandError("请给出指标体系文件（JSON） / give the tree file")
            try:
                spec = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"无法读取 {file}：{exc}") from exc
            version = tree.publish(spec, by=None, note=note)
            self.stdout.write(f"已发布指标体系{version} / published version {version.number}")
            return
        version = tree.current()
        if version is None:
            raise CommandError("尚未建立指标体系 / no indicator tree yet")
        self.stdout.write(json.dumps(tree.as_spec(version), ensure_ascii=False, indent=2))

    def _import(self, file: Path, dry_run: bool, **_) -> None:
        report = import_values(file, dry_run=dry_run)
        for error in report.errors:
            self.stdout.write(f"第 {error.line} 行：{error.reason}")
        self.stdout.write(("（仅检查）" if dry_run else "") + report.summary())

    def _autofill(self, period: str, **_) -> None:
        n = autofill(periods.get_or_create(period))
        self.stdout.write(f"已由平台数据计算 {n} 个指标值 / {n} values computed")

    def _overdue(self, period: str, remind: bool, **_) -> None:
        found = periods.find(period)
        rows = selectors.missing_unit_figures(found, today=timezone.localdate(clock.now()))
        for r in rows:
            self.stdout.write(f"{r['unit']}\t{r['entity']}\t{r['indicator'].name}")
        self.stdout.write(f"{found.label}逾期未报 {len(rows)} 项 / {len(rows)} figures overdue")
        if remind:
            self.stdout.write(f"已向 {services.remind_overdue(found)} 个单位发出催报 / units reminded")

    def _score(self, period: str, weights: str, output: Path, **_) -> None:
        run = services.run_score(periods.find(period), method=weights, by=None)
        with output.open("w", encoding="utf-8-sig", newline="") as out:
            write_csv(run.result, out)
        for note in run.result["notes"]:
            self.stderr.write(note)
        scored = sum(1 for e in run.result["entities"] if e["rank"])
        self.stdout.write(f"已计算 {scored} 个评价对象的指数（{scoring.METHOD_LABELS[run.method_used]}），写入 {output}")
