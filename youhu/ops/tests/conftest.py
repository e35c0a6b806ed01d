"""A migrated, empty SQLite database made once per test run: `youhu migrate` in a subprocess takes 10–20 s,
and several ops tests only need such a database to start from (their point is what comes after)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import clean_env, youhu


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory) -> Path:
    var = tmp_path_factory.mktemp("migrated") / "var"
    done = youhu("migrate", "--noinput", env=clean_env(var))
    assert done.returncode == 0, done.stderr
    return var / "youhu.sqlite3"


def _sqlite_file(env: dict[str, str]) -> Path | None:
    """The SQLite file `env` points the commands at; None for another database."""
    url = env.get("YOUHU_DATABASE_URL", "")
    if not url:
        return Path(env["YOUHU_VAR_DIR"]) / "youhu.sqlite3"
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


@pytest.fixture(scope="session")
def migrated(_migrated_sqlite) -> Callable[[dict[str, str]], None]:
    """migrated(env): the database `env` names is now as `youhu migrate` leaves an empty one (a copy of the
    run's migrated SQLite file; other databases are migrated for real)."""

    def make(env: dict[str, str]) -> None:
        target = _sqlite_file(env)
        if target is None:
            done = youhu("migrate", "--noinput", env=env)
            assert done.returncode == 0, done.stderr
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(_migrated_sqlite) as source, sqlite3.connect(target) as copy:
            source.backup(copy)  # the backup API: a consistent copy, whatever the journal mode

    return make
