"""Load the three-level category tree from a CSV file (`level1,level2,level3`).

The file is checked whole before anything is written, so a bad row leaves the database unchanged.
Loading is idempotent: categories are keyed by their path "一级/二级/三级"; existing ones are kept
as they are (an admin's edits of default unit or flags are never overwritten).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .defaults import UNPUBLISHED_CATEGORY_PATHS
from .models import Category

# The 12345 hotline's three-level taxonomy (517 rows, 15 first-level classes) that the public 2020 Teddy Cup
# appeals are labelled with; the demo district loads it, and so may any district without its own.
TAXONOMY_CSV = Path(__file__).resolve().parent / "data" / "taxonomy.csv"
COLUMNS = ("level1", "level2", "level3")
NAME_MAX = 64
PATH_MAX = 255


class TaxonomyFileError(ValueError):
    """The file cannot be loaded; `problems` lists each bad row as (line number, message)."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        lines = "; ".join(f"第 {line} 行：{msg}" if line else msg for line, msg in problems[:10])
        more = f"（另有 {len(problems) - 10} 处）" if len(problems) > 10 else ""
        super().__init__(f"分类文件有误：{lines}{more}")


@dataclass
class TaxonomyCounts:
    rows: int = 0
    created: int = 0
    existing: int = 0
    created_by_level: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0})


def read_taxonomy_rows(csv_path: str | Path) -> list[tuple[str, str, str]]:
    """The distinct (level1, level2, level3) rows of the file, in file order; raise on any bad row."""
    path = Path(csv_path)
    if not path.is_file():
        raise TaxonomyFileError([(0, f"找不到文件 {path}")])
    problems: list[tuple[int, str]] = []
    rows: dict[tuple[str, str, str], None] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise TaxonomyFileError([(1, f"缺少列 {', '.join(missing)}（需要 level1,level2,level3）")])
        for line, raw in enumerate(reader, start=2):
            names = tuple((raw.get(c) or "").strip() for c in COLUMNS)
            problem = _row_problem(names)
            if problem:
                problems.append((line, problem))
            else:
                rows[names] = None  # type: ignore[index]
    if problems:
        raise TaxonomyFileError(problems)
    return list(rows)  # type: ignore[arg-type]


def _row_problem(names: tuple[str, ...]) -> str:
    for column, name in zip(COLUMNS, names, strict=True):
        if not name:
            return f"{column} 为空"
        if "/" in name:
            return f"{column}“{name}”含有“/”"
        if len(name) > NAME_MAX:
            return f"{column}“{name[:20]}…”超过 {NAME_MAX} 字"
    if len("/".join(names)) > PATH_MAX:
        return f"分类路径超过 {PATH_MAX} 字"
    return ""


def load_taxonomy(csv_path: str | Path) -> TaxonomyCounts:
    """Create every category of the file that is missing; return what was done."""
    rows = read_taxonomy_rows(csv_path)
    counts = TaxonomyCounts(rows=len(rows))
    with transaction.atomic():
        by_path = {c.path: c for c in Category.objects.all()}
        for names in rows:
            parent: Category | None = None
            for depth in range(1, 4):
                path = "/".join(names[:depth])
                node = by_path.get(path)
                if node is None:
                    node = Category.objects.create(name=names[depth - 1], level=depth, parent=parent, path=path,
                                                   published=path not in UNPUBLISHED_CATEGORY_PATHS)
                    by_path[path] = node
                    counts.created += 1
                    counts.created_by_level[depth] += 1
                elif depth == 3:
                    counts.existing += 1
                parent = node
    return counts
