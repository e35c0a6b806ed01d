"""The `youhu` console script: the project's manage command.

Before a command that needs the database runs, the script checks that every migration is applied: on a
database that was never migrated (or an empty SQLite file) a command would otherwise die deep inside with
"no such table", so it stops at once with one line that names the command to run. A command says whether it
needs the migrated database with `needs_migrated_database` (a bool, or a function of its arguments): the demo
loader migrates by itself, the classifier's file commands need no database at all.
"""

from __future__ import annotations

import os
import sys

# Django's own commands that create the schema, need none, or only print: run them on any database.
SCHEMA_FREE = frozenset({
    "check", "collectstatic", "compilemessages", "createcachetable", "dbshell", "diffsettings", "findstatic",
    "help", "inspectdb", "makemessages", "makemigrations", "migrate", "optimizemigration", "sendtestemail",
    "shell", "showmigrations", "sqlflush", "sqlmigrate", "sqlsequencereset", "squashmigrations", "startapp",
    "startproject", "test", "testserver", "version",
})

NOT_MIGRATED = ("数据库尚未迁移（{count} 个迁移未执行）：请先运行 youhu migrate"
                " (the database is not migrated, {count} migrations pending: run `youhu migrate` first)")
NO_DATABASE = "无法连接数据库：{error} (cannot reach the database: check YOUHU_DATABASE_URL)"


class Refused(Exception):
    """A command that must not start; the message is the one line the operator sees."""


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    argv = ["youhu", *sys.argv[1:]]
    try:
        _setup()
        if len(argv) > 1:
            ensure_ready(argv[1], argv[2:])
    except Refused as refused:
        sys.stderr.write(f"{refused}\n")
        sys.exit(1)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def _setup() -> None:
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:  # e.g. YOUHU_DEBUG=0 without YOUHU_SECRET_KEY (settings.py)
        raise Refused(str(exc)) from exc


def ensure_ready(name: str, args: list[str]) -> None:
    """Raise Refused when command `name` run with `args` needs a migrated database and this one is not."""
    if not _needs_migrated_database(name, args):
        return
    pending = pending_migrations()
    if pending:
        raise Refused(NOT_MIGRATED.format(count=pending))


def _needs_migrated_database(name: str, args: list[str]) -> bool:
    from django.core.management import get_commands, load_command_class

    app = get_commands().get(name)
    if app is None or name in SCHEMA_FREE or any(a in ("-h", "--help") for a in args):
        return False  # Django answers an unknown command or a help request itself
    needs = getattr(load_command_class(app, name), "needs_migrated_database", True)
    return bool(needs(args) if callable(needs) else needs)


def pending_migrations() -> int:
    """How many migrations of the installed apps the default database has not applied."""
    from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError as exc:
        raise Refused(NO_DATABASE.format(error=str(exc).strip().splitlines()[0])) from exc
    finally:
        # The command starts with no connection open: `youhu run_huey` forks its worker processes next, and a
        # connection opened here (kept up to CONN_MAX_AGE) would be inherited by all of them, one PostgreSQL
        # session with several processes talking over it at once (bench/crash.py found it).
        connections.close_all()


if __name__ == "__main__":
    main()
