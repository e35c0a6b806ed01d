"""`youhu escalate`: one escalation pass, or `--loop` as a scheduler-style process."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from youhu.escalation.services import DEFAULT_BATCH, DEFAULT_LIMIT, run_pass


class Command(BaseCommand):
    help = "催办、督办、书面通报，并归档回访期满的工单。默认执行一轮；--loop 按间隔反复执行，直到收到 SIGTERM/SIGINT。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running, one pass every --interval seconds")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between passes (with --loop)")
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="tickets locked per transaction")
        parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                            help="tickets one pass looks at, at most (earliest due first; the next pass goes on)")

    def handle(self, *args, loop: bool, interval: float, batch: int, limit: int, **options):
        if interval <= 0:
            raise CommandError("--interval must be positive")
        if batch < 1:
            raise CommandError("--batch must be positive")
        if limit < 1:
            raise CommandError("--limit must be positive")
        if not loop:
            self.stdout.write(str(run_pass(batch=batch, limit=limit)))
            return
        stopping = threading.Event()

        def request_stop(signum, _frame):
            # Finish the batch in hand (each is one transaction), then leave.
            self.stderr.write(f"收到信号 {signal.Signals(signum).name}，本轮当前批次完成后退出")
            stopping.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not stopping.is_set():
                if not connection.in_atomic_block:  # never drop a connection mid-transaction
                    close_old_connections()  # a long-lived process must not keep a broken connection
                try:
                    summary = run_pass(batch=batch, stop=stopping.is_set, limit=limit)
                except Exception as exc:  # noqa: BLE001 - a scheduler survives one failed pass
                    self.stderr.write(f"本轮失败：{exc!r}")
                else:
                    self.stdout.write(str(summary))
                stopping.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("escalate: stopped")
