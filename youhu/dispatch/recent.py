"""A bounded memory of values computed for recently used keys (least recently used forgotten first), shared
by the threads of a process: huey thread workers and gunicorn threads triage side by side."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def get_many(self, keys: Iterable[K], compute: Callable[[list[K]], Mapping[K, V]]) -> dict[K, V]:
        """The value of each key, in the given order: remembered, or computed by `compute(missing keys)`
        (outside the lock; a key it has no value for is left out)."""
        keys = list(keys)
        known: dict[K, V] = {}
        with self._lock:  # taken now: another thread may forget them while the missing ones are computed
            for key in dict.fromkeys(keys):
                if key in self._values:
                    self._values.move_to_end(key)
                    known[key] = self._values[key]
        missing = [key for key in dict.fromkeys(keys) if key not in known]
        if missing:
            computed = compute(missing)
            self.put_many(computed)
            known.update(computed)
        return {key: known[key] for key in keys if key in known}

    def put_many(self, values: Mapping[K, V]) -> None:
        with self._lock:
            self._remember(values)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def _remember(self, values: Mapping[K, V]) -> None:
        self._values.update(values)
        for key in values:
            self._values.move_to_end(key)
        while len(self._values) > self.size:
            self._values.popitem(last=False)
