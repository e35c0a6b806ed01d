"""Time one month's ranking (考核排名) of all units over 1,000,000 generated tickets.

Generates a year (2025) of tickets spread over ~50 units (a few large departments, many small
offices), 20 streets and 30 categories, with realistic outcome rates, in a throwaway SQLite database
and, with --postgres URL, in a throwaway PostgreSQL database (created next to the one the URL names,
dropped afterwards). Rows go in with raw bulk inserts (executemany on SQLite, COPY on PostgreSQL).
Then it times `monthly_ranking` (the month and, for the change, the month before) and prints it,
once as migrated and once with the index on tickets_ticket (dispatched_at, main_unit_id) that
docs/metrics.md asks the tickets app for. Targets: < 5 s on SQLite, < 2 s on PostgreSQL.

    .venv/bin/python bench/metrics.py [--tickets 1000000] [--postgres postgres://postgres@127.0.0.1:5432/youhu]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "youhu_bench_metrics"
YEAR_START = "2025-01-01T00:00:00"
MONTH = "2025-10"
CHUNK = 50_000
RECOMMENDED_INDEX = "bench_ticket_dispatched_unit"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--postgres", help="postgres://… of a server where a scratch database may be created")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--run", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_one(args)
        return
    base = [sys.executable, __file__, "--tickets", str(args.tickets), "--units", str(args.units),
            "--rounds", str(args.rounds)]
    # Each backend in its own process: Django reads the database URL once, at start-up.
    with tempfile.TemporaryDirectory(prefix="youhu-bench-metrics-") as tmp:
        subprocess.run([*base, "--run", "sqlite", "--url", f"sqlite:///{tmp}/bench.sqlite3"], check=True)
    if args.postgres:
        url = _scratch_postgres(args.postgres)
        try:
            subprocess.run([*base, "--run", "postgres", "--url", url], check=True)
        finally:
            _drop_postgres(args.postgres)


def _admin_conn(url: str):
    import psycopg

    parsed = urlparse(url)
    return psycopg.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                           user=parsed.username or "postgres", password=parsed.password or None,
                           dbname=parsed.path.lstrip("/") or "postgres", autocommit=True)


def _scratch_postgres(url: str) -> str:
    with _admin_conn(url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlunparse(urlparse(url)._replace(path=f"/{BENCH_DB}"))


def _drop_postgres(url: str) -> None:
    with _admin_conn(url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


# ---------------------------------------------------------------- one backend, in its own process


def run_one(args: argparse.Namespace) -> None:
    os.environ["YOUHU_DATABASE_URL"] = args.url
    os.environ["YOUHU_VAR_DIR"] = tempfile.mkdtemp(prefix="youhu-bench-var-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"\n== {args.run}: migrating …", flush=True)
    call_command("migrate", verbosity=0)
    refs = make_reference_data(args.units)
    started = time.perf_counter()
    n_events = insert_tickets(connection, args.tickets, refs)
    print(f"generated {args.tickets:,} tickets and {n_events:,} return events in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    time_ranking(args.rounds, "as migrated")
    # The ranking filters tickets by dispatch time; tickets_ticket has no index on it (docs/metrics.md).
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {RECOMMENDED_INDEX} ON tickets_ticket (dispatched_at, main_unit_id)")
        cursor.execute("ANALYZE")
    time_ranking(args.rounds, "with an index on tickets_ticket (dispatched_at, main_unit_id)")


def make_reference_data(n_units: int) -> dict:
    from youhu.directory.models import Area, Unit
    from youhu.taxonomy.models import Category

    streets = [Area.objects.create(code=f"S{i:03d}", name=f"第{i}街道", kind=Area.Kind.STREET) for i in range(20)]
    Unit.objects.create(code="C000", name="区指挥中心", kind=Unit.Kind.CENTRE)
    units = []
    for i in range(n_units):
        street_office = i >= n_units * 3 // 5
        units.append(Unit.objects.create(
            code=f"U{i:03d}", name=f"{'街道办' if street_office else '职能部门'}{i:03d}",
            kind=Unit.Kind.STREET_OFFICE if street_office else Unit.Kind.DEPARTMENT,
            area=streets[i % len(streets)] if street_office else None))
    categories = []
    for i in range(5):
        top = Category.objects.create(name=f"一级{i}", level=1, path=f"一级{i}")
        categories += [Category.objects.create(name=f"二级{i}-{j}", level=2, parent=top, path=f"一级{i}/二级{i}-{j}")
                       for j in range(6)]
    return {"units": [u.pk for u in units], "streets": [s.pk for s in streets],
            "categories": [c.pk for c in categories]}


COLUMNS = [
    "id", "number", "tracking_code_hash", "channel", "external_id", "title", "content", "appeal_type", "urgency",
    "appellant_name", "appellant_phone", "address", "location_unresolved", "photo", "status", "version",
    "created_at", "registered_at", "dispatched_at", "accepted_at", "replied_at", "closed_at", "accept_due",
    "reply_due", "due_estimated", "reply_text", "replied_on_time", "accepted_on_time", "handling_working_days",
    "co_parts_waived", "review_resolved", "review_satisfaction", "review_comment", "reviewed_at", "close_reason",
    "return_count", "reopen_count", "extension_count", "category_id", "main_unit_id", "street_id",
    "reply_withheld",
]
EVENT_COLUMNS = ["ticket_id", "action", "actor_label", "unit_id", "at", "from_status", "to_status", "reason",
                 "payload", "public"]


def _timestamps(seconds, vendor: str):
    """Epoch-offset seconds -> the text each backend stores for an aware datetime (UTC)."""
    import numpy as np

    base = np.datetime64(YEAR_START, "s")
    text = np.datetime_as_string(base + seconds.astype("timedelta64[s]"), unit="s")
    text = np.char.replace(text, "T", " ")
    return np.char.add(text, "+00") if vendor == "postgresql" else text


def generate_chunk(rng, start_id: int, size: int, refs: dict, vendor: str, slice_start: int, slice_end: int):
    """One chunk of tickets as column arrays, plus the return events that go with them."""
    import numpy as np

    hour, day = 3600, 86400
    n_units = len(refs["units"])
    weights = 1.0 / np.arange(1, n_units + 1) ** 0.8  # a few big departments, many small offices
    unit = np.asarray(refs["units"])[rng.choice(n_units, size, p=weights / weights.sum())]
    # Tickets are numbered as they arrive: ids follow time (each chunk is one slice of the year).
    created = np.sort(rng.integers(slice_start, slice_end, size))
    dispatched = created + rng.integers(300, 4 * hour, size)
    status = rng.choice(["dispatched", "handling", "replied", "closed"], size, p=[0.03, 0.08, 0.06, 0.83])
    accepted = np.where(status != "dispatched", dispatched + rng.exponential(1.2 * hour, size).astype(int), -1)
    accept_due = dispatched + 2 * hour
    reply_days = rng.choice([3, 15], size, p=[0.3, 0.7])
    reply_due = dispatched + reply_days * day
    done = (status == "replied") | (status == "closed")
    took = (rng.gamma(2.0, 3.0, size) * day).astype(int)
    replied = np.where(done, accepted + took, -1)
    reviewed = (status == "closed") & (rng.random(size) < 0.9)
    resolved = reviewed & (rng.random(size) < 0.85)
    satisfaction = np.where(reviewed, rng.choice(["satisfied", "basically", "dissatisfied"], size,
                                                 p=[0.75, 0.15, 0.10]), "")
    returned = rng.random(size) < 0.02
    ts = {name: _timestamps(values, vendor).tolist() for name, values in
          (("created", created), ("dispatched", dispatched), ("accepted", accepted), ("replied", replied),
           ("accept_due", accept_due), ("reply_due", reply_due))}
    streets = np.asarray(refs["streets"])[rng.integers(0, len(refs["streets"]), size)]
    cats = np.asarray(refs["categories"])[rng.integers(0, len(refs["categories"]), size)]
    reopened = (rng.random(size) < 0.03).astype(int)
    extended = (rng.random(size) < 0.04).astype(int)
    # Plain Python values: neither sqlite3 nor psycopg adapts numpy scalars.
    status, satisfaction = status.tolist(), satisfaction.tolist()
    unit, streets, cats = unit.tolist(), streets.tolist(), cats.tolist()
    rows = []
    for i in range(size):
        tid = start_id + i
        acc = ts["accepted"][i] if accepted[i] >= 0 else None
        rep = ts["replied"][i] if replied[i] >= 0 else None
        rows.append((
            tid, f"B{tid:012d}", "", "web", "", "路灯不亮", "某路口路灯不亮", "complaint", "normal", "", "", "",
            False, "", str(status[i]), 0, ts["created"][i], ts["created"][i], ts["dispatched"][i], acc, rep,
            rep if status[i] == "closed" else None, ts["accept_due"][i], ts["reply_due"][i], False,
            "已处理" if rep else "", bool(replied[i] <= reply_due[i]) if rep else None,
            bool(accepted[i] <= accept_due[i]) if acc else None, int(took[i] * 5 / 7 / day) if rep else None,
            False, bool(resolved[i]) if reviewed[i] else None, str(satisfaction[i]), "",
            rep if reviewed[i] else None, "reviewed" if reviewed[i] else "", int(returned[i]), int(reopened[i]),
            int(extended[i]), int(cats[i]), int(unit[i]), int(streets[i]), False,
        ))
    events = [(start_id + int(i), "return", "bench", unit[i], ts["dispatched"][i], "dispatched", "registered",
               "非本单位职责", "{}", False) for i in np.flatnonzero(returned)]
    return rows, events


def insert_tickets(connection, total: int, refs: dict) -> int:
    import numpy as np

    rng = np.random.default_rng(20251001)
    vendor = connection.vendor
    n_events = 0
    tickets_sql = (f"INSERT INTO tickets_ticket ({', '.join(COLUMNS)}) "
                   f"VALUES ({', '.join(['%s'] * len(COLUMNS))})")
    events_sql = (f"INSERT INTO tickets_ticketevent ({', '.join(EVENT_COLUMNS)}) "
                  f"VALUES ({', '.join(['%s'] * len(EVENT_COLUMNS))})")
    connection.ensure_connection()
    raw = connection.connection
    indexes = []
    if vendor == "sqlite":
        # A throwaway file: no journal, no fsync, and the ticket indexes rebuilt once at the end.
        raw.execute("PRAGMA journal_mode=OFF")
        raw.execute("PRAGMA synchronous=OFF")
        indexes = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                              "tbl_name = 'tickets_ticket' AND sql IS NOT NULL").fetchall()
        for name, _sql in indexes:
            raw.execute(f'DROP INDEX "{name}"')
    year = 365 * 86400
    for start in range(0, total, CHUNK):
        size = min(CHUNK, total - start)
        rows, events = generate_chunk(rng, start + 1, size, refs, vendor, year * start // total,
                                      year * (start + size) // total)
        if vendor == "postgresql":
            with raw.cursor() as cur:
                with cur.copy(f"COPY tickets_ticket ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                with cur.copy(f"COPY tickets_ticketevent ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
                    for row in events:
                        copy.write_row(row)
            raw.commit()
        else:  # the sqlite3 connection itself: no Django cursor wrapper per row
            raw.executemany(tickets_sql.replace("%s", "?"), rows)
            raw.executemany(events_sql.replace("%s", "?"), events)
            raw.commit()
        n_events += len(events)
        print(f"  {start + size:>9,} tickets", flush=True)
    for _name, sql in indexes:
        raw.execute(sql)
    raw.commit()
    return n_events


def time_ranking(rounds: int, label: str) -> None:
    from youhu.supervision.metrics import month_period, scorecard
    from youhu.supervision.ranking import monthly_ranking

    period = month_period(MONTH)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        table = monthly_ranking(period)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    total = scorecard(period)
    district = time.perf_counter() - start
    print(f"ranking of {len(table.ranked)} units (+{len(table.insufficient)} 样本不足) for {MONTH}, "
          f"{total.received:,} tickets in the month [{label}]: first {times[0]:.2f} s, best {min(times):.2f} s; "
          f"district scorecard {district:.2f} s", flush=True)


if __name__ == "__main__":
    main()
