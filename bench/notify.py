"""Notification delivery: deliveries/s through the generic SMS transport to a local receiver, and what the
outbox adds to registering a ticket.

1. Writes N outbox rows (registration receipts), then delivers them with T threads calling the queue task's
   body (`youhu.notify.delivery.deliver`: claim the row, POST {"to","text","id"} to the receiver, record the
   answer: two committed transactions per message), against a receiver in a process of its own (stdlib
   ThreadingHTTPServer, 127.0.0.1). Target on the 2-core machine: >= 200 deliveries/s.
2. Registers M appeals with a phone number through `intake.flows.submit_appeal` (no classifier, so triage
   only registers) alternately with the outbox on and off (YOUHU_NOTIFY["ENABLED"]), in-process: the difference
   (wall and CPU time) is the outbox's cost per ticket in intake's write section (short link, daily-cap count, the outbox row, and
   the task queued after commit on huey's SQLite queue). It does not include delivery, which the worker does.

    .venv/bin/python bench/notify.py [--messages 2000] [--threads 4] [--tickets 600]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gateways do
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall between them
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
s = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H); s.daemon_threads = True; s.serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"the receiver did not start on port {port}")


def deliveries(n: int, threads: int) -> tuple[float, float]:
    from django.db import connection

    from youhu.notify import delivery, outbox
    from youhu.notify.models import Message, Status

    notices = [outbox.Notice("resident.registered", ticket_id=i, number=f"20260302-{i:06d}",
                             phone=f"139{i % 100_000_000:08d}", code="K7QX2M9P") for i in range(n)]
    for start in range(0, n, 500):
        outbox.tell(*notices[start:start + 500])
    ids = list(Message.objects.filter(status=Status.PENDING).values_list("pk", flat=True))
    assert len(ids) == n, f"{len(ids)} pending of {n}"

    def work(chunk: list[int]) -> None:
        for pk in chunk:
            delivery.deliver(pk)
        connection.close()

    chunks = [ids[i::threads] for i in range(threads)]
    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, chunks))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    sent = Message.objects.filter(pk__in=ids, status=Status.SENT).count()
    assert sent == n, f"only {sent} of {n} sent: {Message.objects.exclude(status=Status.SENT).first().reason}"
    return n / elapsed, cpu / n * 1000


def registration_cost(tickets: int, settings) -> tuple[float, float, float, float]:
    """ms per appeal (wall, this process's CPU) with the outbox, then without."""
    from youhu.dispatch.services import use_classifier
    from youhu.intake.flows import submit_appeal
    from youhu.tickets.services import NewAppeal

    def block(enabled: bool, count: int, offset: int) -> tuple[float, float]:
        settings.YOUHU_NOTIFY["ENABLED"] = enabled
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(count):
            submit_appeal(NewAppeal(title="路灯不亮", content=f"第 {offset + i} 号路口路灯一周不亮。", channel="web",
                                    appellant_phone=f"137{(offset + i) % 100_000_000:08d}"))
        return time.perf_counter() - started, time.process_time() - cpu

    totals = {True: [0.0, 0.0], False: [0.0, 0.0]}
    size = 25
    rounds = max(1, tickets // (2 * size))
    with use_classifier(None):
        block(True, 20, 10**7)  # warm-up: first queries, first queue write
        for round_ in range(rounds):
            for enabled in (True, False):
                wall, cpu = block(enabled, size, (2 * round_ + (not enabled)) * size)
                totals[enabled][0] += wall
                totals[enabled][1] += cpu
    settings.YOUHU_NOTIFY["ENABLED"] = True
    n = rounds * size / 1000
    return totals[True][0] / n, totals[True][1] / n, totals[False][0] / n, totals[False][1] / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--tickets", type=int, default=600)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="youhu-bench-notify-")
    port = _free_port()
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port)])
    os.environ.update(YOUHU_VAR_DIR=scratch, YOUHU_DATABASE_URL=f"sqlite:///{scratch}/bench.sqlite3",
                      YOUHU_SMS_URL=f"http://127.0.0.1:{port}/sms", YOUHU_LOG_LEVEL="ERROR", YOUHU_DEBUG="0",
                      DJANGO_SETTINGS_MODULE="youhu.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        _wait_for_port(port)
        rate, cpu_ms = deliveries(args.messages, args.threads)
        print(f"deliveries through the generic SMS transport: {rate:.0f}/s "
              f"({args.messages} messages, {args.threads} threads; target >= 200/s); "
              f"{cpu_ms:.2f} ms of this process's CPU per delivery (the receiver runs apart), "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        wall_on, cpu_on, wall_off, cpu_off = registration_cost(args.tickets, settings)
        print(f"registering an appeal with a phone number (submit_appeal, no classifier): "
              f"{wall_on:.2f} ms ({cpu_on:.2f} ms CPU) with the outbox, {wall_off:.2f} ms ({cpu_off:.2f} ms CPU) "
              f"without: the outbox adds {wall_on - wall_off:.2f} ms ({cpu_on - cpu_off:.2f} ms CPU) per ticket "
              f"({args.tickets} tickets, alternating blocks of 25)")
    finally:
        receiver.kill()


if __name__ == "__main__":
    main()
