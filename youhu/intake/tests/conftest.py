from datetime import datetime

import pytest
from django.test import Client

from youhu.access.keys import create_api_key
from youhu.dispatch.services import use_classifier


@pytest.fixture(autouse=True)
def no_classifier():
    """Triage without a model only registers: intake's tests then know each new ticket's next state."""
    with use_classifier(None):
        yield


@pytest.fixture
def run_retries(huey_queue):
    """run_retries() -> how many scheduled retries it ran, each as the worker would once its delay is up."""

    def run() -> int:
        due = huey_queue.read_schedule(datetime(2100, 1, 1))
        for task in due:
            huey_queue.execute(task, timestamp=task.eta)
        return len(due)

    return run


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
