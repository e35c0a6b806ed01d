"""Two workers' schedules run the surge job at the same moment on PostgreSQL: the surge is told once."""

from __future__ import annotations

import pytest
from django.db import connection

from youhu.dashboard.notices import tell_surges
from youhu.notify.models import Message, Told
from youhu.tickets.models import Notification
from youhu.tickets.tests.test_race import race

from .test_surge_notices import NOW, surge  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs concurrent writers: SQLite's in-memory test database serialises them"),
    pytest.mark.django_db(transaction=True),
]


def test_two_jobs_at_once_tell_each_surge_once(district, surge):  # noqa: F811
    results = race(lambda: tell_surges(NOW), lambda: tell_surges(NOW))
    assert all(isinstance(r, int) for r in results), results
    told = Told.objects.filter(key__startswith="supervisor.surge:").count()
    assert told >= 1 and sum(results) == told
    assert Message.objects.filter(event="supervisor.surge", body__contains="南洲街道").count() == 1
    assert Notification.objects.filter(kind="surge", message__contains="南洲街道").count() == 1
