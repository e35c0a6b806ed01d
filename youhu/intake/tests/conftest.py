import pytest
from django.test import Client

from youhu.dispatch.services import use_classifier
from youhu.intake.keys import create_api_key


@pytest.fixture(autouse=True)
def no_classifier():
    """Triage without a model only registers: intake's tests then know each new ticket's next state."""
    with use_classifier(None):
        yield


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
