"""A bare clone's demo, checked: no ../shared, a fresh var folder, then set-up, then the site answers.

Run by `make test-standalone` (part of `make test`). In a temporary YOUHU_VAR_DIR, with YOUHU_SHARED_DIR an
empty temporary folder and SQLite, it runs `youhu migrate`, `youhu model ensure` and `youhu demo load
--tickets N` as a user would, then serves the site with gunicorn on a free local port and checks that:
the shipped model was used (none trained), the demo has its tickets, categories and generated texts, the
model classified them, the public portal and the login page answer over HTTP, and a demo dispatcher sees
the dispatch queue. Exits non-zero with the reason on the first failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TICKETS = int(os.environ.get("STANDALONE_TICKETS", "200"))


def run(env: dict[str, str], *args: str) -> str:
    print("$", " ".join(args), flush=True)
    done = subprocess.run([str(BIN / "youhu"), *args], env=env, cwd=REPO, capture_output=True, text=True)
    print(done.stdout[-2000:], done.stderr[-2000:], sep="", flush=True)
    if done.returncode:
        sys.exit(f"FAILED: youhu {' '.join(args)} exited {done.returncode}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, deadline: float) -> tuple[int, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except (ConnectionError, urllib.error.URLError) as exc:
            if isinstance(exc, urllib.error.HTTPError):
                return exc.code, exc.read().decode("utf-8", errors="replace")
            if time.monotonic() > deadline:
                sys.exit(f"FAILED: {url} did not answer ({exc})")
            time.sleep(0.5)


def check(condition: bool, what: str) -> None:
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        sys.exit(f"FAILED: {what}")


def check_database(env: dict[str, str]) -> None:
    """What the set-up left in the database, and a logged-in page (Django's test client)."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    import django

    django.setup()
    from django.test import Client

    from youhu.demo.district import DEMO_PASSWORD
    from youhu.dispatch.models import Suggestion
    from youhu.taxonomy.models import Category
    from youhu.tickets.models import Ticket

    check(Ticket.objects.count() >= TICKETS, f"the demo has {TICKETS} tickets")
    check(Category.objects.filter(level=1).count() >= 7, "the taxonomy is loaded from the repository")
    from youhu.demo.textgen import PROBLEMS

    check(Ticket.objects.filter(title__contains=PROBLEMS["环境保护"][1][0].title).exists(),
          "the demo's appeals are the generated ones")
    # Every generated title names its problem, so the category it was written for is known.
    written_for = {problem.title: label for label, (_unit, problems) in PROBLEMS.items() for problem in problems}
    suggestions = list(Suggestion.objects.exclude(label="").select_related("ticket"))
    check(len(suggestions) >= 5, f"the shipped model classified the triaged tickets ({len(suggestions)})")
    right = sum(1 for s in suggestions if any(written_for[t] == s.label for t in written_for if t in s.ticket.title))
    check(right >= 0.8 * len(suggestions), f"its labels are the generated texts' categories ({right}/{len(suggestions)})")
    client = Client()
    check(client.login(username="dispatcher1", password=DEMO_PASSWORD), "a demo dispatcher can log in")
    check(client.get("/dispatch/").status_code == 200, "the dispatch queue answers")
    check(client.get("/dashboard/").status_code == 200, "the dashboard answers")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="youhu-standalone-") as tmp:
        shared = Path(tmp) / "shared"
        shared.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("YOUHU_")}
        env |= {"YOUHU_VAR_DIR": str(Path(tmp) / "var"), "YOUHU_SHARED_DIR": str(shared)}
        run(env, "migrate", "--noinput", "-v", "0")
        ensured = run(env, "model", "ensure")
        check("shipped" in ensured, "`youhu model ensure` uses the shipped model (nothing to train on)")
        run(env, "demo", "load", "--tickets", str(TICKETS))
        check(not list((Path(tmp) / "var" / "models").glob("*.npz")), "no model was trained")
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "youhu.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "1"],
            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            status, page = fetch(f"http://127.0.0.1:{port}/portal/", deadline)
            check(status == 200 and "<form" in page, "the public portal answers over HTTP")
            status, page = fetch(f"http://127.0.0.1:{port}/login/", deadline)
            check(status == 200 and "password" in page, "the login page answers over HTTP")
        finally:
            server.terminate()
            server.wait(timeout=30)
        check_database(env)
    print("a bare clone without ../shared sets up and serves the demo", flush=True)


if __name__ == "__main__":
    main()
