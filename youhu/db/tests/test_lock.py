"""The intake write lock serialises writers across processes and is reentrant within a thread."""

from __future__ import annotations

import fcntl
import os

import pytest

from youhu.db import lock as writelock


@pytest.fixture
def lock_file(tmp_path, monkeypatch):
    path = str(tmp_path / "db.sqlite3.intake-lock")
    monkeypatch.setattr(writelock, "_lock_path", lambda: path)
    return path


def _free(path: str) -> bool:
    """Whether another open file description (as in another process) could take the lock now."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing releases a lock taken here
    return True


def test_nested_sections_hold_the_lock_until_the_outer_one_ends(lock_file):
    with writelock.write_lock():
        assert not _free(lock_file)
        with writelock.write_lock():  # would wait for itself forever if not reentrant
            assert not _free(lock_file)
        assert not _free(lock_file)  # the inner section must not release the outer one's lock
    assert _free(lock_file)


def test_an_error_inside_releases_the_lock(lock_file):
    with pytest.raises(RuntimeError), writelock.write_lock(), writelock.write_lock():
        raise RuntimeError("boom")
    assert _free(lock_file)
    with writelock.write_lock():
        assert not _free(lock_file)
