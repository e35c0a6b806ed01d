"""Several app servers (#20.4): two gunicorn instances, two `youhu run_huey` and two `youhu escalate --loop` on one
PostgreSQL database and one Redis; every appeal triaged once and every reminder (催办) sent once.

Appeals are posted to both web servers by a thread pool (deferred triage: each one's triage goes through the
shared Redis queue, taken by whichever worker gets it). Once all are triaged, the reply deadline of every
dispatched ticket is moved to the end of today, so that both escalation loops find the same 催办 due at once.
Every unit has a WeCom robot and the SMS gateway is set (both a local receiver), so deliveries are counted too.
Printed: appeals acknowledged / lost / triaged more than once; reminders due / recorded / recorded twice;
outbox rows and gateway deliveries per message (duplicates must be 0).

    .venv/bin/python bench/multi_node.py [--appeals 1000] [--threads 16]
        [--postgres postgres://postgres@127.0.0.1:5432/youhu_notify] [--redis redis://127.0.0.1:6379/1]
        [--ports 18011,18012,18013]

Not part of `make test` (a few minutes, six servers). It needs the shared data (../shared).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter

import cluster
from intake import REPO

ROBOTS = """
import sys, django; django.setup()
from youhu.directory.models import Unit
from youhu.notify.models import UnitChannel
url = sys.argv[1]
UnitChannel.objects.bulk_create([UnitChannel(unit=u, wecom_webhook=f"{url}/wecom/{u.pk}") for u in Unit.objects.all()])
"""

# The end of today (local time): the deadline's day is today and not past, so the pass's rule is 催办 (due_day).
# A new deadline is due for the pass's look at once (what the tickets services do when they change one).
DUE_TODAY = """
UPDATE tickets_ticket SET reply_due = date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai')
    AT TIME ZONE 'Asia/Shanghai' + interval '23 hours 58 minutes', next_escalation_at = now()
WHERE status IN ('dispatched', 'handling')
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/youhu_notify",
                        help="the database to use (dropped and created anew)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/1", help="the shared queue and cache (flushed)")
    parser.add_argument("--ports", default="18011,18012,18013", help="web server 1, web server 2, the gateway")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    web_ports, gateway_port = [int(p) for p in args.ports.split(",")[:2]], int(args.ports.split(",")[2])

    var_dir = tempfile.mkdtemp(prefix="youhu-multi-node-")
    database = cluster.fresh_postgres(args.postgres)
    cluster.flush_redis(args.redis)
    gateway = cluster.Gateway(gateway_port)
    env = {**cluster.environment(var_dir, database, args.redis), "YOUHU_SMS_URL": f"{gateway.url}/sms"}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; output in {var_dir}")
    key = cluster.set_up(env)
    subprocess.run([sys.executable, "-c", ROBOTS, gateway.url], env=env, cwd=REPO, check=True)
    node_env = {**env, "YOUHU_LOG_LEVEL": "WARNING"}
    processes = [cluster.start_gunicorn(env, port) for port in web_ports]
    try:
        # Two of each: what runs on each of two app servers.
        for _node in range(2):
            processes.append(cluster.start_youhu(node_env, "run_huey"))
            processes.append(cluster.start_youhu(node_env, "escalate", "--loop", "--interval", "2"))
        db = cluster.Database(database)
        load = cluster.Load(key, web_ports, args.appeals, threads=args.threads, tag="multi")
        elapsed = load.run()
        waited = db.wait_until_triaged(load.acked, args.timeout)
        print(f"appeals: posted {load.posted} to 2 web servers, acknowledged {len(load.acked)} in {elapsed:.1f} s; "
              f"lost {db.missing(load.acked)}; still NEW {db.still_new(load.acked)}"
              + (f" (all triaged {waited:.1f} s after the load)" if waited is not None else ""))
        print(f"  acknowledged per web server {load.per_port}; triaged more than once (suggestions per ticket > 1): "
              f"{db.triaged_more_than_once()}; tickets with a repeated register/dispatch event: "
              f"{db.one(REPEATED_EVENTS)}")
        check_reminders(db, args.timeout)
        wait_for_deliveries(db, args.timeout)
        check_deliveries(db, gateway)
        print(f"errors in the workers' and loops' logs: {errors_in(var_dir)}")
    finally:
        cluster.stop(*processes)
        gateway.stop()


