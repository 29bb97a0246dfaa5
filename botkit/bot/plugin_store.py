"""A plugin's own key-value namespace in the account's store."""

from __future__ import annotations

import json
from typing import Any

from botkit.store.base import KeyValueStore

__all__ = ["PluginStore"]


class PluginStore:
    """Keys and values of one plugin, namespaced ``plugin:<name>`` in a :class:`KeyValueStore`.

    Every method may raise StoreError when the backend fails.
    """

    def __init__(self, backend: KeyValueStore, plugin: str) -> None:
        self._backend = backend
        self._namespace = f"plugin:{plugin}"

    async def get(self, key: str) -> bytes | None:
        """Return the bytes stored under ``key``, or ``None``."""
        return await self._backend.get_value(self._namespace, key)

    async def put(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key``."""
        await self._backend.put_value(self._namespace, key, value)

    async def delete(self, key: str) -> None:
        """Delete ``key``; a missing key is no error."""
        await self._backend.delete_value(self._namespace, key)

    async def keys(self) -> list[str]:
        """Return this plugin's keys, sorted."""
        return await self._backend.list_keys(self._namespace)

    async def get_json(self, key: str, default: Any = None) -> Any:
        """Return the JSON value stored under ``key``, or ``default``."""
        raw = await self.get(key)
        return default if raw is None else json.loads(raw)

    async def put_json(self, key: str, value: Any) -> None:
        """Store ``value`` as JSON under ``key``. Raises TypeError if it is not JSON-able."""
        await self.put(key, json.dumps(value, separators=(",", ":")).encode())
