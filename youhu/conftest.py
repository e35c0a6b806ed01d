import pytest

from youhu.testing.factories import District


@pytest.fixture
def district(db) -> District:
    return District()
