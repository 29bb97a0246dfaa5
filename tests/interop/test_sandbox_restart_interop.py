"""A real Baileys client paired to a sandbox with a data dir logs in again after a restart.

Baileys (``baileys_chat.mjs reconnect``) pairs and chats, the sandbox stops and starts again on
the same data dir and port, and Baileys' own reconnect logs in with the credentials it has
(no QR code): the device, its keys and the phone's sessions were all kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeVar

from botkit.server.app import Sandbox
from botkit.types.jid import JID

from .node_process import node_script
from .test_sandbox_messages_interop import ALICE, BOB, ChatClient

C = TypeVar("C", bound=ChatClient)


def _sandbox(data: Path, port: int = 0) -> Sandbox:
    return Sandbox(port=port, data_dir=data)


def ws_port(sandbox: Sandbox) -> int:
    """Return the port ``sandbox`` serves WebSockets on (to start it again on the same one)."""
    return int(sandbox.ws_url.rsplit(":", 1)[1].split("/")[0])


@contextlib.asynccontextmanager
async def reconnecting_baileys(sandbox: Sandbox, phone: str, kind: type[C]) -> AsyncIterator[C]:
    """Run ``baileys_chat.mjs reconnect`` on ``sandbox`` as a ``kind``, paired to ``phone``."""
    args = (sandbox.ws_url, sandbox.root_public_key, "reconnect")
    async with node_script("baileys_chat.mjs", *args) as proc:
        baileys = kind(proc)
        await sandbox.linker.pair_qr(phone, (await baileys.next_event("qr"))["qr"])
        await baileys.next_event("open")
        yield baileys


async def test_baileys_logs_in_again_after_a_sandbox_restart(tmp_path: Path) -> None:
    data = tmp_path / "sandbox"
    first = await _sandbox(data).__aenter__()
    running = True
    try:
        first.create_user(ALICE, "Alice")
        bob = first.create_user(BOB, "Bob")
        port = ws_port(first)
        async with reconnecting_baileys(first, ALICE, ChatClient) as baileys:
            before = await first.send_text(BOB, JID(ALICE, "s.whatsapp.net"), "before")
            assert (await baileys.incoming())["id"] == before
            running = False
            await first.__aexit__(None, None, None)
            await baileys.next_event("reconnecting")
            async with _sandbox(data, port) as second:
                await baileys.next_event("open")
                after = await second.send_text(BOB, JID(ALICE, "s.whatsapp.net"), "after")
                got = await baileys.incoming()
                assert (got["id"], got["text"]) == (after, "after")
                reply = await baileys.send_text(bob["jid"], "still paired")
                await baileys.delivered(reply)
                assert [m["text"] for m in second.inbox(BOB)] == ["still paired"]
                assert not [e for e in baileys.kept if e["event"] == "qr"]
    finally:
        if running:
            await first.__aexit__(None, None, None)
