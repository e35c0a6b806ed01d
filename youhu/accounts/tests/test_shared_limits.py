"""The public pages' rate limits hold across the app's worker processes, not per process."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import uuid

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.test import Client

from youhu.ops.tests.helpers import clean_env

pytestmark = pytest.mark.django_db

WRONG = {"number": "20260302-000001", "code": "WRONG"}


def as_another_worker(monkeypatch) -> None:
    """What a second gunicorn worker has: its own process memory (locmem's module-level stores start empty)
    and its own cache connections."""
    monkeypatch.setattr(locmem, "_caches", {})
    monkeypatch.setattr(locmem, "_expire_info", {})
    monkeypatch.setattr(locmem, "_locks", {})
    for alias in list(caches.settings):
        with contextlib.suppress(AttributeError):  # not connected yet
            del caches[alias]  # the next use connects anew


def test_the_tracking_pages_limit_holds_across_two_workers(district, settings, monkeypatch):
    # django-ratelimit counts in fixed windows: a day's window keeps the four posts inside one of them (a
    # minute's could end between the second and the third, and the test would fail by the clock).
    settings.YOUHU_PORTAL_TRACK_RATE = "3/d"
    resident = {"REMOTE_ADDR": "203.0.113.50"}
    first = [Client(**resident).post("/portal/track/", WRONG).status_code for _ in range(2)]
    as_another_worker(monkeypatch)
    second = [Client(**resident).post("/portal/track/", WRONG).status_code for _ in range(2)]
    assert first + second == [400, 400, 400, 429]


def test_the_login_lock_counts_the_failures_every_worker_saw(district, settings, monkeypatch):
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    guess = {"username": "roads", "password": "wrong-password"}
    for _ in range(3):
        Client().post("/login/", guess)
    as_another_worker(monkeypatch)
    assert [Client().post("/login/", guess).status_code for _ in range(2)] == [200, 429]  # 5 in all
    assert Client().post("/login/", {"username": "roads", "password": "pass-1234"}).status_code == 429


def test_the_shared_cache_is_the_database_unless_redis_is_configured(settings):
    assert settings.RATELIMIT_USE_CACHE == "shared"
    assert settings.CACHES["shared"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    caches["shared"].set("youhu-probe", 1)
    assert caches["shared"].get("youhu-probe") == 1  # its table exists after `migrate` alone


# Two real worker processes: each counts three requests of one address against one limit, as the portal's
# views do (django-ratelimit's get_usage on RATELIMIT_USE_CACHE), and prints the counts it saw.
COUNT_THREE = """
import django, json, sys
django.setup()
from django.core.management import call_command
from django.test import RequestFactory
from django_ratelimit.core import get_usage
if sys.argv[1:] == ["setup"]:
    call_command("createcachetable", verbosity=0)  # what migration accounts 0002 makes
request = RequestFactory().post("/portal/track/", REMOTE_ADDR="203.0.113.77")
print(json.dumps([get_usage(request, group=GROUP, key="ip", rate="1000/d", increment=True)["count"]
                  for _ in range(3)]))
"""


def count_in_a_process(env: dict[str, str], group: str, *args: str) -> list[int]:
    done = subprocess.run([sys.executable, "-c", f"GROUP = {group!r}\n{COUNT_THREE}", *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_two_worker_processes_share_one_counter_in_the_database(tmp_path):
    env = clean_env(tmp_path, YOUHU_DATABASE_URL=f"sqlite:///{tmp_path / 'youhu.sqlite3'}")
    first = count_in_a_process(env, "youhu-probe", "setup")
    second = count_in_a_process(env, "youhu-probe")
    assert first + second == [1, 2, 3, 4, 5, 6]


REDIS_URL = "redis://127.0.0.1:6379/2"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason=f"no Redis at {REDIS_URL}")
def test_two_worker_processes_share_one_counter_in_redis(tmp_path):
    env = clean_env(tmp_path, YOUHU_REDIS_URL=REDIS_URL, YOUHU_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    group = f"youhu-probe-{uuid.uuid4().hex}"  # a key no earlier run left in the database
    assert count_in_a_process(env, group) + count_in_a_process(env, group) == [1, 2, 3, 4, 5, 6]
