"""`youhu backup` and `youhu restore`: a round trip into a new, empty database (the one the tests run on:
SQLite, or PostgreSQL under YOUHU_DATABASE_URL), and bad backups refused with the database unchanged."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image

from youhu import clock
from youhu.enterprise.models import Company
from youhu.intake.flows import submit_appeal
from youhu.ops.backup import BackupError, record_counts, restore_backup
from youhu.tickets.models import Channel, Status, TicketEvent
from youhu.tickets.services import NewAppeal

from .helpers import clean_env, python, youhu

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only


def png() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(data, "PNG")
    return data.getvalue()


@pytest.fixture
def source(district, settings, tmp_path) -> dict:
    """A database with tickets (one with a photo), their events, users and a company."""
    settings.MEDIA_ROOT = tmp_path / "media"
    district.ticket_in(Status.CLOSED)
    district.ticket_in(Status.HANDLING)
    appeal = NewAppeal(title="人行道井盖缺失", content="新港东路人行道井盖缺失，夜间很危险。", channel=Channel.WEB,
                       street=district.street)
    photographed = submit_appeal(appeal, photo=ContentFile(png(), name="well.png"))
    Company.objects.create(name="海珠测试科技有限公司", uscc="91440101MA59TEST0X", created_at=clock.now(),
                           updated_at=clock.now())
    return {
        "counts": record_counts(),
        "photo": photographed.photo.name,
        "events": sorted(TicketEvent.objects.values_list("id", "ticket__number", "action")),
    }


@pytest.fixture
def backup(source, tmp_path) -> Path:
    path = tmp_path / "youhu-backup.tar.gz"
    call_command("backup", output=path)
    return path


# ---------------------------------------------------------------- the restored database


@pytest.fixture
def target(tmp_path) -> Iterator[dict[str, str]]:
    """The environment of a new installation: an empty database of the test's vendor, its own MEDIA_ROOT."""
    env = clean_env(tmp_path / "new", YOUHU_MEDIA_ROOT=str(tmp_path / "new-media"))
    if connection.vendor == "sqlite":
        env["YOUHU_DATABASE_URL"] = f"sqlite:///{tmp_path / 'new' / 'youhu.sqlite3'}"
        yield env
        return
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    admin = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"],
             "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env["YOUHU_DATABASE_URL"] = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"
    yield env
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# What a new installation holds after the restore, read with its own settings; and whether its database still
# refuses to change (and, on PostgreSQL, to delete) a ticket event.
INSPECT = """
import json, django
django.setup()
from django.db import DatabaseError, connection, transaction
from youhu.ops.backup import record_counts
from youhu.tickets.models import TicketEvent, Ticket
refused = {}
for verb, sql in (("update", "UPDATE tickets_ticketevent SET reason = 'tampered'"),
                  ("delete", "DELETE FROM tickets_ticketevent")):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
            transaction.set_rollback(True)  # SQLite lets DELETE through: keep the events for what follows
        refused[verb] = ""
    except DatabaseError as exc:
        refused[verb] = str(exc)
photo = Ticket.objects.exclude(photo="").get()
print(json.dumps({"counts": record_counts(), "refused": refused, "photo": photo.photo.name,
                  "photo_bytes": photo.photo.read().hex(),
                  "events": sorted(TicketEvent.objects.values_list("id", "ticket__number", "action"))}))
"""


def inspect(env: dict[str, str]) -> dict:
    done = python(INSPECT, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_round_trip_brings_everything_back_with_the_event_log_still_append_only(source, backup, target):
    restored = youhu("restore", str(backup), env=target)
    assert restored.returncode == 0, restored.stderr
    assert "已从" in restored.stdout and f"工单 {source['counts']['tickets']}" in restored.stdout
    found = inspect(target)
    assert found["counts"] == source["counts"]
    assert source["counts"]["tickets"] == 3 and source["counts"]["companies"] == 1
    assert [tuple(e) for e in found["events"]] == source["events"]
    assert found["photo"] == source["photo"] and bytes.fromhex(found["photo_bytes"]) == png()
    assert "append-only" in found["refused"]["update"]
    if connection.vendor == "postgresql":  # SQLite refuses UPDATE only (tickets migration 0002)
        assert "append-only" in found["refused"]["delete"]
    # a second restore finds the database full: refused, unless forced
    again = youhu("restore", str(backup), env=target)
    assert again.returncode == 1 and "--force" in again.stderr and "not empty" in again.stderr
    forced = youhu("restore", str(backup), "--force", env=target)
    assert forced.returncode == 0, forced.stderr
    assert inspect(target)["counts"] == source["counts"]


def test_a_migrated_but_empty_database_takes_a_restore(source, backup, target, migrated):
    migrated(target)
    restored = youhu("restore", str(backup), env=target)
    assert restored.returncode == 0, restored.stderr
    assert inspect(target)["counts"] == source["counts"]


def test_backup_carries_a_manifest_with_schema_version_and_checksums(backup):
    with tarfile.open(backup) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[-1] == "manifest.json"  # last: a cut-short file has none
    assert manifest["format"] == "youhu-backup" and manifest["vendor"] == connection.vendor
    assert "0002_append_only_events" in manifest["migrations"]["tickets"]
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert any(name.startswith("media/photos/") for name in names)
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())


