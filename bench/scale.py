"""Time the staff's and the API's reads over N generated tickets (a year of a city's volume).

    .venv/bin/python bench/scale.py --tickets 1000000 --postgres postgres://postgres@127.0.0.1:5432/youhu_scale_bench
    .venv/bin/python bench/scale.py --tickets 20000                     # a throwaway SQLite file
    .venv/bin/python bench/scale.py --tickets 1000000 --postgres URL --reuse   # time again, no new data

The database the URL names is emptied and rebuilt (unless --reuse finds N tickets already there): the
demo district's reference data and users (`youhu demo load --tickets 300`), then N tickets generated
inside the database by one INSERT … SELECT per table (no rows through Python): dates over the year
before now, ≈ 5.7 % open (most of them recent), ≈ 5.5 events per ticket, a main-unit link for every
dispatched ticket (8 % with a co-handling unit), one inbox message per dispatch, the 住建局 leading
12 % of all tickets. Then every operation below runs through Django's test Client in-process, logged in
as a user of the role that uses it, and prints

    <operation> n=<N> median_ms=… p95_ms=…

over --rounds runs (the first run, cold, is included: the dashboard's caches are cleared before each).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DAY = 86400
SPAN = 365 * DAY
PRIME = 1_000_003  # the pseudo-random draws: (n * multiplier) mod a prime, one multiplier per draw

PROBLEMS = [
    ("路灯不亮", "夜间路灯连续多日不亮，行人出行不便"), ("噪音扰民", "夜间施工噪音很大，影响休息"),
    ("占道经营", "流动摊贩占用人行道经营，堵塞通行"), ("垃圾未清运", "生活垃圾堆放多日无人清运，气味难闻"),
    ("污水外溢", "下水道堵塞，污水外溢到路面"), ("违章停车", "车辆长期乱停放，堵塞消防通道"),
    ("道路破损", "路面坑洼破损，雨天积水严重"), ("树木倒伏", "台风后树木倒伏压住电线"),
    ("油烟污染", "餐馆油烟直排，居民无法开窗"), ("停水", "小区突然停水，没有提前通知"),
    ("电梯故障", "住宅电梯经常故障，老人上下楼困难"), ("工资拖欠", "公司拖欠工资三个月未发"),
    ("学位申请", "咨询小学学位申请材料和时间"), ("医保报销", "咨询异地就医医保报销流程"),
    ("井盖缺失", "人行道井盖缺失，存在安全隐患"), ("违建搭建", "楼顶违规搭建铁皮房"),
    ("公交调整", "公交线路调整后出行不便，希望恢复站点"), ("宠物扰民", "邻居饲养犬只夜间吠叫"),
    ("燃气异味", "楼道内有燃气异味，担心泄漏"), ("物业纠纷", "物业公司收费不透明，服务差"),
]
PLACES = ["小区门口", "市场旁", "学校附近", "公交站", "社区公园", "地铁站出口", "菜市场", "城中村巷口"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--postgres", help="postgres://… of the benchmark database (emptied and rebuilt)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the generated data if N tickets are there")
    parser.add_argument("--only", help="comma-separated operation names to time")
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="youhu-bench-scale-"))
    os.environ["YOUHU_VAR_DIR"] = str(var_dir)
    os.environ["YOUHU_DEBUG"] = "0"  # as in production: no per-query logging
    os.environ.setdefault("YOUHU_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["YOUHU_DATABASE_URL"] = args.postgres or f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test Client's host and response capture, on the real database
    from django.core.management import call_command
    from django.db import connection

    from youhu.tickets.models import Ticket

    call_command("migrate", verbosity=0)  # reused data gets this checkout's indexes
    if not (args.reuse and Ticket.objects.count() >= args.tickets):
        started = time.perf_counter()
        build(args.tickets)
        print(f"# generated {args.tickets:,} tickets on {connection.vendor} in {time.perf_counter() - started:.0f} s",
              flush=True)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cur:  # reused data: statistics as autovacuum would have them after
            cur.execute("ANALYZE")  # the last run's writes (escalation passes touch every waiting ticket)
    describe()
    build_rollup(args.tickets)
    only = set(args.only.split(",")) if args.only else None
    if only is None or any(name.startswith("dashboard") for name in only):
        build_dashboard()
    for name, run in operations(args.tickets):
        if only and name not in only:
            continue
        timed(name, args.tickets, args.rounds, run)


# ---------------------------------------------------------------- generation


def build(n: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # a clean schema: the generated rows and the demo's go together
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("demo", "load", "--tickets", "300", stdout=quiet)
    _pick_tables()
    sql = Dialect(connection.vendor, n)
    with connection.cursor() as cur:
        start_id = _scalar(cur, "SELECT COALESCE(MAX(id), 0) FROM tickets_ticket") + 1
        with _bulk_load(cur, GENERATED, postgres=connection.vendor == "postgresql"):
            cur.execute(sql.tickets(start_id))
            for statement in sql.links(start_id):
                cur.execute(statement)
        for table in GENERATED:
            if connection.vendor == "postgresql":  # identity columns continue after the generated ids
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        for table in ("scale_units", "scale_cats", "scale_streets", "scale_texts"):
            cur.execute(f"DROP TABLE {table}")
        cur.execute("ANALYZE")  # fresh statistics, as autovacuum would have them


GENERATED = ("tickets_ticket", "tickets_ticketunit", "tickets_ticketevent", "tickets_notification")


@contextmanager
def _bulk_load(cur, tables: tuple[str, ...], postgres: bool) -> Iterator[None]:
    """On PostgreSQL, load as a restore does: secondary indexes built once after the rows, not row by row.

    Foreign keys and the append-only triggers are not checked per row (`session_replication_role`): the
    generator derives every reference from rows already there. The constraints' own indexes (primary
    keys, unique) stay. Generating 1 M tickets took 727 s with every index maintained row by row.
    """
    if not postgres:
        yield
        return
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
        "WHERE i.schemaname = 'public' AND i.tablename = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)", [list(tables)])
    indexes = cur.fetchall()
    for name, _definition in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    cur.execute("SET session_replication_role = replica")
    cur.execute("SET maintenance_work_mem = '1GB'")
    try:
        yield
    finally:
        cur.execute("SET session_replication_role = DEFAULT")
        for _name, definition in indexes:
            cur.execute(definition)


def _scalar(cur, sql: str):
    cur.execute(sql)
    return cur.fetchone()[0]


def _pick_tables() -> None:
    """Small numbered tables the generator joins on: units (the 住建局 first), streets, leaf categories, texts."""
    from django.db import connection

    from youhu.directory.models import Area, Unit
    from youhu.taxonomy.models import Category

    # One district carries the whole volume (the harsher case for its staff's pages): the measured unit's.
    Dialect.district_id = Unit.objects.get(code="D-ZJJ").district_id
    units = list(Unit.objects.filter(kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.STREET_OFFICE],
                                     district_id=Dialect.district_id).order_by("code").values_list("pk", "code"))
    units.sort(key=lambda u: u[1] != "D-ZJJ")
    streets = list(Area.objects.filter(kind=Area.Kind.STREET, district_id=Dialect.district_id)
                   .order_by("pk").values_list("pk", flat=True))
    cats = list(Category.objects.filter(children__isnull=True).order_by("pk").values_list("pk", flat=True))
    street_names = list(Area.objects.filter(kind=Area.Kind.COMMUNITY).values_list("name", flat=True))[:40] or ["某"]
    texts = [(f"{place}{title}", f"{street}{place}{body}，请尽快处理。")
             for street in street_names for place in PLACES for title, body in PROBLEMS]
    with connection.cursor() as cur:
        for table, rows in (("scale_units", [(i, pk) for i, (pk, _code) in enumerate(units)]),
                            ("scale_streets", list(enumerate(streets))), ("scale_cats", list(enumerate(cats)))):
            cur.execute(f"CREATE TABLE {table} (i integer PRIMARY KEY, ref bigint NOT NULL)")
            cur.executemany(f"INSERT INTO {table} VALUES (%s, %s)", rows)
        cur.execute("CREATE TABLE scale_texts (i integer PRIMARY KEY, title text NOT NULL, content text NOT NULL)")
        cur.executemany("INSERT INTO scale_texts VALUES (%s, %s, %s)", [(i, *t) for i, t in enumerate(texts)])
        cur.execute("SELECT (SELECT COUNT(*) FROM scale_units), (SELECT COUNT(*) FROM scale_streets), "
                    "(SELECT COUNT(*) FROM scale_cats), (SELECT COUNT(*) FROM scale_texts)")
        Dialect.sizes = cur.fetchone()


class Dialect:
    """The generator's SQL, written once, with the few spellings PostgreSQL and SQLite differ in."""

    sizes: tuple[int, int, int, int] = (1, 1, 1, 1)
    district_id: int | None = None

    def __init__(self, vendor: str, n: int):
        from youhu import clock

        self.pg, self.n = vendor == "postgresql", n
        self.start = (clock.now() - timedelta(seconds=SPAN)).strftime("%Y-%m-%d %H:%M:%S")

    def seq(self) -> str:
        if self.pg:
            return f"SELECT g::bigint AS n FROM generate_series(1, {self.n}) g"
        return f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {self.n}) SELECT n FROM s"

    def ts(self, seconds: str) -> str:
        if self.pg:
            return f"(TIMESTAMPTZ '{self.start}+00' + ({seconds}) * INTERVAL '1 second')"
        return f"strftime('%Y-%m-%d %H:%M:%S', '{self.start}', '+' || ({seconds}) || ' seconds')"

    def maybe_ts(self, cond: str, seconds: str) -> str:
        return f"CASE WHEN {cond} THEN {self.ts(seconds)} END"

    def day(self, seconds: str) -> str:  # the local date of a ticket number
        if self.pg:
            return f"to_char({self.ts(seconds)} AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')"
        return f"strftime('%Y%m%d', {self.ts(seconds)}, '+8 hours')"

    def pad6(self, expr: str) -> str:
        return f"lpad(({expr})::text, 6, '0')" if self.pg else f"substr('000000' || ({expr}), -6)"

    def tickets(self, start_id: int) -> str:
        n_units, n_streets, n_cats, n_texts = self.sizes
        step = SPAN // self.n
        # r1..r6: independent-looking draws per ticket; c = seconds since the start of the year.
        draws = ", ".join(f"(n * {m}) % {PRIME} AS r{k}" for k, m in
                          enumerate((7919, 104729, 15485863, 32452843, 49979687, 67867967), start=1))
        base = (f"SELECT n, {draws}, (n - 1) * {SPAN} / {self.n} + (n * 7907) % {step + 1} AS c FROM ({self.seq()}) seq")
        # Open: most of the last 30 days' tickets, and 2 % of older ones (overdue).
        plan = (f"SELECT b.*, CASE WHEN ({SPAN} - c < 30 * {DAY} AND r1 % 1000 < 450) OR r1 % 1000 < 20 THEN "
                f"CASE WHEN r2 % 100 < 3 THEN 'new' WHEN r2 % 100 < 10 THEN 'registered' "
                f"WHEN r2 % 100 < 30 THEN 'dispatched' ELSE 'handling' END "
                f"WHEN {SPAN} - c < 14 * {DAY} AND r2 % 100 < 40 THEN 'replied' "
                f"WHEN r3 % 100 < 20 THEN 'direct' ELSE 'closed' END AS st, "
                f"CASE WHEN r4 % 100 < 12 THEN 0 ELSE 1 + r4 % {n_units - 1} END AS ui FROM ({base}) b")
        dispatched = "st NOT IN ('new', 'registered', 'direct')"
        accepted = "st NOT IN ('new', 'registered', 'direct', 'dispatched')"
        replied = "st IN ('replied', 'closed')"
        took = f"(3600 + r5 % (12 * {DAY}))"
        due = f"c + 7200 + CASE WHEN r6 % 10 < 3 THEN 3 ELSE 15 END * {DAY}"
        columns = {
            "id": f"{start_id - 1} + n",
            "number": f"{self.day('c')} || '-' || {self.pad6('500000 + n % 500000')}",
            "tracking_code_hash": "''", "channel": "CASE WHEN r5 % 3 = 0 THEN 'hotline' ELSE 'web' END",
            "external_id": "''", "title": "tx.title", "content": "tx.content",
            "appeal_type": "CASE WHEN r6 % 5 = 0 THEN 'consultation' ELSE 'complaint' END",
            "urgency": "CASE WHEN r6 % 50 = 0 THEN 'urgent' ELSE 'normal' END",
            "appellant_name": "'张先生'", "appellant_phone": "'139' || " + self.pad6("n % 1000000") + " || '00'",
            "address": "''", "location_unresolved": "FALSE", "photo": "''",
            "status": "CASE st WHEN 'direct' THEN 'closed' ELSE st END", "version": "0",
            "created_at": self.ts("c"),
            "registered_at": self.maybe_ts("st <> 'new'", "c + 300"),
            "dispatched_at": self.maybe_ts(dispatched, "c + 1800"),
            "accepted_at": self.maybe_ts(accepted, "c + 3600"),
            "replied_at": self.maybe_ts(replied, f"c + {took}"),
            "closed_at": self.maybe_ts("st IN ('closed', 'direct')", f"c + {took} + 2 * {DAY}"),
            "accept_due": self.maybe_ts(dispatched, "c + 1800 + 7200"),
            "reply_due": self.maybe_ts(dispatched, due),
            "due_estimated": "FALSE",
            "reply_text": f"CASE WHEN {replied} OR st = 'direct' THEN '经核查，已安排处理。' ELSE '' END",
            "replied_on_time": f"CASE WHEN {replied} THEN ({took} < 3 * {DAY} OR r6 % 100 > 3) END",
            "accepted_on_time": f"CASE WHEN {accepted} THEN TRUE END",
            "handling_working_days": f"CASE WHEN {replied} THEN {took} / {DAY} END",
            "co_parts_waived": "FALSE",
            "review_resolved": "CASE WHEN st = 'closed' THEN r3 % 100 < 85 END",
            "review_satisfaction": "CASE WHEN st <> 'closed' THEN '' WHEN r2 % 100 < 75 THEN 'satisfied' "
                                   "WHEN r2 % 100 < 90 THEN 'basically' ELSE 'dissatisfied' END",
            "review_comment": "''",
            "reviewed_at": self.maybe_ts("st = 'closed'", f"c + {took} + 2 * {DAY}"),
            "close_reason": "CASE st WHEN 'closed' THEN 'reviewed' WHEN 'direct' THEN 'answered_directly' ELSE '' END",
            "return_count": "CASE WHEN r5 % 50 = 0 AND st <> 'direct' THEN 1 ELSE 0 END",
            "reopen_count": "0", "extension_count": "0",
            "category_id": "ca.ref", "main_unit_id": f"CASE WHEN {dispatched} THEN un.ref END",
            "street_id": "st_.ref", "reply_withheld": "FALSE",
            "district_id": "NULL" if self.district_id is None else str(self.district_id),
        }
        return (f"INSERT INTO tickets_ticket ({', '.join(columns)}) SELECT {', '.join(columns.values())} "
                f"FROM ({plan}) p JOIN scale_units un ON un.i = p.ui "
                f"JOIN scale_streets st_ ON st_.i = p.r2 % {n_streets} JOIN scale_cats ca ON ca.i = p.r3 % {n_cats} "
                f"JOIN scale_texts tx ON tx.i = (p.r4 + p.r5) % {n_texts}")

    def links(self, start_id: int) -> list[str]:
        """Unit links, events and inbox messages, each derived from the generated tickets' columns."""
        n_units = self.sizes[0]
        mine = f"t.id >= {start_id}"
        co_unit = f"(SELECT ref FROM scale_units WHERE i = 1 + (t.id * 31) % {n_units - 1})"
        # (step, action, from, to, the ticket column it happened at, which tickets have it)
        steps = [
            (0, "create", "", "new", "created_at", "TRUE"),
            (1, "register", "new", "registered", "registered_at", "t.registered_at IS NOT NULL"),
            (2, "answer_directly", "registered", "closed", "closed_at", "t.close_reason = 'answered_directly'"),
            (3, "dispatch", "registered", "dispatched", "dispatched_at", "t.dispatched_at IS NOT NULL"),
            (4, "accept", "dispatched", "handling", "accepted_at", "t.accepted_at IS NOT NULL"),
            (5, "handle", "handling", "handling", "accepted_at", "t.accepted_at IS NOT NULL AND t.id % 2 = 0"),
            (6, "reply", "handling", "replied", "replied_at", "t.replied_at IS NOT NULL"),
            (7, "review", "replied", "closed", "reviewed_at", "t.reviewed_at IS NOT NULL"),
        ]
        events = " UNION ALL ".join(
            f"SELECT t.id AS ticket_id, '{action}' AS action, '{frm}' AS from_status, '{to}' AS to_status, "
            f"t.{column} AS at, t.main_unit_id AS unit_id, {k} AS k FROM tickets_ticket t WHERE {mine} AND {cond}"
            for k, action, frm, to, column, cond in steps)
        return [
            "INSERT INTO tickets_ticketunit (ticket_id, unit_id, role, active, part_text) "
            f"SELECT t.id, t.main_unit_id, 'main', TRUE, '' FROM tickets_ticket t WHERE {mine} AND t.main_unit_id IS NOT NULL",
            "INSERT INTO tickets_ticketunit (ticket_id, unit_id, role, active, part_text) "
            f"SELECT t.id, {co_unit}, 'co', TRUE, '' FROM tickets_ticket t "
            f"WHERE {mine} AND t.main_unit_id IS NOT NULL AND t.id % 12 = 0",
            "INSERT INTO tickets_ticketevent (ticket_id, action, actor_label, unit_id, at, from_status, to_status, "
            f"reason, payload, public) SELECT ticket_id, action, '系统', unit_id, at, from_status, to_status, '', "
            f"'{{}}', FALSE FROM ({events}) e ORDER BY ticket_id, k",
            "INSERT INTO tickets_notification (ticket_id, unit_id, kind, message, created_at, read_at) "
            f"SELECT t.id, t.main_unit_id, 'dispatch', '新派单：' || t.number, t.dispatched_at, "
            f"CASE WHEN t.status IN ('dispatched', 'handling') AND t.id % 2 = 0 THEN NULL "
            f"ELSE t.dispatched_at + {'INTERVAL ' + chr(39) + '1 hour' + chr(39) if self.pg else '0'} END "
            f"FROM tickets_ticket t WHERE {mine} AND t.dispatched_at IS NOT NULL",
        ]


