"""The write section: `writing()` takes the write lock, then opens the transaction.

SQLite admits one writer at a time; the others wait in its busy handler, which sleeps in growing steps (up
to 100 ms), so 32 concurrent clients spend most of their time asleep. Waiting on a file lock instead wakes
the next writer the moment the previous one commits. PostgreSQL needs none of this: there the lock is a
no-op, as it is for an in-memory database (only this process uses it).

The ordering rule: the lock before the transaction, never inside one. Transactions on SQLite begin
IMMEDIATE (settings), i.e. by taking the database's write lock; a writer that took ours only inside its
transaction could wait for a holder of ours who in turn waits for the database (its busy timeout, then an
error). `writing()` encodes the rule: called outside a transaction it locks and then begins; called inside a
section it already holds, it nests (a savepoint); called inside a transaction opened without the lock, it
joins that transaction and takes no lock, since taking it now would invert the order.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

_thread_lock = threading.Lock()
_files: dict[str, int] = {}
_held = threading.local()  # how deep this thread is in write_lock sections (see `holding`)


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
    depth = getattr(_held, "depth", 0)
    path = None if depth else _lock_path()
    if path is None:
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


def holding() -> bool:
    """Whether this thread is inside a write section (with the lock taken, or with none needed)."""
    return getattr(_held, "depth", 0) > 0


@contextmanager
def writing(*, savepoint: bool = True) -> Iterator[None]:
    """One write section: the lock, then `transaction.atomic(savepoint=savepoint)`; nested sections join the
    outer one. Every service that writes uses this instead of `transaction.atomic()`."""
    if connection.in_atomic_block and not holding():
        # A transaction opened without the lock (a caller's plain atomic block): join it without the lock.
        with transaction.atomic(savepoint=savepoint):
            yield
        return
    with write_lock(), transaction.atomic(savepoint=savepoint):
        yield
