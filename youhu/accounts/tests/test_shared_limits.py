"""The public pages' rate limits hold across the app's worker processes, not per process."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.test import Client

pytestmark = pytest.mark.django_db

WRONG = {"number": "20260302-000001", "code": "WRONG"}


def as_another_worker(monkeypatch) -> None:
    """What a second gunicorn worker has: its own process memory (locmem's module-level stores start empty)
    and its own cache connections."""
    monkeypatch.setattr(locmem, "_caches", {})
    monkeypatch.setattr(locmem, "_expire_info", {})
    monkeypatch.setattr(locmem, "_locks", {})
    for alias in list(caches.settings):
        del caches[alias]  # the next use connects anew


def test_the_tracking_pages_limit_holds_across_two_workers(district, settings, monkeypatch):
    settings.YOUHU_PORTAL_TRACK_RATE = "3/m"
    resident = {"REMOTE_ADDR": "203.0.113.50"}
    first = [Client(**resident).post("/portal/track/", WRONG).status_code for _ in range(2)]
    as_another_worker(monkeypatch)
    second = [Client(**resident).post("/portal/track/", WRONG).status_code for _ in range(2)]
    assert first + second == [400, 400, 400, 429]


def test_the_shared_cache_is_the_database_unless_redis_is_configured(settings):
    assert settings.RATELIMIT_USE_CACHE == "shared"
    assert settings.CACHES["shared"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    caches["shared"].set("youhu-probe", 1)
    assert caches["shared"].get("youhu-probe") == 1  # its table exists after `migrate` alone
