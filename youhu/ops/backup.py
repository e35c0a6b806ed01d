"""Backup and restore of a Youhu installation: the database and the uploaded files in one .tar.gz file.

A backup holds the database copy (`database.sqlite3`, made with SQLite's online backup API, or
`database.pgdump`, pg_dump's custom format: both a consistent snapshot while the application runs), the
files under MEDIA_ROOT (`media/...`, copied after the snapshot, so every photo the snapshot refers to is
there) and, last, `manifest.json`: the format version, the database vendor, the migrations applied per app
(the schema version) and every other member's size and SHA-256. A truncated file therefore has no manifest.

A restore unpacks into a staging folder and checks all of it (checksums, format, vendor, schema version,
the copy itself) before it touches the database; the database is then replaced in one step (SQLite: the
backup API into the live file; PostgreSQL: `pg_restore --single-transaction --exit-on-error`), so a failure
leaves it as it was. The append-only triggers of ticket events travel inside the copy (they are schema).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from youhu.directory.models import Unit, User
from youhu.enterprise.models import Company
from youhu.tickets.models import Ticket, TicketEvent

FORMAT = "youhu-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1 << 20
# The records whose presence makes a database "not empty" for a restore (a freshly migrated database holds
# only what the migrations seed: the calendar, the default deadline rules, permissions).
RECORDS = {"tickets": Ticket, "events": TicketEvent, "users": User, "companies": Company, "units": Unit}
# The trigger that makes ticket events append-only in SQLite (tickets migration 0002).
SQLITE_EVENT_TRIGGER = "tickets_event_no_update"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message (Chinese, then English) is for the operator."""


# ---------------------------------------------------------------- backup


