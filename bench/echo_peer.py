"""A botkit peer for the echo benchmarks, run as its own process by bench/echo_bench.py.

Usage: python bench/echo_peer.py client|runtime WS_URL ROOT_PUBLIC_KEY_HEX

* ``client``: a bare :class:`botkit.client.Client` that answers every text with the same text,
  one at a time and in order (the raw client echo);
* ``runtime``: the full bot runtime with the built-in ``commands`` plugin (``!ping`` -> ``pong``),
  its outbound limits raised out of the way and jitter zero, so what is measured is the runtime.

It prints JSON lines on stdout, as the Baileys driver does: ``{"event": "qr", "qr": ...}`` for the
first QR code (the benchmark's simulated phone scans it), then ``{"event": "open"}`` once logged
in. It runs until stdin closes.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from botkit.bot.config import config_from_dict
from botkit.bot.launch import running_bot
from botkit.client import Client, EventQueue, ServerConfig
from botkit.store import MemoryStore, StoreOptions
from botkit.types.client_events import Connected, QRCodeShown
from botkit.types.events import MessageReceived
from botkit.types.message import TextMessage

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"


def emit(event: dict[str, str]) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


async def stdin_closed() -> None:
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


async def client_echo(server: ServerConfig) -> None:
    memory = MemoryStore(StoreOptions(renew_interval=None))
    events = EventQueue()
    client = Client(await memory.open_account("echo"), events, server=server)

    async def answer() -> None:
        async for event in events:
            if isinstance(event, QRCodeShown) and event.index == 0:
                emit({"event": "qr", "qr": event.code})
            elif isinstance(event, Connected):
                emit({"event": "open"})
            elif isinstance(event, MessageReceived) and event.text and not event.from_me:
                await client.send_message(event.chat, TextMessage(event.text))

    task = asyncio.create_task(answer())
    await client.connect()
    await stdin_closed()
    await client.disconnect()
    events.close()
    await task
    await memory.close()


async def runtime_bot(server: ServerConfig) -> None:
    config = config_from_dict(
        {
            "bot": {
                "rate_limit": {
                    "messages_per_minute": 10**9,
                    "per_chat_per_minute": 10**9,
                    "jitter_ms": [0, 0],
                }
            },
            "plugins": {"enabled": ["commands"], "paths": [str(PLUGINS)]},
        }
    )
    memory = MemoryStore(StoreOptions(renew_interval=None))
    account = await memory.open_account("bot")

    async def show(code: str) -> None:
        emit({"event": "qr", "qr": code})

    async with running_bot(config, account, server=server, pair=show):
        emit({"event": "open"})
        await stdin_closed()
    await memory.close()


def main() -> None:
    mode, url, root = sys.argv[1:4]
    server = ServerConfig(url=url, trust_root=bytes.fromhex(root))
    asyncio.run(client_echo(server) if mode == "client" else runtime_bot(server))


if __name__ == "__main__":
    main()
