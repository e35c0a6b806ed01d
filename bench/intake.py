"""Intake throughput: tickets/s through the REST API under gunicorn, and rows/s through the hotline import.

Sets up a throwaway SQLite database, a dispatcher with an API key, starts gunicorn on 127.0.0.1 and lets
N concurrent clients POST /api/tickets (keep-alive connections of one asyncio load generator). Afterwards every
acknowledged (201) ticket number must be in the database. Then imports 10,000 rows built from the shared CSVs.
Targets on the 2-core machine: >= 500 tickets/s through the API, >= 2,000 rows/s by import.

    .venv/bin/python bench/intake.py [--clients 32] [--tickets 6000] [--workers 2] [--threads 1]
                                     [--triage deferred|inline] [--rows 10000] [--phones] [--no-receipts]
                                     [--triage-worker [--worker-nice 0]] [--huey "-w 1 -k thread"]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from shared_data import require

REPO = Path(__file__).resolve().parents[1]
SHARED = ["appeals/labeled_appeals.csv", "hotspot/messages_with_votes.csv", "replies/messages_with_replies.csv"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(var_dir: str, triage: str, database_url: str = "") -> dict[str, str]:
    return {**os.environ, "YOUHU_VAR_DIR": var_dir,
            "YOUHU_DATABASE_URL": database_url or f"sqlite:///{var_dir}/bench.sqlite3",
            # production settings, but plain http on 127.0.0.1 and a throwaway secret key
            "YOUHU_DEBUG": "0", "YOUHU_HTTPS": "0", "YOUHU_SECRET_KEY": secrets.token_urlsafe(50),
            "YOUHU_RATELIMIT": "0", "YOUHU_TRIAGE": triage, "YOUHU_LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "youhu.settings",
            # the model `make demo` trains (trained here if missing), so that triage classifies for real
            "YOUHU_MODEL_DIR": os.environ.get("YOUHU_MODEL_DIR", str(REPO / "var" / "models"))}


# ---------------------------------------------------------------- the load generator
# One asyncio process holding N keep-alive connections: the clients share this machine's 2 cores with the
# server, so they must cost as little as possible (a thread per client with http.client took about a third
# of the machine). Each connection is one client that waits for its answer before sending the next appeal.


def _shared_rows() -> list[dict[str, str]]:
    """The rows of the shared CSVs of real appeals (the folder as youhu.settings.SHARED_DIR finds it)."""
    shared = Path(os.environ.get("YOUHU_SHARED_DIR", REPO.parent / "shared")) / "data"
    require(*(shared / name for name in SHARED))
    rows: list[dict[str, str]] = []
    for name in SHARED:
        with (shared / name).open(encoding="utf-8") as f:
            rows += csv.DictReader(f)
    return rows


def _appeals() -> list[tuple[str, str]]:
    """(title, text) of the real appeals in the shared CSVs, cut to the API's limits."""
    return [((r["title"] or r["text"][:30])[:200], r["text"][:5000]) for r in _shared_rows() if r["text"].strip()]


APPEALS: list[tuple[str, str]] = []


