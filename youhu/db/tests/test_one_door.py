"""Only youhu/db takes the write lock or writes SQL: every other module goes through its functions."""

from __future__ import annotations

import re
from pathlib import Path

import youhu

ROOT = Path(youhu.__file__).parent
# The lock, a cursor, or SQL handed to the database as a string.
FORBIDDEN = re.compile(r"write_lock|db\.lock\b|\.cursor\(|executemany|RawSQL|\.raw\(|\.extra\(|COPY ")


def _modules_outside_the_door() -> list[Path]:
    return [p for p in ROOT.rglob("*.py")
            if not p.is_relative_to(ROOT / "db") and "tests" not in p.parts and "migrations" not in p.parts]


def test_no_module_outside_youhu_db_takes_the_lock_or_writes_sql():
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for path in _modules_outside_the_door()
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if FORBIDDEN.search(line)]
    assert offenders == []


def test_the_guard_sees_what_it_looks_for():
    assert len(_modules_outside_the_door()) > 50
    assert FORBIDDEN.search("    with connection.cursor() as cursor:")
    assert FORBIDDEN.search("from youhu.db.lock import write_lock")
