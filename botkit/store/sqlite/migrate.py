"""Numbered SQL migrations (``botkit/store/migrations/NNNN_name.sql``) and the version table.

Each migration runs in its own ``BEGIN IMMEDIATE`` transaction together with the row that records
it in ``schema_version``, so a failed migration leaves the database at the previous version and
two processes opening a new file at once do not both apply it.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from importlib import resources

import aiosqlite

from botkit.errors import MigrationError

__all__ = ["Migration", "bundled_migrations", "migrate", "schema_version", "split_statements"]

_FILE_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: its version number, name and SQL script."""

    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """Return the migrations shipped in ``botkit/store/migrations``, in order.

    Raises:
        MigrationError: the files are not numbered 1, 2, 3... without gaps.
    """
    found: list[Migration] = []
    for entry in (resources.files("botkit.store") / "migrations").iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise MigrationError("the bundled migrations are not numbered 1, 2, 3... without gaps")
    return found


def split_statements(script: str) -> list[str]:
    """Return the complete SQL statements of ``script`` (trigger bodies stay whole).

    Raises:
        MigrationError: the script ends inside an unfinished statement.
    """
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    leftover = [ln for ln in pending.splitlines() if ln.strip() and not ln.strip().startswith("--")]
    if leftover:
        raise MigrationError("a migration ends inside an unfinished SQL statement")
    return statements


async def schema_version(conn: aiosqlite.Connection) -> int:
    """Return the schema version recorded in the database (0 for a new database)."""
    rows = list(await conn.execute_fetchall("SELECT coalesce(max(version), 0) FROM schema_version"))
    return int(rows[0][0])


async def migrate(
    conn: aiosqlite.Connection, migrations: list[Migration], target: int | None = None
) -> int:
    """Apply the ``migrations`` the database lacks, up to ``target`` (default: all).

    ``conn`` must be in autocommit mode (``isolation_level=None``). Returns the new version.

    Raises:
        MigrationError: a migration failed (the database stays at the version before it), or the
            database is newer than the newest of ``migrations``.
    """
    latest = migrations[-1].version if migrations else 0
    target = latest if target is None else target
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
        )
        current = await schema_version(conn)
    except sqlite3.Error as exc:
        raise MigrationError(f"cannot read the schema version: {exc}") from exc
    if current > latest:
        raise MigrationError(
            f"the database is at schema {current}, newer than this botkit's {latest}"
        )
    for migration in migrations:
        if current < migration.version <= target:
            current = await _apply(conn, migration)
    return current


async def _apply(conn: aiosqlite.Connection, migration: Migration) -> int:
    label = f"{migration.version:04d}_{migration.name}"
    try:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while we waited for the write lock.
            if await schema_version(conn) < migration.version:
                for statement in split_statements(migration.sql):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, time.time()),
                )
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise MigrationError(f"migration {label} failed: {exc}") from exc
    return migration.version
