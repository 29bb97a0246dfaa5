"""Acceptance: SIGKILL the application mid-stream; across both runs it sees every message once.

The application is ``crash_client.py`` in a subprocess with a SQLite store. A simulated phone
keeps sending through the sandbox while the first process is killed and a second one takes over
the same store. Every id either run printed is counted: each sent message must appear exactly
once.

The first process dies at a chosen point of a message's handling (the script stops dead there
and the test kills it): before the store commit (the message is redelivered and decrypted
again: the session was not advanced), or after the application printed it (committed, not yet
receipted: the sandbox redelivers it and the journal drops it as a duplicate). A kill at a
random instant can also land in the microseconds between the commit and the event, which loses
the event for the application: the commit is the point of no return, and the event follows it.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from botkit.server import Sandbox
from botkit.store import SQLiteStore, StoreOptions

from .crash_client import ACCOUNT, CRASH_POINTS, HOLDER
from .helpers import ALICE, BOB, TIMEOUT, Events, pair_by_qr, sandbox_client

SCRIPT = Path(__file__).with_name("crash_client.py")
TOTAL = 60
CRASH_AT = 20


class App:
    """One run of the application process and the lines it printed."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.ids: list[str] = []
        self._changed = asyncio.Event()
        self._connected = False
        self.hanging = False
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, db: Path, sandbox: Sandbox, *crash: str) -> App:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            str(db),
            sandbox.ws_url,
            sandbox.root_public_key,
            *crash,
            stdout=asyncio.subprocess.PIPE,
            cwd=Path(__file__).parents[2],
        )
        app = cls(proc)
        await app.until(lambda: app._connected)
        return app

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            line = raw.decode().strip()
            if line == "connected":
                self._connected = True
            elif line == "hanging":
                self.hanging = True
            elif line.startswith("msg "):
                self.ids.append(line.removeprefix("msg "))
            self._changed.set()

    async def until(self, done: Callable[[], bool]) -> None:
        """Wait until ``done()`` is true (it is checked after every printed line)."""
        async with asyncio.timeout(TIMEOUT * 2):
            while not done():
                self._changed.clear()
                await self._changed.wait()

    async def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        await self.reader  # what it printed before dying is still in the pipe


async def _pair(db: Path, sandbox: Sandbox) -> None:
    store = await SQLiteStore.open(db, StoreOptions(renew_interval=None))
    account = await store.open_account(ACCOUNT, holder=HOLDER)
    events = Events()
    client = sandbox_client(sandbox, account, events)
    await pair_by_qr(sandbox, client, events)
    await client.disconnect()
    await account.close()
    await store.close()


@pytest.mark.parametrize("crash_point", CRASH_POINTS)
async def test_a_killed_and_restarted_app_sees_every_message_exactly_once(
    sandbox: Sandbox, tmp_path: Path, crash_point: str
) -> None:
    sandbox.create_user(BOB, "Bob")
    db = tmp_path / "bot.db"
    await _pair(db, sandbox)
    first = await App.start(db, sandbox, crash_point, str(CRASH_AT))
    second: App | None = None
    sent: list[str] = []

    async def phone_sends() -> None:
        for n in range(TOTAL):
            sent.append(await sandbox.send_text(BOB, ALICE, f"m{n}"))
            await asyncio.sleep(0)  # let the deliveries interleave with the sends

    sender = asyncio.create_task(phone_sends())
    try:
        await first.until(lambda: first.hanging)
        await first.kill()
        second = await App.start(db, sandbox)
        await sender
        await second.until(lambda: set(sent) <= set(first.ids) | set(second.ids))
    finally:
        for app in (first, second):
            if app is not None and app.proc.returncode is None:
                await app.kill()
    seen = Counter(first.ids + second.ids)
    assert seen == Counter(sent), {i: c for i, c in seen.items() if c != 1}
    assert len(first.ids) == CRASH_AT - (crash_point == "before-commit")
