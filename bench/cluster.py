"""What bench/crash.py and bench/multi_node.py share: a fresh PostgreSQL database and Redis queue, gunicorn and
`youhu run_huey` processes started and killed, appeals posted from a thread pool, and the checks afterwards read
straight from the database (acknowledged but missing, still NEW, triaged more than once).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from intake import REPO, SETUP, _appeals, _env, _wait_for

BIN = Path(sys.executable).parent


def fresh_postgres(url: str) -> str:
    """Drop and create the database `url` names (on its server), empty."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def environment(var_dir: str, database_url: str, redis_url: str) -> dict[str, str]:
    env = _env(var_dir, "deferred", database_url)  # every appeal's triage through the queue
    if redis_url:
        env["YOUHU_REDIS_URL"] = redis_url
    return env


def set_up(env: dict[str, str]) -> str:
    """Migrate, load the demo district without tickets, and return a dispatcher's API key."""
    out = subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=REPO, check=True, capture_output=True,
                         text=True)
    return out.stdout.strip().splitlines()[-1]


def start_gunicorn(env: dict[str, str], port: int, workers: int = 2) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "youhu.wsgi:application", "-c", str(REPO / "gunicorn.conf.py"),
         "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "error"],
        env=env, cwd=REPO, start_new_session=True)
    _wait_for(port)
    return server


def start_youhu(env: dict[str, str], *args: str) -> subprocess.Popen:
    """`youhu run_huey`, `youhu escalate --loop`, ...: in a process group of its own, so that kill_group takes
    its workers with it; its output appended to youhu-<command>.log in the scratch folder."""
    log = open(Path(env["YOUHU_VAR_DIR"]) / f"youhu-{args[0]}.log", "ab")  # noqa: SIM115 (the child's)
    try:
        return subprocess.Popen([str(BIN / "youhu"), *args], env=env, cwd=REPO, start_new_session=True,
                                stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=60)


def stop(*processes: subprocess.Popen | None) -> None:
    """SIGTERM, then SIGKILL after 30 s."""
    for process in processes:
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
    for process in processes:
        if process is not None:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill_group(process)


@dataclass
class Load:
    """Appeals posted by a thread pool, each thread on its own keep-alive connection to one of `ports`."""

    key: str
    ports: list[int]
    appeals: int
    threads: int = 16
    tag: str = "load"
    acked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    posted: int = 0
    per_port: dict[int, int] = field(default_factory=dict)  # acknowledged by each web server
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, on_progress: Callable[[int], None] | None = None) -> float:
        """Post every appeal; `on_progress(acknowledged so far)` is called after each answer. Returns seconds."""
        texts = _appeals()
        per_thread = [list(range(t, self.appeals, self.threads)) for t in range(self.threads)]
        started = time.perf_counter()
        with ThreadPoolExecutor(self.threads) as pool:
            for done in pool.map(lambda n: self._client(n, per_thread[n], texts, on_progress), range(self.threads)):
                del done
        return time.perf_counter() - started

    def _client(self, n: int, items: list[int], texts: list[tuple[str, str]],
                on_progress: Callable[[int], None] | None) -> None:
        port = self.ports[n % len(self.ports)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in items:
            title, text = texts[(i * 7919) % len(texts)]
            body = json.dumps({"title": title, "content": text, "appellant_phone": f"138{i:08d}",
                               "external_id": f"{self.tag}-{i}"}, ensure_ascii=False).encode()
            with self._lock:
                self.posted += 1
            try:
                conn.request("POST", "/api/tickets", body, {"Content-Type": "application/json",
                                                            "Authorization": f"Bearer {self.key}"})
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as exc:  # the worker serving it was killed
                self._record(error=f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            if response.status == 201:
                self._record(number=json.loads(answer)["number"], port=port)
            else:
                self._record(error=f"{response.status}: {answer[:200]!r}")
            if on_progress is not None:
                on_progress(len(self.acked))
        conn.close()

    def _record(self, *, number: str = "", error: str = "", port: int = 0) -> None:
        with self._lock:
            if number:
                self.acked.append(number)
                self.per_port[port] = self.per_port.get(port, 0) + 1
            else:
                self.errors.append(error)


class Database:
    """The checks, read with psycopg straight from the database the servers use."""

    def __init__(self, url: str):
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)

    def one(self, sql: str, *params) -> int:
        return int(self.conn.execute(sql, params).fetchone()[0])

    def missing(self, numbers: list[str]) -> int:
        return len(numbers) - self.one("SELECT count(*) FROM tickets_ticket WHERE number = ANY(%s)", numbers)

    def still_new(self, numbers: list[str]) -> int:
        return self.one("SELECT count(*) FROM tickets_ticket WHERE number = ANY(%s) AND status = 'new'", numbers)

    def leased_ids(self) -> list[int]:
        return [row[0] for row in self.conn.execute("SELECT ticket_id FROM dispatch_triagelease")]

    def triaged_more_than_once(self) -> int:
        return self.one("SELECT count(*) FROM (SELECT ticket_id FROM dispatch_suggestion GROUP BY ticket_id "
                        "HAVING count(*) > 1) AS twice")

    def wait_until_triaged(self, numbers: list[str], timeout: float) -> float | None:
        """Seconds until none of these tickets is NEW, or None after `timeout`."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if not self.still_new(numbers):
                return time.perf_counter() - started
            time.sleep(0.5)
        return None


class Gateway:
    """A local stand-in for the SMS gateway and the units' WeCom robots on one fixed port: it answers every POST
    as accepted and keeps what it was sent, to count deliveries."""

    def __init__(self, port: int):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received: list[tuple[str, dict]] = []  # (path, JSON body)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                gateway.received.append((self.path, body))
                data = b'{"errcode": 0, "errmsg": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
