"""Crash test (#19): kill -9 one web worker and the triage worker under load; nothing acknowledged is lost and
every appeal is triaged within two minutes of the triage worker's restart.

gunicorn (gunicorn.conf.py, 2 workers) and `youhu run_huey` (with its periodic tasks: the lease take-back and
the sweep) run on a fresh PostgreSQL database and, by default, a Redis queue; a thread pool posts appeals
(deferred triage: each one's triage goes through the queue). A third of the way in, one gunicorn worker and
the whole `run_huey` process group get SIGKILL; the triage worker stays down `--down` seconds and is started
again while the load goes on. Printed: posted / acknowledged, lost (acknowledged, not in the database: must
be 0), tickets triaged twice, and the seconds from the restart until no acknowledged appeal is NEW (< 120).

    .venv/bin/python bench/crash.py [--appeals 1500] [--threads 16] [--down 5]
        [--postgres postgres://postgres@127.0.0.1:5432/youhu_notify] [--redis redis://127.0.0.1:6379/1 | --redis ""]
        [--port 18010]

Not part of `make test`: it takes a few minutes and kills processes. It needs the shared data (../shared).
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import threading
import time

import cluster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=1500)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--down", type=float, default=5.0, help="seconds the triage worker stays down")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/youhu_notify",
                        help="the database to use (dropped and created anew)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/1",
                        help='the queue (flushed first); "" = the SQLite queue file')
    parser.add_argument("--port", type=int, default=18010)
    parser.add_argument("--timeout", type=float, default=600, help="give up waiting for triage after this")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="youhu-crash-")
    database = cluster.fresh_postgres(args.postgres)
    if args.redis:
        cluster.flush_redis(args.redis)
    env = cluster.environment(var_dir, database, args.redis)
    huey_env = {**env, "YOUHU_LOG_LEVEL": "WARNING"}  # its recovery warnings in its log
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; queue: {args.redis or 'SQLite'}")
    key = cluster.set_up(env)
    web = cluster.start_gunicorn(env, args.port)
    huey = cluster.start_youhu(huey_env, "run_huey")
    db = cluster.Database(database)
    load = cluster.Load(key, [args.port], args.appeals, threads=args.threads, tag="crash")
    crash = Crash(web, huey, huey_env, args.appeals // 3, args.down, db)
    try:
        elapsed = load.run(crash.maybe)
        load_end = time.perf_counter()
        crash.done.wait(timeout=120)
        print(f"posted {load.posted}, acknowledged {len(load.acked)} in {elapsed:.1f} s "
              f"({len(load.errors)} not acknowledged: their connection was cut by the kill or refused)")
        print(f"at the kill: web worker {crash.web_pid} and the triage worker's group (pids {crash.huey_pids}) "
              f"killed with SIGKILL after {crash.at_acked} acknowledged; {crash.leased_at_kill} tickets were leased "
              f"then, {crash.new_at_kill} NEW")
        lost = db.missing(load.acked)
        waited = db.wait_until_triaged(load.acked, args.timeout)
        since_restart = (time.perf_counter() - crash.restarted_at) if waited is not None else None
        crash.recovered.wait(timeout=5)
        print(f"triage worker down {args.down:.0f} s; the load went on {load_end - crash.restarted_at:.1f} s after "
              f"its restart; output in {var_dir}")
        print(f"lost (acknowledged but not in the database): {lost}")
        print(f"the {crash.leased_at_kill} tickets the killed worker held leased: "
              + (f"triaged {crash.leased_recovered:.1f} s after the restart" if crash.leased_recovered is not None
                 else "not yet triaged"))
        print(f"triaged more than once: {db.triaged_more_than_once()}; still NEW: {db.still_new(load.acked)}")
        print("every acknowledged appeal triaged "
              + (f"{since_restart:.1f} s after the triage worker's restart (target < 120 s)"
                 if since_restart is not None else f"NOT within {args.timeout:.0f} s"))
        for error in load.errors[:3]:
            print(f"  e.g. {error}")
    finally:
        cluster.stop(web, crash.huey or huey)


class Crash:
    """Kills once the load has `after` acknowledgements, then restarts the triage worker `down` s later."""

    def __init__(self, web, huey, env, after: int, down: float, db: cluster.Database):
        self.web, self.first_huey, self.env, self.after, self.down, self.db = web, huey, env, after, down, db
        self.huey = None
        self.started = threading.Event()
        self.done = threading.Event()
        self.recovered = threading.Event()
        self.web_pid = self.huey_pids = self.at_acked = self.leased_at_kill = self.new_at_kill = None
        self.restarted_at = 0.0
        self.leased_ids: list[int] = []
        self.leased_recovered: float | None = None

    def maybe(self, acked: int) -> None:
        if acked >= self.after and not self.started.is_set():
            self.started.set()
            threading.Thread(target=self._kill_and_restart, args=(acked,), daemon=True).start()

    def _kill_and_restart(self, acked: int) -> None:
        self.at_acked = acked
        self.web_pid = cluster.children(self.web.pid)[0]
        os.kill(self.web_pid, signal.SIGKILL)  # gunicorn's master starts another
        self.huey_pids = [self.first_huey.pid, *cluster.children(self.first_huey.pid)]
        cluster.kill_group(self.first_huey)  # the consumer and its worker processes, mid-task
        self.leased_ids = self.db.leased_ids()
        self.leased_at_kill = len(self.leased_ids)
        self.new_at_kill = self.db.one("SELECT count(*) FROM tickets_ticket WHERE status = 'new'")
        time.sleep(self.down)
        self.restarted_at = time.perf_counter()
        self.huey = cluster.start_youhu(self.env, "run_huey")
        self.done.set()
        # How soon the killed worker's own batch (leased, its tasks consumed) is triaged again.
        while self.db.one("SELECT count(*) FROM tickets_ticket WHERE id = ANY(%s) AND status = 'new'",
                          self.leased_ids) and time.perf_counter() - self.restarted_at < 600:
            time.sleep(0.2)
        self.leased_recovered = time.perf_counter() - self.restarted_at
        self.recovered.set()


if __name__ == "__main__":
    main()
