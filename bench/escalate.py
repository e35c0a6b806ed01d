"""Benchmark: one escalation pass over 100,000 open tickets (target: under 10 seconds).

    .venv/bin/python bench/escalate.py                     # throwaway SQLite file in /tmp
    .venv/bin/python bench/escalate.py --postgres postgres://postgres@127.0.0.1:5432/youhu

Builds a throwaway database (a new SQLite file, or a new database on the PostgreSQL server that
is dropped afterwards), bulk-inserts the tickets with accept/reply deadlines spread around "now",
then times a first pass (which brings every waiting ticket forward, as the first pass after the upgrade
does, and sends the escalations), a second one (which must send nothing), one a minute later (what
`escalate --loop` runs all day) and one the next morning, and prints the plan of the candidate query
(the partial index of `next_escalation_at`).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=TZ)  # a Wednesday with a holiday (端午, 19 June) ahead


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000, help="open tickets to create")
    parser.add_argument("--replied", type=int, default=2_000, help="replied tickets (review-timeout close)")
    parser.add_argument("--units", type=int, default=40, help="handling units (each with a unit head)")
    parser.add_argument("--batch", type=int, default=None, help="tickets per transaction (default: the pass's)")
    parser.add_argument("--postgres", metavar="URL", help="server to create the throwaway database on")
    parser.add_argument("--seed", type=int, default=12345)
    return parser.parse_args()


def throwaway_postgres(url: str) -> tuple[str, Callable[[], None]]:
    """Create an empty database next to the one in `url`; return its URL and a function dropping it."""
    import psycopg

    parsed = urlparse(url)
    name = f"youhu_bench_escalate_{os.getpid()}"
    admin = dict(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                 user=parsed.username or "postgres", password=parsed.password or None, dbname="postgres",
                 autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunparse(parsed._replace(path=f"/{name}")), drop


def configure(args: argparse.Namespace) -> Callable[[], None]:
    var_dir = Path(tempfile.mkdtemp(prefix="youhu-bench-escalate-"))
    os.environ["YOUHU_VAR_DIR"] = str(var_dir)
    os.environ["YOUHU_DEBUG"] = "0"  # as in production: no per-query logging
    os.environ.setdefault("YOUHU_SECRET_KEY", secrets.token_urlsafe(50))  # which DEBUG off requires
    cleanup = lambda: None  # noqa: E731
    if args.postgres:
        os.environ["YOUHU_DATABASE_URL"], cleanup = throwaway_postgres(args.postgres)
    else:
        os.environ["YOUHU_DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    import django

    django.setup()
    return cleanup


def build(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from youhu.directory.models import Role, RoleGrant, Unit, User
    from youhu.taxonomy.models import AppealType, Category, DeadlineRule, Urgency
    from youhu.tickets.models import Channel, Status, Ticket
    from youhu.workdays import calendar

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    units = Unit.objects.bulk_create(
        [Unit(code=f"B{i:03d}", name=f"测试承办单位{i}", kind=Unit.Kind.DEPARTMENT) for i in range(args.units)])
    heads = User.objects.bulk_create(
        [User(username=f"head{i}", unit=unit, password="!") for i, unit in enumerate(units)])
    RoleGrant.objects.bulk_create([RoleGrant(user=u, role=Role.UNIT_HEAD) for u in heads])
    # A three-level tree like the real taxonomy (10 x 8 x 8 = 640 leaves), a rule on some branches.
    leaves = []
    for a in range(10):
        top = Category.objects.create(name=f"一级{a}", level=1, path=f"一级{a}")
        DeadlineRule.objects.create(category=top, appeal_type="", urgency=Urgency.NORMAL, accept_office_minutes=120,
                                    reply_working_days=10, remind_before_working_days=a % 4)
        for b in range(8):
            mid = Category.objects.create(name=f"二级{b}", level=2, path=f"{top.path}/二级{b}", parent=top)
            leaves += Category.objects.bulk_create([
                Category(name=f"三级{c}", level=3, path=f"{mid.path}/三级{c}", parent=mid) for c in range(8)])

    # End of office hours, 20 working days before now to 20 after.
    reply_dues = [calendar.add_working_days(NOW, offset).at for offset in range(21)] + [
        calendar.start_of_day(calendar.working_day_before(NOW.date(), back)).replace(hour=18)
        for back in range(1, 21)]

    rows = []
    for i in range(args.tickets + args.replied):
        replied = i >= args.tickets
        status = Status.REPLIED if replied else rng.choice([Status.DISPATCHED, Status.HANDLING, Status.HANDLING])
        dispatched = NOW - timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 600))
        rows.append(Ticket(
            number=f"20260101-{i + 1:06d}", channel=Channel.WEB, title="路灯不亮", content="夜间无照明",
            category=rng.choice(leaves), appeal_type=rng.choice(AppealType.values),
            urgency=Urgency.URGENT if rng.random() < 0.1 else Urgency.NORMAL, status=status, main_unit=units[i % len(units)], created_at=dispatched,
            dispatched_at=dispatched, registered_at=dispatched,
            accept_due=NOW + timedelta(minutes=rng.randint(-3 * 1440, 1440)) if status == Status.DISPATCHED else None,
            reply_due=rng.choice(reply_dues),
            replied_at=NOW - timedelta(days=rng.randint(0, 14)) if replied else None,
        ))
    with transaction.atomic():
        Ticket.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would have them
        cursor.execute("ANALYZE")


def explain() -> None:
    from youhu.escalation.services import _due_for_a_look

    # What a pass reads: the tickets whose next look has come (the generated rows have none until the first
    # pass brings every waiting ticket forward, as the first pass after the upgrade does).
    plan = _due_for_a_look(NOW).values_list("pk", flat=True).explain()
    print(f"  plan for the candidates: {' | '.join(plan.splitlines())}")


def timed_pass(label: str, batch: int | None, now: datetime = NOW) -> None:
    from youhu.escalation.services import run_pass

    started, cpu = time.perf_counter(), time.process_time()
    summary = run_pass(now=now, **({"batch": batch} if batch else {}))
    print(f"{label}: {time.perf_counter() - started:.2f} s wall, {time.process_time() - cpu:.2f} s CPU "
          f"of this process — {summary}")


def main() -> None:
    args = parse_args()
    cleanup = configure(args)
    try:
        from django.db import connection

        started = time.perf_counter()
        build(args)
        print(f"database: {connection.vendor}; built {args.tickets} open + {args.replied} replied tickets "
              f"in {time.perf_counter() - started:.1f} s; now = {NOW.isoformat()}")
        timed_pass("first pass ", args.batch)
        explain()
        timed_pass("second pass", args.batch)
        timed_pass("a minute on", args.batch, NOW + timedelta(minutes=1))  # what `escalate --loop` runs all day
        timed_pass("next morning", args.batch, NOW + timedelta(hours=22))  # what a day adds
        from youhu.escalation.models import Escalation
        from youhu.tickets.models import Notification, TicketEvent

        print(f"rows: escalations {Escalation.objects.count()}, events {TicketEvent.objects.count()}, "
              f"inbox messages {Notification.objects.count()}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