def describe() -> None:
    from django.db.models import Count

    from youhu.tickets.models import OPEN_STATUSES, Ticket, TicketEvent

    total = Ticket.objects.count()
    open_ = Ticket.objects.filter(status__in=OPEN_STATUSES).count()
    events = TicketEvent.objects.count()
    biggest = (Ticket.objects.filter(main_unit__isnull=False).values("main_unit__code").annotate(n=Count("id")).order_by("-n").first() or {})
    print(f"# {total:,} tickets, {open_ / total:.1%} open, {events / total:.2f} events per ticket; "
          f"largest unit {biggest.get('main_unit__code')} leads {biggest.get('n', 0):,}", flush=True)


def build_dashboard() -> None:
    """What `youhu dashboard rollup --all` and `youhu dashboard figures` do (the queue's first refresh and its
    five-minutely figures): the dashboard's requests read these, never the tickets."""
    from youhu.dashboard import rollup, stored

    started = time.perf_counter()
    rows = rollup.rebuild()
    print(f"# dashboard rollup built: {rows:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    scopes = stored.compute_all()
    print(f"# dashboard hotspots and 三率 of {scopes} scopes computed in {time.perf_counter() - started:.1f} s",
          flush=True)


def build_rollup(n: int) -> None:
    """The supervision figures' daily rollup, built whole as `youhu supervision rollup --all` does, so the timed
    pages read it; then the last 30 days counted again, what a refresh costs when a city's changes of ten minutes
    touch every recent day (docs/scale.md, "Monthly rollup")."""
    from datetime import timedelta

    from django.utils import timezone

    from youhu import clock
    from youhu.supervision import rollup

    started = time.perf_counter()
    built = rollup.build()
    print(f"supervision_rollup_build n={n} ms={(time.perf_counter() - started) * 1000:.0f} rows={built.rows}",
          flush=True)
    today = timezone.localdate(clock.now())
    started = time.perf_counter()
    rows = rollup.recompute_days(today - timedelta(days=29), today)
    print(f"supervision_rollup_refresh_30d n={n} ms={(time.perf_counter() - started) * 1000:.0f} rows={rows}",
          flush=True)


# ---------------------------------------------------------------- timing


def timed(name: str, n: int, rounds: int, run: Callable[[], None]) -> None:
    from django.core.cache import caches

    times = []
    for _ in range(rounds):
        for alias in caches:  # cold every round: the dashboard's per-process caches would hide the query
            caches[alias].clear()
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    in_order = "/".join(f"{t:.0f}" for t in times)  # the first round may differ (a cold cache, a backlog)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{name} n={n} median_ms={statistics.median(times):.0f} p95_ms={p95:.0f} rounds_ms={in_order}", flush=True)


def _client(username: str):
    from django.test import Client

    from youhu.directory.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _get(client, url: str, status: int = 200) -> Callable[[], None]:
    def run() -> None:
        response = client.get(url, secure=True)
        assert response.status_code == status, (url, response.status_code, response.content[:300])
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    return run


def operations(n: int) -> list[tuple[str, Callable[[], None]]]:
    from django.utils import timezone

    from youhu import clock
    from youhu.dashboard import rollup, stored
    from youhu.dashboard.models import Computed
    from youhu.escalation.services import run_pass
    from youhu.tickets.models import Ticket

    handler, dispatcher, supervisor, admin = (_client(u) for u in ("zjj", "dispatcher1", "supervisor1", "admin"))
    now = timezone.localtime(clock.now())
    month = f"{now:%Y-%m}"
    last_month = f"{(now.replace(day=1) - timedelta(days=1)):%Y-%m}"
    ticket = Ticket.objects.filter(main_unit__code="D-ZJJ", status="handling").order_by("-id").first()
    week_ago = (now - timedelta(days=7)).date()
    mid = (now - timedelta(days=180)).date()
    start, end = (now - timedelta(days=3)), (now - timedelta(days=2))
    z = "%2B08:00"
    # A community, a place and a problem: one of the generator's 6,400 texts.
    rare = (Ticket.objects.filter(pk__gt=1000).values_list("content", flat=True).first() or "路灯不亮")[:12]

    # The REST list half a year deep: the cursor of the page that starts there (a checkout without
    # cursors ignores the parameter and answers the first page, with its count).
    first = handler.get(f"/api/tickets?page_size=50&created_to={mid}", secure=True).json()
    far_cursor = first.get("next_cursor") or ""

    def appeal() -> None:
        response = dispatcher.post("/api/tickets", {
            "title": "小区门口路灯不亮", "content": "赤岗社区小区门口路灯连续多日不亮，夜间行人出行不便，请尽快处理。",
            "channel": "web", "appellant_name": "王女士", "appellant_phone": "13800001111",
        }, content_type="application/json", secure=True)
        assert response.status_code == 201, response.content[:300]

    def dashboard_figures() -> None:  # the queue's five-minutely job, from nothing stored
        Computed.objects.all().delete()
        stored.compute_all()

    return [
        ("workbench_unit", _get(handler, "/")),
        ("ticket_list_unit", _get(handler, "/tickets/")),
        ("dispatcher_queue", _get(dispatcher, "/dispatch/")),
        ("search_keyword", _get(dispatcher, "/tickets/?q=井盖缺失")),  # in 1 of 20 texts: 5 % of all
        ("search_keyword_rare", _get(dispatcher, f"/tickets/?q={rare}")),  # one text of 6,400: 0.016 %
        ("search_number", _get(dispatcher, f"/tickets/?q={ticket.number if ticket else 'x'}")),
        ("search_date_range", _get(dispatcher, f"/tickets/?date_from={week_ago}&date_to={now.date()}")),
        ("ticket_page", _get(handler, f"/tickets/{ticket.number}/" if ticket else "/")),
        ("inbox", _get(handler, "/inbox/")),
        ("dashboard_summary_30d", _get(supervisor, "/api/dashboard/summary?days=30")),
        ("dashboard_hotspots", _get(supervisor, "/api/dashboard/hotspots")),
        ("dashboard_streets", _get(supervisor, "/api/dashboard/streets")),
        # the queue's side of the dashboard (dashboard.tasks): the minutely refresh, the nightly re-roll of
        # 90 days, and every scope's hotspots and 三率 (the city's and each district's)
        ("dashboard_rollup_refresh", lambda: rollup.refresh()),
        ("dashboard_rollup_reroll", lambda: rollup.reroll_recent()),
        ("dashboard_figures_compute", dashboard_figures),
        ("supervision_metrics", _get(supervisor, f"/api/supervision/metrics?month={last_month}")),
        ("supervision_ranking", _get(supervisor, f"/api/supervision/ranking?month={last_month}")),
        ("monthly_workbook", _get(supervisor, f"/supervision/report.xlsx?month={last_month}")),
        ("escalation_pass", lambda: run_pass(now=clock.now())),
        ("rest_list_unit", _get(handler, "/api/tickets?page_size=50")),
        ("rest_list_far_cursor", _get(handler, f"/api/tickets?page_size=50&cursor={far_cursor}")),
        # Offset 49,950 is refused (400, "use next_cursor"); offset 9,950 is the deepest numbered page served.
        ("rest_list_page_1000", _get(handler, "/api/tickets?page_size=50&page=1000", status=400)),
        ("rest_list_page_200", _get(handler, "/api/tickets?page_size=50&page=200")),
        ("open311_requests_by_date", _get(dispatcher, f"/open311/v2/requests.json?start_date={start:%Y-%m-%dT%H:%M:%S}{z}"
                                                      f"&end_date={end:%Y-%m-%dT%H:%M:%S}{z}")),
        ("admin_ticket_list", _get(admin, "/admin/tickets/ticket/")),
        ("submit_appeal_with_triage", appeal),
        ("supervision_home", _get(supervisor, f"/supervision/?month={month}")),
    ]


if __name__ == "__main__":
    main()
