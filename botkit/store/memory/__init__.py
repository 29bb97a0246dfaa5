"""The in-memory store (tests, throwaway bots): the same protocols, nothing persisted."""

from __future__ import annotations

from botkit.store.memory.account import MemoryAccountStore
from botkit.store.memory.store import MemoryStore

__all__ = ["MemoryAccountStore", "MemoryStore"]
