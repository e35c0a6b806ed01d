"""`db.writing()` keeps the ordering rule itself: the lock before the transaction, never inside one."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction

from youhu import db
from youhu.db import lock
from youhu.db.tests.test_lock import _free
from youhu.tickets.models import DailyCounter

pytestmark = pytest.mark.django_db(transaction=True)
FIRST, SECOND = date(2026, 1, 5), date(2026, 1, 6)  # no test-wide transaction: writing() opens its own


@pytest.fixture
def lock_file(tmp_path, monkeypatch):
    path = str(tmp_path / "db.sqlite3.intake-lock")
    monkeypatch.setattr(lock, "_lock_path", lambda: path)
    return path


def test_outside_a_transaction_it_takes_the_lock_then_begins(lock_file, monkeypatch):
    order: list[str] = []
    atomic = transaction.atomic

    def watched(*args, **kwargs):
        order.append("begin, lock free" if _free(lock_file) else "begin, lock held")
        return atomic(*args, **kwargs)

    monkeypatch.setattr(transaction, "atomic", watched)
    with db.writing():
        assert connection.in_atomic_block and db.holding()
        DailyCounter.objects.create(day=FIRST)
    assert order == ["begin, lock held"]
    assert _free(lock_file) and not db.holding()
    assert DailyCounter.objects.filter(day=FIRST).exists()  # committed


def test_inside_a_transaction_opened_without_it_it_joins_and_takes_no_lock(lock_file):
    with transaction.atomic(), db.writing():
        assert _free(lock_file)  # taking it now would invert the order
        assert not db.holding()


def test_nested_sections_share_the_lock_and_an_inner_failure_undoes_only_its_own_writes(lock_file):
    with db.writing():
        DailyCounter.objects.create(day=FIRST)
        with pytest.raises(ValueError), db.writing():
            DailyCounter.objects.create(day=SECOND)
            assert not _free(lock_file)
            raise ValueError("inner")
        assert not _free(lock_file)  # the outer section still holds it
    assert _free(lock_file)
    assert list(DailyCounter.objects.values_list("day", flat=True)) == [FIRST]


def test_a_failing_section_writes_nothing_and_lets_the_lock_go(lock_file):
    with pytest.raises(ValueError), db.writing():
        DailyCounter.objects.create(day=FIRST)
        raise ValueError("boom")
    assert _free(lock_file) and not DailyCounter.objects.exists()


def test_no_lock_file_where_none_is_needed():
    # In-memory SQLite (the tests' default) has only this process; PostgreSQL serialises writers itself.
    assert lock._lock_path() is None
