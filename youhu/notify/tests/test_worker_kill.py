"""`youhu run_huey` delivers, and kill -9 of it mid-delivery loses nothing and sends nothing twice.

The gateway here behaves as the generic SMS contract asks: a repeated "id" is the same message (answered 200,
not delivered again). The worker is killed while a request is in flight and the gateway takes that request
afterwards: the worst case, where the gateway has the message and the outbox does not know it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .receivers import Receiver

pytestmark = pytest.mark.slow

SUBMIT = """
import sys, django
django.setup()
from django.core.management import call_command
if sys.argv[3:] == ["migrate"]:  # one interpreter start fewer: each costs seconds on a busy machine
    call_command("migrate", verbosity=0)
from youhu.dispatch.services import use_classifier
from youhu.intake.flows import submit_appeal
from youhu.tickets.services import NewAppeal
numbers = []
with use_classifier(None):
    for i in range(int(sys.argv[1]), int(sys.argv[2])):
        t = submit_appeal(NewAppeal(title="路灯不亮", content=f"第 {i} 号路口路灯一周不亮。", channel="web",
                                    appellant_phone=f"1380013{i:04d}"))
        numbers.append(t.number)
print(" ".join(numbers))
"""


class Gateway:
    """Records every request; delivers each id once; holds the `hold_at`-th request until released."""

    def __init__(self):
        self.requests: list[str] = []
        self.delivered: dict[str, str] = {}
        self.hold_at: int | None = None
        self.holding, self.release = threading.Event(), threading.Event()
        self.lock = threading.Lock()

    def __call__(self, seen):
        body = seen.json()
        with self.lock:
            self.requests.append(body["id"])
            hold = len(self.requests) == self.hold_at
        if hold:
            self.holding.set()
            self.release.wait(30)
        with self.lock:
            self.delivered.setdefault(body["id"], body["text"])  # the gateway has it from here on
        return 200, {"accepted": body["id"]}


def rows(db: Path) -> dict[int, str]:
    with sqlite3.connect(db, timeout=20) as conn:
        return dict(conn.execute("SELECT id, status FROM notify_message"))


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_mid_delivery(tmp_path):
    gateway = Gateway()
    receiver = Receiver(gateway).start()
    db = tmp_path / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("YOUHU_")}
    env.update(YOUHU_VAR_DIR=str(tmp_path), YOUHU_DATABASE_URL=f"sqlite:///{db}", YOUHU_SMS_URL=receiver.url + "/sms",
               YOUHU_QUEUE_WORKERS="2", YOUHU_QUEUE_NICE="0", YOUHU_TRIAGE="inline", DJANGO_SETTINGS_MODULE="youhu.settings")
    youhu = [sys.executable, "-m", "youhu.cli"]

    def submit(first: int, last: int, *extra: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", SUBMIT, str(first), str(last), *extra], env=env, check=True,
                              capture_output=True, text=True, timeout=120)
        return done.stdout.split()

    def start_worker() -> subprocess.Popen:
        return subprocess.Popen([*youhu, "run_huey"], env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    [number] = submit(0, 1, "migrate")
    worker = start_worker()
    try:
        # Done when: an appeal with a phone number, the worker running: one SMS with the ticket number.
        wait_for(lambda: gateway.delivered, 20, "the registration SMS")
        assert len(gateway.requests) == 1 and number in next(iter(gateway.delivered.values()))

        gateway.hold_at = len(gateway.requests) + 6
        numbers = submit(1, 21)
        assert gateway.holding.wait(30), "the worker never reached the held request"
        os.killpg(worker.pid, signal.SIGKILL)  # the consumer and its worker processes, mid-request
        worker.wait(10)
        gateway.release.set()  # the gateway now takes the in-flight message: the worker never learns it
        at_kill = rows(db)
        sent_before = {str(pk) for pk, status in at_kill.items() if status == "sent"}
        in_doubt = {str(pk) for pk, status in at_kill.items() if status == "sending"}
        requests_before = len(gateway.requests)
        assert len(at_kill) == 21 and in_doubt, at_kill

        worker = start_worker()
        # The queue sweeps every minute; the command does the same at once, counting any attempt as dead.
        swept = subprocess.run([*youhu, "notify_sweep", "--stuck-after", "0", "--late-after", "0"], env=env,
                               check=True, capture_output=True, text=True, timeout=60)
        assert f"resent with the same id: {len(in_doubt)}" in swept.stdout
        final = wait_for(lambda: (r := rows(db)) and all(s == "sent" for s in r.values()) and r, 60,
                         "every message sent")
    finally:
        gateway.release.set()
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
        receiver.stop()

    assert len(final) == 21  # nothing lost
    ids = {str(pk) for pk in final}
    assert set(gateway.delivered) == ids  # every message reached the gateway, each delivered once
    with sqlite3.connect(db) as conn:
        numbers_by_id = {str(pk): n for pk, n in conn.execute("SELECT id, ticket_number FROM notify_message")}
    assert sorted(numbers_by_id.values()) == sorted([number, *numbers])
    for pk, text in gateway.delivered.items():
        assert numbers_by_id[pk] in text, text  # each SMS carries its own ticket's number
    repeated = {i for i in ids if gateway.requests.count(i) > 1}
    assert repeated <= in_doubt  # only a message in flight at the kill was offered again, with its own id
    after = gateway.requests[requests_before:]
    assert not sent_before & set(after)  # nothing the outbox knew as sent was sent again
