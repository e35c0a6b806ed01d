from datetime import datetime

import pytest

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
