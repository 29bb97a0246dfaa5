"""The application process of the SIGKILL test (run as a script; the test kills it).

Usage: crash_client.py DB WS_URL ROOT_PUBLIC_KEY_HEX [CRASH_POINT K]. Logs in as the device
paired in the SQLite store DB (account "bot"), prints ``connected`` once logged in, then
``msg <id>`` for every message the client reports. The client reports a message only after its
store unit committed, so every printed id is a message the store will not hand out again.

With a crash point the process stops dead at the K-th message (prints ``hanging`` and waits
there for the SIGKILL): ``before-commit`` just before its store unit is committed,
``after-event`` just after it printed the message (committed, not yet receipted).
"""

from __future__ import annotations

import asyncio
import sys

from botkit.client import Client, ServerConfig, SinkEvent
from botkit.store import InboundUnit, SQLiteStore, StoreOptions
from botkit.types.client_events import Connected
from botkit.types.events import MessageReceived

ACCOUNT = "bot"
HOLDER = "crash-client"  # the same name each run, so a restarted process may take its own lease
CRASH_POINTS = ("before-commit", "after-event")


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def _hang() -> None:
    _say("hanging")
    await asyncio.Event().wait()


async def main(db: str, ws_url: str, root: str, crash: str = "", at: str = "0") -> None:
    store = await SQLiteStore.open(db, StoreOptions(renew_interval=None))
    account = await store.open_account(ACCOUNT, holder=HOLDER)
    crash_at = int(at)
    commits = 0
    commit = account.commit_inbound

    async def commit_or_hang(unit: InboundUnit) -> bool:
        nonlocal commits
        commits += 1
        if crash == "before-commit" and commits == crash_at:
            await _hang()
        return await commit(unit)

    account.commit_inbound = commit_or_hang  # type: ignore[method-assign]
    printed = 0

    async def sink(event: SinkEvent) -> None:
        nonlocal printed
        if isinstance(event, MessageReceived):
            _say(f"msg {event.id}")
            printed += 1
            if crash == "after-event" and printed == crash_at:
                await _hang()
        elif isinstance(event, Connected):
            _say("connected")

    client = Client(account, sink, server=ServerConfig(url=ws_url, trust_root=bytes.fromhex(root)))
    await client.connect()
    await client.wait_stopped()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
