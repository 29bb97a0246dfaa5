"""A real Baileys client and a simulated phone exchange E2E 1:1 texts through the sandbox.

Baileys pairs through ``POST /control/pair``, reaches ``open``, decrypts a text the phone sends
(``POST /control/messages``), and sends one back that the phone decrypts (``GET
/control/inbox``); the phone's delivery receipt reaches Baileys as a status update.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Collection
from typing import Any

import pytest

from botkit.server.app import Sandbox

from .node_process import node_script
from .test_sandbox_pairing_interop import TIMEOUT, PairingClient, post

ALICE = "15550001111"
BOB = "15550002222"
DELIVERED = 3  # proto.WebMessageInfo.Status.DELIVERY_ACK


class ChatClient(PairingClient):
    """``node baileys_chat.mjs``: Baileys events as JSON lines, send requests on stdin.

    Events read while waiting for another kind are kept, in order, for a later wait.
    """

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        super().__init__(proc)
        self.kept: list[dict[str, Any]] = []

    async def next_event_of(
        self, names: Collection[str], match: Callable[[dict[str, Any]], bool] = lambda _: True
    ) -> dict[str, Any]:
        """Return the next event named in ``names`` for which ``match`` is true (kept ones
        first), keeping the others; fails as :meth:`PairingClient.next_any` does."""
        for event in self.kept:
            if event["event"] in names and match(event):
                self.kept.remove(event)
                return event
        while True:
            event = await self.next_any()
            if event["event"] in names and match(event):
                return event
            self.kept.append(event)

    async def next_event(self, name: str) -> dict[str, Any]:
        """Return the next event called ``name`` (kept ones first), keeping the others."""
        return await self.next_event_of((name,))

    async def incoming(self) -> dict[str, Any]:
        """Return the next message Baileys received (its own sent ones are skipped)."""
        while (event := await self.next_event("message"))["fromMe"]:
            pass
        return event

    async def delivered(self, message_id: str) -> None:
        """Wait until Baileys reports ``message_id`` delivered (its receipt came back)."""
        while True:
            event = await self.next_event("status")
            if event["id"] == message_id and event["status"] >= DELIVERED:
                return

    async def send_text(self, to: str, text: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": "send", "to": to, "text": text}).encode() + b"\n")
        await self.proc.stdin.drain()
        return str((await self.next_event("sent"))["id"])


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        yield running


@pytest.fixture
async def baileys(sandbox: Sandbox) -> AsyncIterator[ChatClient]:
    async with node_script("baileys_chat.mjs", sandbox.ws_url, sandbox.root_public_key) as proc:
        yield ChatClient(proc)


async def _inbox(sandbox: Sandbox, phone: str) -> list[dict[str, Any]]:
    host_port = sandbox.control_url.removeprefix("http://")
    host, _, port = host_port.partition(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET /control/inbox/{phone} HTTP/1.1\r\nHost: {host_port}\r\n\r\n".encode())
    response = await asyncio.wait_for(reader.read(), TIMEOUT)
    writer.close()
    inbox: list[dict[str, Any]] = json.loads(response.partition(b"\r\n\r\n")[2])
    return inbox


async def _lid_of(sandbox: Sandbox, phone: str) -> str:
    account = sandbox.world.account(phone)
    assert account is not None
    return str(account.lid)


async def test_baileys_and_a_simulated_phone_exchange_texts(
    sandbox: Sandbox, baileys: ChatClient
) -> None:
    control = sandbox.control_url
    assert (await post(f"{control}/control/users", {"phone": ALICE, "name": "Alice"}))[0] == 200
    status, bob = await post(f"{control}/control/users", {"phone": BOB, "name": "Bob"})
    assert status == 200
    qr = (await baileys.next_event("qr"))["qr"]
    status, paired = await post(f"{control}/control/pair", {"phone": ALICE, "qr": qr})
    assert status == 200, paired
    await baileys.next_event("open")

    body = {"from": BOB, "to": f"{ALICE}@s.whatsapp.net", "text": "hello from the phone"}
    status, sent = await post(f"{control}/control/messages", body)
    assert status == 200, sent
    got = await baileys.incoming()
    assert got["id"] == sent["id"] and got["text"] == "hello from the phone", got
    assert got["from"].split("@")[0].split(":")[0] in (BOB, bob["lid"].split("@")[0])

    reply_id = await baileys.send_text(bob["jid"], "hello from baileys")
    await baileys.delivered(reply_id)
    texts = [(m["id"], m["text"]) for m in await _inbox(sandbox, BOB)]
    assert (reply_id, "hello from baileys") in texts

    # more turns both ways, the phone writing to Alice's LID as well: the ratchet keeps going
    alice_lid = await _lid_of(sandbox, ALICE)
    for n, to in enumerate([f"{ALICE}@s.whatsapp.net", alice_lid, alice_lid]):
        body = {"from": BOB, "to": to, "text": f"turn {n}"}
        status, sent = await post(f"{control}/control/messages", body)
        assert status == 200, sent
        got = await baileys.incoming()
        assert (got["id"], got["text"]) == (sent["id"], f"turn {n}"), got
        answer = await baileys.send_text(bob["lid"] if n % 2 else bob["jid"], f"answer {n}")
        await baileys.delivered(answer)
    texts = [m["text"] for m in await _inbox(sandbox, BOB)]
    assert texts == ["hello from baileys", "answer 0", "answer 1", "answer 2"]
