"""Small least-recently-used maps in a process's memory, for what is derived from a finished snapshot run (which
never changes): the dashboard's figure sets and the series it reads. Objects are kept as they are (no pickling) and
must only be read by their users. Nothing is shared between processes, so nothing depends on Redis being up."""
from __future__ import annotations

import threading
from collections import OrderedDict

_ALL: list[Recent] = []


class Recent:
    """A thread-safe least-recently-used map of at most `size` entries."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def clear_all() -> None:
    """Empty every map (tests: run ids are reused after a database flush)."""
    for recent in _ALL:
        recent.clear()
