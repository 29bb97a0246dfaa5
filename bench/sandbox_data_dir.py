"""Benchmark the sandbox's data dir: the same chat with the state in memory and on disk.

Usage: python bench/sandbox_data_dir.py [--messages N] [--rounds R]

A botkit client (memory store) pairs with an in-process sandbox, then it and a simulated phone
exchange N texts each way, interleaved, until every text and every delivery receipt arrived.
Each round runs the chat on a sandbox without a data dir and on one with ``data_dir`` (state
snapshotted to disk as it changes); prints both times and their ratio (lower is better, 1.0 is
free persistence).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from botkit.client import Client, ServerConfig, SinkEvent
from botkit.server import Sandbox
from botkit.store import MemoryStore, StoreOptions
from botkit.types.client_events import Connected, QRCodeShown
from botkit.types.events import MessageReceived, ReceiptReceived
from botkit.types.jid import JID
from botkit.types.message import TextMessage

ALICE, BOB = "15550001111", "15550002222"


async def chat(messages: int, data_dir: Path | None) -> float:
    """Return the seconds ``messages`` texts each way took on a fresh sandbox."""
    async with Sandbox(data_dir=data_dir) as sandbox:
        sandbox.create_user(ALICE, "Alice")
        bob = JID.parse(sandbox.create_user(BOB, "Bob")["jid"])
        memory = MemoryStore(StoreOptions(renew_interval=None))
        events: asyncio.Queue[SinkEvent] = asyncio.Queue()
        received: set[str] = set()
        receipted: set[str] = set()

        async def sink(event: SinkEvent) -> None:
            if isinstance(event, MessageReceived):
                received.add(event.id)
            elif isinstance(event, ReceiptReceived):
                receipted.update(event.message_ids)
            await events.put(event)

        server = ServerConfig.from_ready_line(sandbox.ready_line())
        client = Client(await memory.open_account("bench"), sink, server=server)
        await client.connect()
        while not isinstance(event := await events.get(), QRCodeShown):
            pass
        await sandbox.linker.pair_qr(ALICE, event.code)
        while not isinstance(await events.get(), Connected):
            pass
        start = time.perf_counter()
        sent_to_us: set[str] = set()
        sent_by_us: set[str] = set()
        for n in range(messages):
            sent_to_us.add(await sandbox.send_text(BOB, JID(ALICE, "s.whatsapp.net"), f"p{n}"))
            sent_by_us.add(await client.send_message(bob, TextMessage(f"c{n}")))
        while not (sent_to_us <= received and sent_by_us <= receipted):
            await events.get()
        elapsed = time.perf_counter() - start
        await client.disconnect()
        await memory.close()
        return elapsed


async def main(messages: int, rounds: int) -> None:
    for _ in range(rounds):
        in_memory = await chat(messages, None)
        with tempfile.TemporaryDirectory() as directory:
            on_disk = await chat(messages, Path(directory))
        print(
            f"{messages} texts each way: in memory {in_memory:.3f} s, "
            f"with a data dir {on_disk:.3f} s, ratio {on_disk / in_memory:.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.rounds))
