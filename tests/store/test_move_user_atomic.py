"""SQLite's ``move_user`` is one transaction: a failure half-way moves nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from botkit.errors import StoreError
from botkit.store import SQLiteStore, StoreOptions
from botkit.types.jid import SignalAddress

PN = SignalAddress("15550002222", 0)
LID = SignalAddress("100000000000001", 0)


async def test_a_move_that_fails_half_way_leaves_sessions_and_identities_where_they_were(
    tmp_path: Path,
) -> None:
    db = tmp_path / "bot.db"
    store = await SQLiteStore.open(db, StoreOptions(renew_interval=None))
    account = await store.open_account("main")
    await account.put_sessions({PN: b"session"})
    await account.save_identity(PN, b"k" * 32)
    # The sessions move first; the identities' DELETE then fails.
    with sqlite3.connect(db) as raw:
        raw.execute(
            "CREATE TRIGGER refuse BEFORE DELETE ON identities"
            " BEGIN SELECT RAISE(ABORT, 'the disk failed here'); END"
        )
    with pytest.raises(StoreError):
        await account.move_user(PN.name, LID.name)
    await account.close()
    await store.close()
    store = await SQLiteStore.open(db, StoreOptions(renew_interval=None))
    account = await store.open_account("main")  # what the file holds, no cache
    assert await account.get_sessions([PN, LID]) == {PN: b"session"}
    assert (await account.get_identity(PN), await account.get_identity(LID)) == (b"k" * 32, None)
    await account.close()
    await store.close()