def create_backup(output: Path) -> dict:
    """Write a backup of the default database and MEDIA_ROOT to `output`; return its manifest."""
    vendor = _vendor()
    output = output.resolve()
    if not output.parent.is_dir():
        raise BackupError(f"目录不存在：{output.parent} (no such folder: {output.parent})")
    partial = output.with_name(output.name + ".partial")  # a crash never leaves a file that looks complete
    with tempfile.TemporaryDirectory(prefix=".youhu-backup-", dir=output.parent) as tmp:
        copy = Path(tmp) / DATABASE_MEMBER[vendor]
        DUMP[vendor](copy)
        files: dict[str, dict] = {}
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                files[copy.name] = _add_file(tar, copy, copy.name)
                for path, name in _media_files():
                    files[name] = _add_file(tar, path, name)
                manifest = {
                    "format": FORMAT, "format_version": FORMAT_VERSION,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "vendor": vendor, "database": copy.name,
                    "migrations": _applied_migrations(), "files": files,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(data), int(datetime.now(UTC).timestamp())
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _dump_sqlite(copy: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    try:
        connection.connection.backup(target)
        # The live file is in WAL mode; the copy is one self-contained file.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def _dump_postgresql(copy: Path) -> None:
    # -Z0: the tar.gz compresses once; pg_dump's snapshot is consistent while the application writes.
    _run_pg("pg_dump", ["--format=custom", "-Z0", "--no-owner", "--no-privileges", f"--file={copy}"])


DUMP = {"sqlite": _dump_sqlite, "postgresql": _dump_postgresql}


class _Hashing(io.RawIOBase):
    """A file read through this is hashed on the way (so each file is read once)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.digest = raw, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as raw:
        hashing = _Hashing(raw)
        tar.addfile(info, hashing)
    return {"size": info.size, "sha256": hashing.digest.hexdigest()}


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        yield path, f"{MEDIA}/{path.relative_to(root).as_posix()}"


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# ---------------------------------------------------------------- restore


def restore_backup(path: Path, *, force: bool = False) -> dict[str, int]:
    """Put the backup at `path` back into the default database and MEDIA_ROOT; return the records now there.

    Refuses (BackupError, nothing changed) a corrupt or foreign file, another schema version and, unless
    `force`, a database that already holds records."""
    vendor = _vendor()
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Staged beside MEDIA_ROOT, so that the files are moved into place, not copied again.
    staging = Path(tempfile.mkdtemp(prefix=".youhu-restore-", dir=media_root.parent))
    try:
        manifest = _unpack(path, staging)
        check_schema(manifest, vendor)
        copy = staging / manifest["database"]
        CHECK[vendor](copy, manifest)
        if not force:
            _ensure_empty()
        connections.close_all()
        LOAD[vendor](copy)
        _move_media(staging / MEDIA, media_root)
        return record_counts()
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _corrupt(path: Path, detail: str) -> BackupError:
    return BackupError(f"备份文件已损坏或不完整：{path}（{detail}）"
                       f" (the backup file is corrupt or truncated: {path}: {detail})")


def _unpack(path: Path, staging: Path) -> dict:
    """Extract every member into `staging` and check it against the manifest; return the manifest."""
    if not path.is_file():
        raise BackupError(f"找不到备份文件：{path} (no backup file at {path})")
    digests: dict[str, dict] = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if not member.isfile() or not _allowed(member.name) or member.name in digests:
                    raise _corrupt(path, f"unexpected member {member.name!r}")
                digests[member.name] = _extract(tar, member, staging / member.name)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise _corrupt(path, f"{type(exc).__name__}: {exc}") from exc
    if MANIFEST not in digests:
        raise _corrupt(path, "no manifest.json: not a Youhu backup, or cut short")
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
        expected = {name: (entry["size"], entry["sha256"]) for name, entry in manifest["files"].items()}
        database = manifest["database"]
        if not all(isinstance(names, list) and all(isinstance(n, str) for n in names)
                   for names in manifest["migrations"].values()):
            raise TypeError("migrations: not lists of names")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _corrupt(path, f"unreadable manifest: {exc}") from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"不支持的备份格式：{manifest.get('format')} 版本 {manifest.get('format_version')}"
            f" (unsupported backup format {manifest.get('format')!r} version {manifest.get('format_version')!r};"
            f" this Youhu reads {FORMAT} version {FORMAT_VERSION})")
    found = {name: (d["size"], d["sha256"]) for name, d in digests.items() if name != MANIFEST}
    if database not in expected:
        raise _corrupt(path, "the manifest names no database copy")
    for name in sorted(set(expected) | set(found)):
        if expected.get(name) != found.get(name):
            raise _corrupt(path, f"{name}: missing, extra or checksum mismatch")
    return manifest


def _allowed(name: str) -> bool:
    parts = PurePosixPath(name).parts
    if name.startswith("/") or ".." in parts or not parts:
        return False
    return name == MANIFEST or name in DATABASE_MEMBER.values() or (parts[0] == MEDIA and len(parts) > 1)


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> dict:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    assert source is not None  # a regular file (checked by the caller)
    with source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return {"size": target.stat().st_size, "sha256": digest.hexdigest()}


def check_schema(manifest: dict, vendor: str) -> None:
    """The backup must come from this database vendor and exactly this code's migrations."""
    if manifest.get("vendor") != vendor:
        raise BackupError(
            f"备份来自 {manifest.get('vendor')} 数据库，当前数据库是 {vendor}，不能直接恢复"
            f" (the backup is of a {manifest.get('vendor')} database, this one is {vendor})")
    backup = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    code = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown, missing = sorted(backup - code), sorted(code - backup)
    if unknown or missing:
        detail = "; ".join(
            part for part in (
                f"unknown to this version: {', '.join('.'.join(m) for m in unknown[:5])}" if unknown else "",
                f"not applied in the backup: {', '.join('.'.join(m) for m in missing[:5])}" if missing else "",
            ) if part)
        raise BackupError(
            f"备份的数据库结构版本与本程序不一致，请用生成该备份的 Youhu 版本恢复后再运行 youhu migrate"
            f" (the backup's schema version differs from this code's: {detail}; restore it with the Youhu version"
            f" that made it, then upgrade with `youhu migrate`)")


def _check_sqlite_copy(copy: Path, manifest: dict) -> None:
    try:
        db = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            applied = {tuple(row) for row in db.execute("SELECT app, name FROM django_migrations")}
            triggers = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise _corrupt(copy, f"database copy: {exc}") from exc
    if integrity != "ok":
        raise _corrupt(copy, f"integrity_check: {integrity}")
    if applied != {(app, name) for app, names in manifest["migrations"].items() for name in names}:
        raise _corrupt(copy, "the copy's migrations differ from the manifest's")
    if SQLITE_EVENT_TRIGGER not in triggers:
        raise _corrupt(copy, f"the append-only trigger {SQLITE_EVENT_TRIGGER} is missing")


def _check_postgresql_copy(copy: Path, manifest: dict) -> None:
    listing = _run_pg("pg_restore", ["--list", str(copy)], database=False)
    if "TRIGGER public tickets_ticketevent tickets_event_no_change" not in listing:
        raise _corrupt(copy, "the append-only trigger tickets_event_no_change is missing from the dump")


CHECK = {"sqlite": _check_sqlite_copy, "postgresql": _check_postgresql_copy}


def _load_sqlite(copy: Path) -> None:
    # Through Django's own connection: the live file (or an in-memory test database) is overwritten page by
    # page inside one write transaction, which SQLite rolls back if anything fails.
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(f"恢复数据库失败，数据库未改动：{exc} (restoring the database failed, it is unchanged)") from exc
    finally:
        source.close()


def _load_postgresql(copy: Path) -> None:
    # --clean --if-exists: a migrated but empty database (or one restored over with --force) has the
    # tables already; one transaction makes the drops and the loading succeed or fail together.
    _run_pg("pg_restore", ["--single-transaction", "--exit-on-error", "--clean", "--if-exists", "--no-owner",
                           "--no-privileges", str(copy)])


LOAD = {"sqlite": _load_sqlite, "postgresql": _load_postgresql}


def _move_media(source: Path, media_root: Path) -> None:
    """Move the restored files into MEDIA_ROOT; files already there and not in the backup stay."""
    if not source.is_dir():
        return
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        target = media_root / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)


def record_counts() -> dict[str, int]:
    """How many of each kind of record the default database holds (tables that do not exist are left out)."""
    tables = set(connection.introspection.table_names())
    counts = {}
    for label, model in RECORDS.items():
        if model._meta.db_table in tables:
            counts[label] = model._default_manager.count()
    return counts


def _ensure_empty() -> None:
    held = {label: n for label, n in record_counts().items() if n}
    if held:
        listing = ", ".join(f"{label} {n}" for label, n in held.items())
        raise BackupError(f"目标数据库不是空的（{listing}），未做任何改动；确需覆盖请加 --force"
                          f" (the database is not empty: {listing}; nothing was changed; add --force to overwrite it)")


# ---------------------------------------------------------------- helpers


def _vendor() -> str:
    if connection.vendor not in DATABASE_MEMBER:
        raise BackupError(f"不支持的数据库：{connection.vendor} (unsupported database {connection.vendor})")
    return connection.vendor


def _run_pg(program: str, args: list[str], *, database: bool = True) -> str:
    """Run a PostgreSQL client program against the default database; return its standard output."""
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(f"找不到 {program}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）"
                          f" ({program} not found: install the PostgreSQL client programs, version 15 or later)")
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or os.environ.get("PGPASSWORD", "")}
    target = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432),
              "--username", db["USER"], "--dbname", db["NAME"]] if database else []
    done = subprocess.run([binary, *target, *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        error = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise BackupError(f"{program} 失败，数据库未改动：{error} ({program} failed, the database is unchanged)")
    return done.stdout
