"""`youhu classify --input IN.csv --output OUT.csv`: label a CSV of appeals in bulk."""

from __future__ import annotations

import csv
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youhu import spreadsheet
from youhu.dispatch import classifier
from youhu.dispatch.classifier.text import prepare

log = logging.getLogger(__name__)

ADDED = ("label", "confidence", "unit")
BATCH = 2000

# Text fields can be long; the csv module's default 128 KB cap would reject a pasted document.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def unit_lookup() -> Callable[[str], str]:
    """label → name of the unit an appeal of that first-level category goes to ("" if none).

    By the routing data in the database; without a usable database every unit is "" (warned once):
    the labels are still worth having.
    """
    from django.db import DatabaseError

    from youhu.dispatch.routing import category_for_label, route

    cache: dict[str, str] = {}
    state = {"database": True}

    def lookup(label: str) -> str:
        if label in cache or not state["database"]:
            return cache.get(label, "")
        try:
            category = category_for_label(label)
            unit = (route(category, None).unit or category.effective_unit()) if category else None
        except DatabaseError as exc:
            log.warning("unit column left empty, no usable database: %s", exc)
            state["database"] = False
            return ""
        cache[label] = unit.name if unit else ""
        return cache[label]

    return lookup


class Command(BaseCommand):
    help = "批量分类诉求 CSV（列 title,text；输出增加 label,confidence,unit）"
    needs_migrated_database = False  # without one the unit column stays empty (youhu.cli)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path, help="CSV with columns [title,]text")
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--model", type=Path, help="model file (default: the default model)")

    def handle(self, *args, input: Path, output: Path, model: Path | None, **opts) -> None:
        try:
            clf = classifier.load(model or classifier.default_model_path())
        except classifier.ModelFileError as exc:
            raise CommandError(str(exc)) from exc
        try:
            fh_in = input.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise CommandError(f"无法读取输入文件 (cannot read {input}): {exc}") from exc
        with fh_in:
            reader = csv.DictReader(fh_in)
            fields = list(reader.fieldnames or [])
            if "text" not in fields:
                raise CommandError(f"输入文件缺少 text 列 (column text required; got {fields})")
            out_fields = fields + [f for f in ADDED if f not in fields]
            try:
                count = self._run(clf, reader, output, out_fields, unit_lookup())
            except UnicodeDecodeError as exc:
                raise CommandError(f"输入文件不是 UTF-8 编码 (not UTF-8: {exc})") from exc
            except csv.Error as exc:
                raise CommandError(f"CSV 格式错误 (line {reader.line_num}): {exc}") from exc
        self.stdout.write(f"已分类 {count} 条 (classified {count} rows) → {output}")

    def _run(self, clf: classifier.Classifier, reader: csv.DictReader, output: Path, fields: list[str],
             unit_for: Callable[[str], str]) -> int:
        output.parent.mkdir(parents=True, exist_ok=True)
        count = 0
        with output.open("w", encoding="utf-8", newline="") as fh_out:
            writer = spreadsheet.SafeDictWriter(fh_out, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            batch: list[dict] = []
            for row in reader:
                batch.append(row)
                if len(batch) >= BATCH:
                    count += self._write(clf, batch, writer, unit_for)
                    batch = []
            count += self._write(clf, batch, writer, unit_for)
        return count

    def _write(self, clf: classifier.Classifier, rows: list[dict], writer: spreadsheet.SafeDictWriter,
               unit_for: Callable[[str], str]) -> int:
        if not rows:
            return 0
        texts = [prepare(row.get("title") or "", row.get("text") or "") for row in rows]
        for row, pred in zip(rows, clf.predict(texts), strict=True):
            row.update(label=pred.label, confidence=f"{pred.confidence:.4f}", unit=unit_for(pred.label))
            writer.writerow(row)
        return len(rows)
