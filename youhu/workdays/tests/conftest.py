import pytest

from youhu.workdays import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The calendar caches the table for a minute; a test's edits are rolled back, so forget them."""
    calendar.invalidate()
    yield
    calendar.invalidate()
