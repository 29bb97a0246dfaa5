"""A lease held by a process of this host that is gone (SIGKILLed) does not block a new holder."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from botkit.errors import AccountLocked
from botkit.store import SQLiteStore, StoreOptions
from botkit.store.lease import Lease, claim, holder_is_gone

HOST = socket.gethostname()
NOW = 1_000.0

_HOLD = """
import asyncio, sys
from botkit.store import SQLiteStore, StoreOptions

async def main():
    store = await SQLiteStore.open(sys.argv[1], StoreOptions(renew_interval=None))
    await store.open_account("main")
    print("holding", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


async def _dead_pid() -> int:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await proc.wait()
    return proc.pid


async def test_only_a_gone_process_of_this_host_is_gone() -> None:
    dead = await _dead_pid()
    assert holder_is_gone(f"{HOST} pid {dead} #abc123")
    assert not holder_is_gone(f"{HOST} pid {os.getpid()} #abc123")  # alive: this process
    assert not holder_is_gone(f"another-host pid {dead} #abc123")
    assert not holder_is_gone("crash-writer")  # a name the caller chose
    assert not holder_is_gone(f"{HOST} pid x #abc123")


async def test_a_gone_holders_lease_lapses_at_once_and_a_live_ones_does_not() -> None:
    dead = await _dead_pid()
    gone = Lease(f"{HOST} pid {dead} #abc123", NOW + 30)
    assert claim("main", gone, "me", NOW, 30) == Lease("me", NOW + 30)
    alive = Lease(f"{HOST} pid {os.getpid()} #other", NOW + 30)
    with pytest.raises(AccountLocked):
        claim("main", alive, "me", NOW, 30)


async def test_an_account_of_a_sigkilled_process_opens_again_at_once(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _HOLD, str(db), stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    assert await asyncio.wait_for(proc.stdout.readline(), 20) == b"holding\n"
    store = await SQLiteStore.open(db, StoreOptions(renew_interval=None))
    try:
        with pytest.raises(AccountLocked):  # while it runs, the account is its
            await store.open_account("main")
        proc.send_signal(signal.SIGKILL)
        await proc.wait()  # reaped: no zombie left to look alive
        account = await store.open_account("main")
        await account.close()
    finally:
        await store.close()
