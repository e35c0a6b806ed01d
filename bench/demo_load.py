"""Benchmark: `youhu demo load` on a fresh SQLite database (target: well under 2 minutes).

    .venv/bin/python bench/demo_load.py                 # 2,000 tickets, throwaway SQLite file in /tmp
    .venv/bin/python bench/demo_load.py --tickets 500

Migrates a throwaway database, loads the demo district, prints wall and CPU time per phase and what
was created, then loads again and checks that the second load creates nothing. The dispatch model is
not trained here: triage falls back to registering when there is none (train it first with
`youhu model ensure` and point YOUHU_MODEL_DIR at it to include classification in the figures).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=2000)
    args = parser.parse_args()
    os.environ["YOUHU_VAR_DIR"] = tempfile.mkdtemp(prefix="youhu_bench_demo_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    os.environ["YOUHU_DEBUG"] = "0"  # as `youhu demo load` does: no SQL log while loading
    os.environ.setdefault("YOUHU_SECRET_KEY", secrets.token_urlsafe(50))  # which DEBUG off requires
    import logging

    import django

    django.setup()
    logging.disable(logging.ERROR)
    from django.apps import apps
    from django.core.management import call_command

    from youhu.demo.loader import load_demo

    call_command("migrate", verbosity=0)

    def counts() -> dict[str, int]:
        return {m._meta.label: m.objects.count() for m in apps.get_models()
                if m._meta.app_label in ("directory", "taxonomy", "tickets", "demo", "enterprise")}

    cpu = time.process_time()
    summary = load_demo(args.tickets)
    cpu = time.process_time() - cpu
    print(f"demo load, {args.tickets} tickets, fresh SQLite ({os.environ['YOUHU_VAR_DIR']}):")
    print(f"  wall {summary.seconds:.1f} s, CPU {cpu:.1f} s; per phase (wall): "
          + ", ".join(f"{k} {v:.1f} s" for k, v in summary.phases.items()))
    print(f"  machine load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    first = counts()
    for label, n in first.items():
        if n:
            print(f"  {label:32s} {n:7d}")
    again = load_demo(args.tickets)
    print(f"second load: {again.seconds:.1f} s, created nothing: {counts() == first}")


if __name__ == "__main__":
    main()
