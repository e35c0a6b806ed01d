"""Commands say what to do: on a database that was never migrated (an empty SQLite file) a command that needs
it stops with one line naming `youhu migrate`; the demo loader migrates by itself. Real commands, in a
subprocess, on an empty YOUHU_VAR_DIR."""

from __future__ import annotations

import sqlite3

import pytest

from .helpers import clean_env, youhu

NEEDS_THE_DATABASE = [
    ["escalate"],
    ["demo", "logins"],
    ["hotspots"],
    ["report", "monthly", "--month", "2026-10", "--output", "report.xlsx"],
    ["run_huey"],
    ["runserver", "127.0.0.1:0", "--noreload"],
    ["backup", "--output", "backup.tar.gz"],
    ["createsuperuser", "--noinput", "--username", "root", "--email", "root@example.com"],
]


def tables(var_dir) -> list[str]:
    path = var_dir / "youhu.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


@pytest.mark.parametrize("args", NEEDS_THE_DATABASE, ids=lambda a: " ".join(a[:2]))
def test_a_command_on_an_unmigrated_database_names_youhu_migrate(tmp_path, args):
    done = youhu(*args, env=clean_env(tmp_path / "var"), cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # one line, no traceback
    assert "请先运行 youhu migrate" in lines[0] and "run `youhu migrate` first" in lines[0]
    assert done.stdout == ""
    assert tables(tmp_path / "var") == []  # nothing was started on the empty database
    assert not (tmp_path / "backup.tar.gz").exists() and not (tmp_path / "report.xlsx").exists()


def test_commands_that_need_no_database_still_run_on_an_unmigrated_one(tmp_path):
    env = clean_env(tmp_path / "var")
    hotspots = youhu("hotspots", "--input", str(tmp_path / "missing.csv"), env=env)
    assert hotspots.returncode == 1 and "文件不存在" in hotspots.stderr and "migrate" not in hotspots.stderr
    replies = youhu("replies", "score", "--input", str(tmp_path / "missing.csv"), "--output", "x.csv", env=env)
    assert "找不到输入文件" in replies.stderr and "migrate" not in replies.stderr
    helped = youhu("help", "escalate", env=env)
    assert helped.returncode == 0 and "--loop" in helped.stdout
    assert youhu("escalate", "--help", env=env).returncode == 0


def test_demo_load_migrates_an_empty_database_first(tmp_path):
    env = clean_env(tmp_path / "var")
    loaded = youhu("demo", "load", "--tickets", "0", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "演示数据（海珠区）" in loaded.stdout and "tickets_ticketevent" in tables(tmp_path / "var")
    logins = youhu("demo", "logins", env=env)
    assert logins.returncode == 0 and "dispatcher1" in logins.stdout
    assert youhu("escalate", env=env).returncode == 0  # the other commands now run


def test_on_a_migrated_but_empty_database_commands_name_the_demo_loader(tmp_path, migrated):
    env = clean_env(tmp_path / "var")
    migrated(env)
    logins = youhu("demo", "logins", env=env)
    assert logins.returncode == 0 and "run `youhu demo load` first" in logins.stdout
    key = youhu("apikey", "create", "--user", "nobody", env=env)
    assert key.returncode == 1 and len(key.stderr.strip().splitlines()) == 1
    assert "youhu demo load" in key.stderr and "no user nobody" in key.stderr


def test_an_unreachable_database_is_one_line_too(tmp_path):
    env = clean_env(tmp_path / "var", YOUHU_DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")
    done = youhu("escalate", env=env)
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "无法连接数据库" in done.stderr and "YOUHU_DATABASE_URL" in done.stderr
