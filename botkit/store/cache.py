"""A bounded write-through cache for hot records (sessions, identities, device lists, groups)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["HotCache"]

K = TypeVar("K")
V = TypeVar("V")


class HotCache(Generic[K, V]):
    """A least-recently-used map of at most ``size`` entries; a cached ``None`` means "absent".

    Reads that miss go to the database, which takes an ``await``; a write may land meanwhile. So a
    reader takes :attr:`epoch` before its query and passes it to :meth:`fill`, which drops the
    result if any write happened since.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[K, V | None] = OrderedDict()
        self.epoch = 0

    def lookup(self, key: K) -> tuple[bool, V | None]:
        """Return ``(True, value)`` on a hit (value may be None), ``(False, None)`` on a miss."""
        if key not in self._entries:
            return False, None
        self._entries.move_to_end(key)
        return True, self._entries[key]

    def fill(self, key: K, value: V | None, epoch: int) -> None:
        """Cache ``value`` read from the database when :attr:`epoch` was ``epoch``."""
        if epoch == self.epoch:
            self._put(key, value)

    def store(self, key: K, value: V | None) -> None:
        """Record a committed write of ``value`` (``None`` for a delete)."""
        self.epoch += 1
        self._put(key, value)

    def clear(self) -> None:
        """Forget everything (after a bulk delete)."""
        self.epoch += 1
        self._entries.clear()

    def _put(self, key: K, value: V | None) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
