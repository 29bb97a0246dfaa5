"""Numbered migrations: each in its own transaction, and upgrades keep the data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from botkit.errors import MigrationError
from botkit.store import InboundUnit, MessageKey, SQLiteStore, StoreOptions
from botkit.store.sqlite.migrate import (
    Migration,
    bundled_migrations,
    migrate,
    schema_version,
    split_statements,
)
from botkit.types.jid import SignalAddress

ALICE = SignalAddress("15551234567", 1)


async def _connect(path: Path) -> aiosqlite.Connection:
    return await aiosqlite.connect(path, isolation_level=None)


def test_bundled_migrations_are_numbered_from_one() -> None:
    assert [m.version for m in bundled_migrations()] == list(
        range(1, len(bundled_migrations()) + 1)
    )


def test_trigger_bodies_stay_one_statement() -> None:
    script = (
        "CREATE TABLE t (a);\nCREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;\n"
    )
    assert len(split_statements(script)) == 2


async def test_upgrade_from_schema_one_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = await _connect(path)
    assert await migrate(conn, bundled_migrations(), target=1) == 1
    await conn.execute("INSERT INTO accounts (id, name, created_at) VALUES (1, 'main', 0)")
    await conn.execute(
        "INSERT INTO effects VALUES (1, 1, ?, NULL, NULL, ?, ?, NULL)", (*ALICE, b"session")
    )
    await conn.execute("INSERT INTO effects VALUES (1, 0, 'c', 's', 'm', NULL, NULL, 0)")
    await conn.close()

    store = await SQLiteStore.open(path, StoreOptions(renew_interval=None))
    account = await store.open_account("main")
    assert await account.get_session(ALICE) == b"session"
    assert await account.has_seen(MessageKey("c", "s", "m"))
    await account.put_value("plugin", "k", b"v")  # a table of a later migration
    await store.close()
    conn = await _connect(path)
    assert await schema_version(conn) == len(bundled_migrations())
    await conn.close()


async def test_failed_migration_is_rolled_back_whole(tmp_path: Path) -> None:
    broken = [
        Migration(1, "good", "CREATE TABLE a (x);"),
        Migration(2, "bad", "CREATE TABLE b (x);\nINSERT INTO missing VALUES (1);"),
    ]
    conn = await _connect(tmp_path / "t.db")
    with pytest.raises(MigrationError, match="0002_bad"):
        await migrate(conn, broken)
    assert await schema_version(conn) == 1
    tables = await conn.execute_fetchall("SELECT name FROM sqlite_master WHERE name = 'b'")
    assert list(tables) == []
    await conn.close()


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    conn = await _connect(tmp_path / "t.db")
    await migrate(conn, [Migration(1, "a", "CREATE TABLE a (x);"), Migration(2, "b", "SELECT 1;")])
    with pytest.raises(MigrationError, match="newer"):
        await migrate(conn, [Migration(1, "a", "CREATE TABLE a (x);")])
    await conn.close()


async def test_open_is_idempotent(tmp_path: Path) -> None:
    for _ in range(2):
        store = await SQLiteStore.open(tmp_path / "t.db")
        await store.close()
    with sqlite3.connect(tmp_path / "t.db") as conn:
        count = conn.execute("SELECT count(*) FROM schema_version").fetchone()[0]
    assert count == len(bundled_migrations())


async def test_unit_through_schema_one_view(tmp_path: Path) -> None:
    store = await SQLiteStore.open(tmp_path / "t.db", StoreOptions(renew_interval=None))
    account = await store.open_account("main")
    assert await account.commit_inbound(InboundUnit(MessageKey("c", "s", "m"), {ALICE: b"r"}))
    await store.close()
