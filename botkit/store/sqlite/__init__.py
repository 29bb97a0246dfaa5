"""The aiosqlite store: WAL, one writer and one reader connection, numbered migrations."""

from __future__ import annotations

from botkit.store.sqlite.account import SQLiteAccountStore
from botkit.store.sqlite.database import SQLiteStore

__all__ = ["SQLiteAccountStore", "SQLiteStore"]