REPEATED_EVENTS = """SELECT count(*) FROM (SELECT ticket_id, action FROM tickets_ticketevent
    WHERE action IN ('register', 'dispatch') GROUP BY ticket_id, action HAVING count(*) > 1) AS twice"""


def check_reminders(db: cluster.Database, timeout: float) -> None:
    due = db.conn.execute(DUE_TODAY).rowcount
    started = time.perf_counter()
    while time.perf_counter() - started < timeout and db.one(TODAYS_REMINDERS) < due:
        time.sleep(0.5)
    took = time.perf_counter() - started
    twice = db.one("SELECT count(*) FROM (SELECT ticket_id FROM escalation_escalation "
                   "GROUP BY ticket_id, deadline, due, kind, stage HAVING count(*) > 1) AS t")
    extra_events = db.one(EXTRA_EVENTS)
    print(f"reminders: {due} tickets made due today; {db.one(TODAYS_REMINDERS)} of their 催办 recorded by the two "
          f"loops in {took:.1f} s; escalations recorded twice: {twice}; tickets with more escalation events than "
          f"escalations: {extra_events} (all escalations {db.one('SELECT count(*) FROM escalation_escalation')}, "
          f"the demo's own tickets' 督办 and earlier 催办 among them)")


# The 催办 of the deadlines DUE_TODAY set (stage due_day, that deadline value).
TODAYS_REMINDERS = """SELECT count(*) FROM escalation_escalation e JOIN tickets_ticket t ON t.id = e.ticket_id
    WHERE e.kind = 'remind' AND e.stage = 'due_day' AND e.deadline = 'reply' AND e.due = t.reply_due"""

EXTRA_EVENTS = """SELECT count(*) FROM (SELECT ticket_id, action, count(*) AS n FROM tickets_ticketevent
    WHERE action IN ('remind', 'supervise', 'notice') GROUP BY 1, 2) ev
    JOIN (SELECT ticket_id, kind AS action, count(*) AS n FROM escalation_escalation GROUP BY 1, 2) es
    USING (ticket_id, action) WHERE ev.n > es.n"""

# Outbox rows per recipient beyond one per escalation (催办/督办/通报) or, for every other event, beyond one.
EXTRA_ROWS = """SELECT count(*) FROM (SELECT ticket_id, event, count(*) AS n FROM notify_message
    GROUP BY ticket_id, event, channel, unit_id, user_id, address) m
    LEFT JOIN (SELECT ticket_id, 'unit.' || kind AS event, count(*) AS n FROM escalation_escalation GROUP BY 1, 2) e
    USING (ticket_id, event) WHERE m.n > coalesce(e.n, 1)"""


def wait_for_deliveries(db: cluster.Database, timeout: float) -> None:
    started = time.perf_counter()
    while (time.perf_counter() - started < timeout
           and db.one("SELECT count(*) FROM notify_message WHERE status IN ('pending', 'sending')")):
        time.sleep(0.5)


def check_deliveries(db: cluster.Database, gateway: cluster.Gateway) -> None:
    rows = dict(db.conn.execute("SELECT status, count(*) FROM notify_message GROUP BY status").fetchall())
    repeated_rows = db.one(EXTRA_ROWS)
    sms = Counter(body["id"] for path, body in gateway.received if path == "/sms")
    robot = Counter((path, body["markdown"]["content"]) for path, body in gateway.received if path != "/sms")
    reminds = sum(1 for (_path, text) in robot if "催办" in text)
    remind_rows = db.one("SELECT count(*) FROM notify_message WHERE event = 'unit.remind'")
    print(f"outbox: {sum(rows.values())} rows {rows}; recipients with more rows for a ticket's event than it had "
          f"escalations (催办/督办/通报) or than one (any other event): {repeated_rows}")
    print(f"gateway: {sum(sms.values())} SMS for {len(sms)} outbox ids ({sum(1 for n in sms.values() if n > 1)} "
          f"ids twice); {sum(robot.values())} robot messages, {sum(1 for n in robot.values() if n > 1)} twice; "
          f"催办 robot messages {reminds} for {remind_rows} unit.remind rows")


def errors_in(var_dir: str) -> int:
    from pathlib import Path

    return sum(log.read_text(errors="replace").count("Traceback") for log in Path(var_dir).glob("youhu-*.log"))


if __name__ == "__main__":
    main()
