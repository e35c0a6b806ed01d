"""Time the dashboard's data endpoints on the demo data.

Sets up a throwaway SQLite demo database (unless --var-dir points at an existing one), then requests
each endpoint as the demo supervisor and prints median and 95th-percentile times. Target: < 300 ms.

    .venv/bin/python bench/dashboard.py [--var-dir DIR] [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", help="an existing YOUHU_VAR_DIR with the demo loaded (default: a new temp one)")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    var_dir = args.var_dir or tempfile.mkdtemp(prefix="youhu-bench-dash-")
    os.environ["YOUHU_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from youhu.directory.models import User
    from youhu.tickets.models import Ticket

    if not args.var_dir:
        print(f"loading the demo into {var_dir} …", flush=True)
        call_command("migrate", verbosity=0)
        call_command("demo", "load")
    supervisor = User.objects.filter(role_grants__role="supervisor").order_by("pk").first()
    if supervisor is None:
        sys.exit("no supervisor user: is the demo loaded?")
    client = Client()
    client.force_login(supervisor)
    print(f"tickets in the database: {Ticket.objects.count()}")
    endpoints = [
        "/api/dashboard/summary?days=30", "/api/dashboard/summary?days=90", "/api/dashboard/streets",
        "/api/dashboard/hotspots",
    ]
    print(f"{'endpoint':40} {'median ms':>10} {'p95 ms':>8}")
    for url in endpoints:
        client.get(url)  # warm caches, as a refreshing page would have
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{url:40} {statistics.median(times):10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
