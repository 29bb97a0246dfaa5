"""What only the SQLite store has: persistence, WAL readers, private files, shared files."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from botkit.errors import AccountLocked
from botkit.store import InboundUnit, MessageKey, SQLiteStore, StoreOptions
from botkit.testing import FakeClock
from botkit.types.jid import SignalAddress

ALICE = SignalAddress("15551234567", 1)


@pytest.fixture
def no_umask() -> object:
    old = os.umask(0)
    yield None
    os.umask(old)


async def test_data_survives_reopening(tmp_path: Path) -> None:
    options = StoreOptions(renew_interval=None)
    store = await SQLiteStore.open(tmp_path / "t.db", options)
    account = await store.open_account("main")
    await account.commit_inbound(InboundUnit(MessageKey("c", "s", "m"), {ALICE: b"r"}))
    await account.close()
    await store.close()
    store = await SQLiteStore.open(tmp_path / "t.db", options)
    account = await store.open_account("main")
    assert await account.get_session(ALICE) == b"r"
    await store.close()


async def test_files_are_private_whatever_the_umask(tmp_path: Path, no_umask: object) -> None:
    path = tmp_path / "t.db"
    store = await SQLiteStore.open(path, StoreOptions(renew_interval=None))
    account = await store.open_account("main")
    await account.put_sessions({ALICE: b"r"})
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        assert stat.S_IMODE(name.stat().st_mode) == 0o600, name
    await store.close()


async def test_loose_existing_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    store = await SQLiteStore.open(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    await store.close()


async def test_reads_do_not_wait_for_another_writer(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    store = await SQLiteStore.open(path, StoreOptions(renew_interval=None))
    account = await store.open_account("main")
    await account.put_sessions({ALICE: b"r"})
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    other.execute("DELETE FROM sessions")
    fresh = SignalAddress("nobody", 0)
    assert await asyncio.wait_for(account.get_session(fresh), 1.0) is None
    assert await asyncio.wait_for(account.has_seen(MessageKey("c", "s", "m")), 1.0) is False
    other.execute("ROLLBACK")
    other.close()
    await store.close()


async def test_two_stores_on_one_file_share_the_leases(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    first = await SQLiteStore.open(path, StoreOptions(renew_interval=None))
    second = await SQLiteStore.open(path, StoreOptions(renew_interval=None))
    await first.open_account("main", holder="process one")
    await second.open_account("other")
    with pytest.raises(AccountLocked, match="process one"):
        await second.open_account("main")
    await first.close()
    await second.close()


async def test_background_renewal_keeps_the_lease(tmp_path: Path, clock: FakeClock) -> None:
    options = StoreOptions(clock=clock.time, lease_ttl=30.0, renew_interval=0.001)
    store = await SQLiteStore.open(tmp_path / "t.db", options)
    account = await store.open_account("main", holder="alive")
    clock.now += 20
    renewed_until = clock.now + 30
    with sqlite3.connect(tmp_path / "t.db") as conn:
        for _ in range(1000):  # the renewal task runs every millisecond; wait for it
            (expires_at,) = conn.execute("SELECT expires_at FROM account_leases").fetchone()
            if expires_at == renewed_until:
                break
            await asyncio.sleep(0.001)
    clock.now += 20  # past the first lease's expiry, within the renewed one
    with pytest.raises(AccountLocked, match="alive"):
        await store.open_account("main")
    await account.close()
    await store.close()


async def test_second_process_fails_fast_naming_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    store = await SQLiteStore.open(path, StoreOptions(renew_interval=None))
    await store.open_account("main", holder="bot on host-a pid 4242")
    script = (
        "import asyncio, sys\n"
        "from botkit.errors import AccountLocked\n"
        "from botkit.store import SQLiteStore\n"
        "async def main():\n"
        "    store = await SQLiteStore.open(sys.argv[1])\n"
        "    try:\n"
        "        await store.open_account('main')\n"
        "    except AccountLocked as exc:\n"
        "        print(exc)\n"
        "    await store.close()\n"
        "asyncio.run(main())\n"
    )
    result = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, str(path), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(result.communicate(), 30)
    assert "in use by bot on host-a pid 4242" in out.decode()
    await store.close()
