"""Serialise write transactions on SQLite across processes and threads (intake's, triage's, imports).

SQLite admits one writer at a time; the others wait in its busy handler, which sleeps in growing steps (up
to 100 ms), so 32 concurrent clients spend most of their time asleep. Waiting on a file lock instead wakes
the next writer the moment the previous one commits. PostgreSQL needs none of this.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_thread_lock = threading.Lock()
_files: dict[str, int] = {}
_held = threading.local()  # how deep this thread is in write_lock sections


def _lock_path() -> str | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if "memory" in name or not os.path.isabs(name):
        return None  # an in-memory test database has only this process
    return f"{name}.intake-lock"


@contextmanager
def write_lock() -> Iterator[None]:
    """Reentrant: a section inside a section of the same thread (an idempotent API call around an intake
    write) holds the lock it already has."""
    path = _lock_path()
    depth = getattr(_held, "depth", 0)
    if path is None or depth:
        _held.depth = depth + 1
        try:
            yield
        finally:
            _held.depth = depth
        return
    with _thread_lock:
        fd = _files.get(path)
        if fd is None:
            fd = _files[path] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            fcntl.flock(fd, fcntl.LOCK_UN)
