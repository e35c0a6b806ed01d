"""Triage CPU per ticket (classify, explain, locate, route, duplicate search, dispatch), in-process, by batch size.

A throwaway SQLite database with the demo district, the trained model (`youhu model ensure`) and N triaged
real appeals as the duplicate pools; then fresh appeals are triaged with `dispatch.services.triage_many` in
batches of each size. Prints CPU ms and SQL statements per ticket: what a triage worker spends on a ticket
apart from the queue (bench/intake.py measures the worker with its queue, beside the API).

    .venv/bin/python bench/triage.py [--existing 3000] [--tickets 640] [--batches 1,4,8,16,32]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _setup(var_dir: str) -> None:
    os.environ.update({"YOUHU_VAR_DIR": var_dir, "YOUHU_DATABASE_URL": f"sqlite:///{var_dir}/triage.sqlite3",
                       "YOUHU_DEBUG": "0", "YOUHU_SECRET_KEY": secrets.token_urlsafe(50), "YOUHU_TRIAGE": "deferred", "YOUHU_LOG_LEVEL": "ERROR",
                       "DJANGO_SETTINGS_MODULE": "youhu.settings"})
    os.environ.setdefault("YOUHU_MODEL_DIR", str(REPO / "var" / "models"))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    from youhu.demo.loader import load_demo

    call_command("migrate", verbosity=0)
    call_command("model", "ensure")
    load_demo(0)  # the district's streets, units, categories and routing rules, no tickets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--existing", type=int, default=3000, help="appeals triaged beforehand (the pools)")
    parser.add_argument("--tickets", type=int, default=640, help="appeals triaged per batch size")
    parser.add_argument("--batches", default="1,4,8,16,32")
    args = parser.parse_args()
    _setup(tempfile.mkdtemp(prefix="youhu-bench-triage-"))

    from django.db import connection, transaction
    from intake import APPEALS, _appeals  # the bench's reader of the shared real appeals

    from youhu.dispatch import services as dispatch
    from youhu.dispatch.classifier import load_default
    from youhu.tickets import services as tickets
    from youhu.tickets.models import Ticket

    APPEALS.extend(_appeals())
    load_default()
    made = 0

    def new_tickets(n: int) -> list[Ticket]:
        nonlocal made
        texts = [APPEALS[(made + i) * 7919 % len(APPEALS)] for i in range(n)]
        with transaction.atomic():
            created = [tickets.create_ticket(tickets.NewAppeal(title=title, content=content, channel="api",
                                                               appellant_phone="13800138000"), by=None)
                       for title, content in texts]
        made += n
        return list(Ticket.objects.filter(pk__in=[t.pk for t in created]).order_by("pk"))

    def triage_in(batch: int, todo: list[Ticket]) -> None:
        for start in range(0, len(todo), batch):
            dispatch.triage_many(todo[start:start + batch])

    triage_in(32, new_tickets(args.existing))
    print(f"triage in-process, SQLite, demo district, {args.existing} appeals triaged before "
          f"({Ticket.objects.count()} tickets)")
    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    for batch in (int(b) for b in args.batches.split(",")):
        todo = new_tickets(args.tickets if batch > 1 else max(args.tickets // 4, 1))
        statements[0] = 0
        cpu = time.process_time()
        with connection.execute_wrapper(count):
            triage_in(batch, todo)
        cpu = time.process_time() - cpu
        print(f"  batches of {batch:>2}: {cpu / len(todo) * 1000:5.2f} ms CPU and "
              f"{statements[0] / len(todo):4.1f} SQL statements per ticket ({len(todo)} tickets)")


if __name__ == "__main__":
    main()
