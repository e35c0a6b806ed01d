"""What Youhu's own PostgreSQL connections set for themselves."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")]


def test_connections_run_without_jit():
    # The unit queues' plans cost high enough to be compiled: 30-35 ms of JIT for an index scan of 0.1 ms.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