# ---------------------------------------------------------------- bad backups


def rewritten(backup: Path, out: Path, *, manifest=None, replace: dict[str, bytes] | None = None) -> Path:
    """A copy of `backup` with its manifest edited by `manifest(dict)` and members' contents replaced."""
    with tarfile.open(backup) as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name == "manifest.json" and manifest:
                content = json.loads(data)
                manifest(content)
                data = json.dumps(content).encode()
            data = (replace or {}).get(member.name, data)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def truncated(backup: Path, out: Path) -> Path:
    out.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    return out


def garbage(backup: Path, out: Path) -> Path:
    out.write_bytes(b"this is not a backup" * 100)
    return out


def tampered_photo(backup: Path, out: Path) -> Path:
    with tarfile.open(backup) as tar:
        photo = next(n for n in tar.getnames() if n.startswith("media/"))
    return rewritten(backup, out, replace={photo: b"not the photo that was backed up"})


def newer_schema(backup: Path, out: Path) -> Path:
    return rewritten(backup, out, manifest=lambda m: m["migrations"]["tickets"].append("0099_from_the_future"))


def older_schema(backup: Path, out: Path) -> Path:
    return rewritten(backup, out, manifest=lambda m: m["migrations"]["tickets"].pop())


def other_vendor(backup: Path, out: Path) -> Path:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    return rewritten(backup, out, manifest=lambda m: m.update(vendor=other))


def newer_format(backup: Path, out: Path) -> Path:
    return rewritten(backup, out, manifest=lambda m: m.update(format_version=99))


def mangled_manifest(backup: Path, out: Path) -> Path:
    return rewritten(backup, out, manifest=lambda m: m.update(migrations={"tickets": "0001_initial"}))


@pytest.mark.parametrize("make, message", [
    (truncated, "corrupt or truncated"),
    (garbage, "corrupt or truncated"),
    (tampered_photo, "checksum mismatch"),
    (newer_schema, "schema version differs"),
    (older_schema, "schema version differs"),
    (other_vendor, "the backup is of a"),
    (newer_format, "unsupported backup format"),
    (mangled_manifest, "unreadable manifest"),
])
def test_a_bad_backup_is_refused_and_nothing_changes(source, backup, district, tmp_path, settings, make, message):
    bad = make(backup, tmp_path / "bad.tar.gz")
    district.ticket_in(Status.REPLIED)  # after the backup: a restore that went ahead would make it vanish
    before = (record_counts(), sorted(TicketEvent.objects.values_list("id", "ticket__number", "action")))
    with pytest.raises(CommandError, match=message) as refused:
        call_command("restore", str(bad), force=True)
    assert "，" in str(refused.value) or "：" in str(refused.value)  # the Chinese half of the message
    assert (record_counts(), sorted(TicketEvent.objects.values_list("id", "ticket__number", "action"))) == before
    assert (Path(settings.MEDIA_ROOT) / source["photo"]).read_bytes() == png()
    assert not list(Path(settings.MEDIA_ROOT).parent.glob(".youhu-restore-*"))  # the staging folder is gone


def test_a_good_backup_forced_over_the_database_puts_it_back_as_it_was(source, backup, district):
    district.ticket_in(Status.REPLIED)
    assert record_counts() != source["counts"]
    assert restore_backup(backup, force=True) == source["counts"]
    assert sorted(TicketEvent.objects.values_list("id", "ticket__number", "action")) == source["events"]


def test_restore_refuses_a_database_that_holds_records(source, backup, district, settings):
    district.ticket_in(Status.REPLIED)  # written after the backup
    counts = record_counts()
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(backup)
    assert record_counts() == counts


def test_restore_of_a_missing_file_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="no backup file at"):
        call_command("restore", str(tmp_path / "nowhere.tar.gz"))


def test_a_missing_postgresql_client_is_named(monkeypatch):
    from youhu.ops import backup

    monkeypatch.setattr(backup.shutil, "which", lambda program: None)
    with pytest.raises(BackupError, match="pg_dump not found: install the PostgreSQL client"):
        backup._run_pg("pg_dump", ["--version"], database=False)
