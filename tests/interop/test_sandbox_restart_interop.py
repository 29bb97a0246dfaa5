"""A real Baileys client paired to a sandbox with a data dir logs in again after a restart.

Baileys (``baileys_chat.mjs reconnect``) pairs and chats, the sandbox stops and starts again on
the same data dir and port, and Baileys' own reconnect logs in with the credentials it has
(no QR code): the device, its keys and the phone's sessions were all kept.
"""

from __future__ import annotations

from pathlib import Path

from botkit.server.app import Sandbox
from botkit.types.jid import JID

from .node_process import node_script
from .test_sandbox_messages_interop import ALICE, BOB, ChatClient


def _sandbox(data: Path, port: int = 0) -> Sandbox:
    return Sandbox(port=port, data_dir=data)


async def test_baileys_logs_in_again_after_a_sandbox_restart(tmp_path: Path) -> None:
    data = tmp_path / "sandbox"
    first = await _sandbox(data).__aenter__()
    running = True
    try:
        first.create_user(ALICE, "Alice")
        bob = first.create_user(BOB, "Bob")
        port = int(first.ws_url.rsplit(":", 1)[1].split("/")[0])
        args = (first.ws_url, first.root_public_key, "reconnect")
        async with node_script("baileys_chat.mjs", *args) as proc:
            baileys = ChatClient(proc)
            await first.linker.pair_qr(ALICE, (await baileys.next_event("qr"))["qr"])
            await baileys.next_event("open")
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