def _request(key: str, tag: str, i: int) -> bytes:
    if not APPEALS:
        APPEALS.extend(_appeals())
    title, text = APPEALS[(hash(tag) + i * 7919) % len(APPEALS)]
    # A phone number per appellant: with one number for all, the SMS receipts' daily cap per number would
    # skip all but the first few and the cap's count would grow with the run (an abuse case, not intake's).
    body = json.dumps({"title": title, "content": text, "appellant_phone": f"138{(hash(tag) + i) % 10**8:08d}",
                       "external_id": f"{tag}-{i}"}, ensure_ascii=False).encode()
    head = (f"POST /api/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {key}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    at = lower.index(b"content-length:") + 15
    body = await reader.readexactly(int(lower[at:lower.index(b"\r\n", at)]))
    return status, body, b"connection: close" in lower


async def _client(port: int, requests: list[bytes], acked: list[str], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for request in requests:
        try:
            writer.write(request)
            status, body, close = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            close = True
        else:
            if status == 201:
                acked.append(json.loads(body)["number"])
            else:
                errors.append(f"{status}: {body[:200]!r}")
        if close:
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()


def _load(port: int, key: str, clients: int, per_client: int, prefix: str) -> tuple[list[str], list[str]]:
    acked: list[str] = []
    errors: list[str] = []

    # Built beforehand so that the timed run spends nothing on them; a hung server ends the run (timeout).
    work = [[_request(key, f"{prefix}{c}", i) for i in range(per_client)] for c in range(clients)]

    async def everyone() -> None:
        await asyncio.wait_for(asyncio.gather(*(_client(port, w, acked, errors) for w in work)), timeout=600)

    asyncio.run(everyone())
    return acked, errors


def run_api(args, var_dir: str) -> None:
    database_url = _fresh_postgres(args.postgres) if args.postgres else ""
    env = _env(var_dir, args.triage, database_url)
    if args.worker_nice is not None:
        env["YOUHU_QUEUE_NICE"] = str(args.worker_nice)
    key = subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=REPO, check=True, capture_output=True,
                         text=True).stdout.strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "youhu.wsgi:application", "-c", str(REPO / "gunicorn.conf.py"),
         "-b", f"127.0.0.1:{port}", "-w", str(args.workers), "-k", args.worker_class, "--threads", str(args.threads),
         "--log-level", "error"],
        env={**env, "YOUHU_CLIENTS": str(args.clients)}, cwd=REPO)
    worker = None
    try:
        _wait_for(port)
        _warm_up(port, key)
        if args.triage_worker:  # as in production: the triage worker runs while appeals come in
            youhu = str(Path(sys.executable).with_name("youhu"))
            worker = subprocess.Popen([youhu, "run_huey", "--no-periodic",
                                       *args.huey.split()], env=env, cwd=REPO)
        per_client = max(1, args.tickets // args.clients)
        cpu_before = _server_cpu_seconds(server.pid)
        client_cpu_before = time.process_time()
        started = time.perf_counter()
        acked, errors = _load(port, key, args.clients, per_client, "c")
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu_before
        cpu = _server_cpu_seconds(server.pid) - cpu_before
        if worker is not None:
            print(f"     triage worker alongside: {_wait_for_triage(env, elapsed)}")
            triage_cpu = _server_cpu_seconds(worker.pid, postgres=False)  # started with the load
            print(f"     triage worker CPU per ticket {triage_cpu / max(len(acked), 1) * 1000:.2f} ms "
                  f"(huey's own work included)")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
    stored = subprocess.run([sys.executable, "-c", CHECK], env=env, cwd=REPO, input="\n".join(acked), check=True,
                            capture_output=True, text=True).stdout.strip().splitlines()[-1]
    missing = len(acked) - int(stored)
    print(f"API  ({args.triage} triage, gunicorn {args.workers} workers x {args.threads} threads, "
          f"{args.clients} concurrent clients)")
    print(f"     {len(acked)} tickets acknowledged in {elapsed:.1f} s = {len(acked) / elapsed:.0f} tickets/s; "
          f"errors: {len(errors)}; acknowledged but missing from the database: {missing}")
    per_request = cpu / max(len(acked), 1) * 1000
    print(f"     server CPU per ticket {per_request:.2f} ms -> capacity of {os.cpu_count()} idle cores "
          f"~{os.cpu_count() * 1000 / per_request:.0f} tickets/s (machine load average {os.getloadavg()[0]:.1f})")
    print(f"     load generator CPU per ticket {client_cpu / max(len(acked), 1) * 1000:.2f} ms")
    for e in errors[:5]:
        print(f"     error: {e}")
    if args.triage == "deferred" and not args.skip_drain and not args.triage_worker:
        _drain(env, args.huey)


def _wait_for_triage(env: dict[str, str], load_seconds: float) -> str:
    return subprocess.run([sys.executable, "-c", WAIT, str(load_seconds)], env=env, cwd=REPO, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]


def _drain(env: dict[str, str], huey_args: str) -> None:
    """How fast the huey worker works the queue off (classification, location, routing, auto-dispatch),
    worker start-up included."""
    out = subprocess.run([sys.executable, "-c", DRAIN, huey_args], env=env, cwd=REPO, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    print(f"     triage worker: {out}")


def _fresh_postgres(url: str) -> str:
    """A new empty database `youhu_bench_intake` on the server of `url` (dropped first if it exists)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS youhu_bench_intake WITH (FORCE)")
        conn.execute("CREATE DATABASE youhu_bench_intake")
    return url.rsplit("/", 1)[0] + "/youhu_bench_intake"


def _postgres_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _comm(p) == "postgres"]


def _comm(proc: Path) -> str:
    try:
        return (proc / "comm").read_text().strip()
    except OSError:
        return ""


def _server_cpu_seconds(master: int, postgres: bool = True) -> float:
    """CPU time (user + system) so far of a process and its children (gunicorn and its workers, huey and
    its workers), and of the PostgreSQL server's processes if it runs here, from /proc: load-independent
    cost per request."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in [master, *map(int, children), *(_postgres_pids() if postgres else [])]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


def _warm_up(port: int, key: str) -> None:
    _acked, errors = _load(port, key, 8, 5, "warm")
    if errors:
        sys.exit(f"warm-up failed: {errors[:3]}")


SETUP = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("model", "ensure")
from youhu.demo.loader import load_demo
load_demo(0)  # the demo district's streets, units, categories and routing rules, no tickets
from youhu.directory.models import User
from youhu.access.keys import create_api_key
user = User.objects.create_user("bench", password="bench-pass-1")
user.set_roles(["dispatcher"])
print(create_api_key(user, name="bench").secret)
"""

CHECK = """
import sys, django; django.setup()
from youhu.tickets.models import Ticket
numbers = [n for n in sys.stdin.read().split() if n]
found = 0
for i in range(0, len(numbers), 500):
    found += Ticket.objects.filter(number__in=numbers[i:i + 500]).count()
print(found)
"""

WAIT = """
import sys, time, django; django.setup()
from youhu.dispatch.models import Suggestion
from youhu.tickets.models import Status, Ticket
load_seconds = float(sys.argv[1])
during = Suggestion.objects.count()
start = time.perf_counter()
while time.perf_counter() - start < 600 and Ticket.objects.filter(status=Status.NEW).exists():
    time.sleep(0.5)
after = time.perf_counter() - start
done, total = Suggestion.objects.count(), Ticket.objects.count()
auto = Suggestion.objects.filter(outcome=Suggestion.Outcome.AUTO_DISPATCHED).count()
print(f"{during} triaged during the load ({during / load_seconds:.0f}/s); all {done} of {total} triaged "
      f"{after:.1f} s after it ({done / (load_seconds + after):.0f}/s overall), {auto} dispatched automatically")
"""

DRAIN = """
import subprocess, sys, time, django; django.setup()
from pathlib import Path
from huey.contrib.djhuey import HUEY
from youhu.dispatch.models import Suggestion
from youhu.tickets.models import Status, Ticket
queued = HUEY.pending_count()
worker = subprocess.Popen([str(Path(sys.executable).with_name("youhu")), "run_huey", "--no-periodic",
                           *sys.argv[1].split()])
start = time.perf_counter()
while time.perf_counter() - start < 30 and Suggestion.objects.count() < queued:
    time.sleep(0.2)
elapsed = time.perf_counter() - start
worker.terminate(); worker.wait(timeout=30)
done = Suggestion.objects.count()
print(f"{done} of {queued} queued tickets triaged by `youhu run_huey {sys.argv[1]}` in {elapsed:.1f} s "
      f"= {done / elapsed:.0f} tickets/s (still NEW {Ticket.objects.filter(status=Status.NEW).count()})")
"""


# ---------------------------------------------------------------- import


def build_rows(n: int, phones: bool = False) -> bytes:
    """n rows cycling over the shared exports (ids made unique), as the hotline would export them; with
    `phones`, each with its own mobile number (so each appellant gets the SMS receipt)."""
    rows = [(r["title"], r["received_at"], r["text"]) for r in _shared_rows()]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "title", "received_at", "text", *(["联系电话"] if phones else [])])
    for i in range(n):
        title, received, text = rows[i % len(rows)]
        writer.writerow([f"B{i}", title, received, text, *([f"139{i:08d}"] if phones else [])])
    return out.getvalue().encode("utf-8")


def run_import(args, var_dir: str) -> None:
    os.environ.update(_env(var_dir, "deferred"))
    os.environ["YOUHU_DATABASE_URL"] = f"sqlite:///{var_dir}/import.sqlite3"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    from youhu.intake.importing import ImportOptions, import_appeals
    from youhu.tickets.models import Ticket, TicketEvent

    call_command("migrate", verbosity=0)
    from youhu.notify.models import Message

    data = build_rows(args.rows, phones=args.phones)
    started = time.perf_counter()
    result = import_appeals(data, name="bench.csv", options=ImportOptions(receipts=not args.no_receipts))
    elapsed = time.perf_counter() - started
    again = time.perf_counter()
    repeat = import_appeals(data, name="bench.csv", options=ImportOptions())
    repeat_elapsed = time.perf_counter() - again
    events = TicketEvent.objects.filter(action="create").count()
    print(f"IMPORT {result.total} rows in {elapsed:.2f} s = {result.total / elapsed:.0f} rows/s "
          f"(created {result.created}, rejected {len(result.rejected)}, create events {events}, "
          f"tickets {Ticket.objects.count()}); re-import: {repeat.created} created, {repeat.skipped} skipped "
          f"in {repeat_elapsed:.2f} s; outbox rows {Message.objects.count()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--tickets", type=int, default=6000)
    parser.add_argument("--workers", type=int, default=2)
    # Defaults as in gunicorn.conf.py. Measured with 32 clients (2026-11-22): 2 x 1 590-630 tickets/s at
    # 2.5-2.6 ms server CPU per ticket; 3 x 1 and 4 x 1 ~370 (more contending writers); 2 x 2 273-599, erratic
    # (the lock holder waits for the GIL); `--worker-class sync` ~400-435 (a connection per request).
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--triage", choices=["deferred", "inline"], default="deferred")
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--postgres", metavar="URL", default="",
                        help="run the API on PostgreSQL (a fresh database youhu_bench_intake on that server), "
                             "e.g. postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--phones", action="store_true", help="import rows with mobile numbers (SMS receipts)")
    parser.add_argument("--no-receipts", action="store_true", help="import with ImportOptions(receipts=False)")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--scratch", default=None, help="where the throwaway databases go (default: the temp dir)")
    parser.add_argument("--skip-drain", action="store_true", help="do not time the triage worker afterwards")
    parser.add_argument("--huey", default="", metavar="ARGS",
                        help='options for the triage worker, e.g. "-k thread -w 1" '
                             "(default: the settings', one process per core)")
    parser.add_argument("--worker-nice", type=int, default=None,
                        help="YOUHU_QUEUE_NICE for the triage worker (default: the settings' 10; 0: the API's priority)")
    parser.add_argument("--triage-worker", action="store_true",
                        help="run `youhu run_huey` during the load (as in production) and wait for it to finish")
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="youhu-bench-intake-", dir=args.scratch)
    print(f"scratch: {var_dir}  (load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if not args.skip_api:
        run_api(args, var_dir)
    if not args.skip_import:
        run_import(args, var_dir)


if __name__ == "__main__":
    main()
