"""The SQLite connections: one writer, one reader, and the mapping of SQLite errors.

WAL mode lets the reader connection (its own thread in aiosqlite) read the last committed state
while the writer writes, so reads never queue behind writes. All writes of this process go through
the single writer connection, serialized by an ``asyncio.Lock`` because a multi-statement
transaction spans several awaits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from botkit.errors import StoreError

__all__ = ["Connections", "Params", "create_private_file", "store_error"]

Params = Sequence[Any]


def create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only (mode 0600) if it does not exist.

    SQLite gives the ``-wal`` and ``-shm`` files the mode of the database file, so they are 0600
    too. An existing file (and its companions) with looser permissions is tightened.
    """
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if stat.S_IMODE(name.stat().st_mode) & 0o077:
                name.chmod(0o600)
        except FileNotFoundError:
            continue


class _NoStatementArguments(logging.Filter):
    """Drops aiosqlite's DEBUG records: they print each call with its arguments, key bytes too."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger("aiosqlite").addFilter(_NoStatementArguments())


def store_error(exc: BaseException) -> StoreError:
    """Return the :class:`StoreError` that reports the SQLite (or aiosqlite) failure ``exc``."""
    # SQLite's messages name tables and constraints, never the values bound to a statement.
    return StoreError(f"the database failed: {exc}")


class Connections:
    """The writer and reader of one database file."""

    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self._writer = writer
        self._reader = reader
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, durable: bool) -> Connections:
        """Open the writer (WAL) and the reader of ``path``.

        ``durable`` makes every commit wait for fsync (``synchronous=FULL``); otherwise a commit
        survives a crash of the process but the last ones may be lost to a power failure.

        Raises:
            StoreError: SQLite could not open the file.
        """
        create_private_file(path)
        opened: list[aiosqlite.Connection] = []
        try:
            writer = await aiosqlite.connect(path, isolation_level=None)
            opened.append(writer)
            await writer.execute("PRAGMA busy_timeout = 10000")
            await writer.execute("PRAGMA journal_mode = WAL")
            await writer.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            reader = await aiosqlite.connect(path, isolation_level=None)
            opened.append(reader)
            await reader.execute("PRAGMA busy_timeout = 10000")
            await reader.execute("PRAGMA query_only = 1")
        except sqlite3.Error as exc:
            for connection in opened:
                await connection.close()
            raise store_error(exc) from exc
        return cls(writer, reader)

    @property
    def writer(self) -> aiosqlite.Connection:
        """The writer connection itself, for the migrations (before any other use)."""
        return self._writer

    async def close(self) -> None:
        """Close both connections (waiting for a transaction in progress)."""
        async with self._lock:
            await self._reader.close()
            await self._writer.close()

    async def read(self, sql: str, params: Params = ()) -> list[Any]:
        """Return the rows of a query, read from the last committed state.

        Raises:
            StoreError: the database failed or is closed.
        """
        try:
            return list(await self._reader.execute_fetchall(sql, params))
        except (sqlite3.Error, ValueError) as exc:
            raise store_error(exc) from exc

    async def write(self, sql: str, params: Params = ()) -> int:
        """Run one statement as its own transaction; return the number of rows it changed.

        Raises:
            sqlite3.IntegrityError: a constraint (or a trigger's RAISE) aborted it.
            StoreError: the database failed or is closed; nothing was written.
        """
        async with self._lock:
            try:
                cursor = await self._writer.execute(sql, params)
            except sqlite3.IntegrityError:
                raise
            except (sqlite3.Error, ValueError) as exc:
                raise store_error(exc) from exc
            return cursor.rowcount

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Hold the writer for a multi-statement transaction, committed when the block ends.

        Raises:
            StoreError: the database failed or is closed; the transaction was rolled back.
        """
        async with self._lock:
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
            except (sqlite3.Error, ValueError) as exc:
                raise store_error(exc) from exc
            try:
                yield Transaction(self._writer)
                await self._writer.execute("COMMIT")
            except sqlite3.Error as exc:
                await self._rollback()
                raise store_error(exc) from exc
            except BaseException:
                await self._rollback()
                raise

    async def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error, ValueError):
            await self._writer.execute("ROLLBACK")


class Transaction:
    """Statements inside :meth:`Connections.transaction` (reads see its own writes)."""

    def __init__(self, writer: aiosqlite.Connection) -> None:
        self._writer = writer

    async def read(self, sql: str, params: Params = ()) -> list[Any]:
        """Return the rows of a query."""
        return list(await self._writer.execute_fetchall(sql, params))

    async def write(self, sql: str, params: Params = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        return (await self._writer.execute(sql, params)).rowcount

    async def write_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run a statement once per row of parameters."""
        await self._writer.executemany(sql, rows)
