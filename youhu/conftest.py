import pytest
from django.core.cache import caches
from django.test import Client

from youhu.access.keys import create_api_key
from youhu.testing.factories import District
from youhu.testing.reference import ensure_reference_data
from youhu.testing.shared import SKIP_REASON, shared_data_present


@pytest.hookimpl(tryfirst=True)  # before the fixtures are set up: they may read the folder
def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("needs_shared")
    if marker is not None and not shared_data_present(*marker.args):
        pytest.skip(SKIP_REASON)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher takes ~0.8 s per user on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _queue_in_memory():
    """Background tasks (huey) run at once, in this process and in memory: queued work is done by the time
    the queueing code's transaction commits, and never reaches the real queue file or Redis."""
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = was


@pytest.fixture(autouse=True)
def huey_queue(_queue_in_memory):
    """The in-memory queue, emptied after each test (retries scheduled by one test must not leak)."""
    yield _queue_in_memory
    _queue_in_memory.storage.flush_all()


@pytest.fixture(autouse=True)
def _no_remembered_ticket_texts():
    """The duplicate search remembers tickets' texts by pk; a test's rolled-back tickets leave their pks to the
    next test's (production never reuses a pk)."""
    from youhu.dispatch import duplicates, services

    for remembered in (duplicates._pool_texts, services._after_return):  # the desk's returned tickets too
        remembered.clear()
    yield
    for remembered in (duplicates._pool_texts, services._after_return):
        remembered.clear()


@pytest.fixture(autouse=True)
def _no_remembered_calendar():
    """The calendar keeps its exceptions for a minute, keyed by district pk; a rollback sends no signal, and the
    next test's districts reuse the pks (a district's day off would leak into the next test's deadlines)."""
    from youhu.workdays import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def district(db) -> District:
    return District()


def _runs_in_transactions(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    return transactional or bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """A test in real transactions starts from tables emptied by the one before: re-seed what the
    migrations seeded, so deadlines and the calendar work as on a fresh database."""
    if _runs_in_transactions(request):
        request.getfixturevalue("transactional_db")
        ensure_reference_data()
        caches["shared"].clear()  # the rate limits' table is no model's: the flush leaves it alone


class KeyClient(Client):
    """A test client that sends an API key with every request."""

    def __init__(self, key: str, **kwargs):
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {key}", **kwargs)


@pytest.fixture
def api_as(district):
    """api_as(user) -> a client authenticated by a fresh API key of that user."""

    def make(user) -> KeyClient:
        return KeyClient(create_api_key(user, name="test").secret)

    return make


@pytest.fixture
def dispatcher_api(district, api_as):
    return api_as(district.dispatcher)
