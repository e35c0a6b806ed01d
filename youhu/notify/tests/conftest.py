import pytest

from youhu.notify import texts

from .receivers import Receiver


@pytest.fixture(autouse=True)
def _fresh_templates():
    texts.forget()
    yield
    texts.forget()


@pytest.fixture
def receiver():
    """receiver(answer) -> a started local HTTP receiver; stopped after the test."""
    started: list[Receiver] = []

    def make(answer=lambda seen: (200, {"ok": True})) -> Receiver:
        r = Receiver(answer).start()
        started.append(r)
        return r

    yield make
    for r in started:
        r.stop()


@pytest.fixture
def notify_settings(settings):
    """settings.YOUHU_NOTIFY with overrides: notify_settings(SMS_URL=...)."""

    def apply(**values):
        settings.YOUHU_NOTIFY = {**settings.YOUHU_NOTIFY, **values}
        return settings.YOUHU_NOTIFY

    return apply
