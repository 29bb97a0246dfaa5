"""A sandbox group survives a restart of a sandbox with a data dir, sender keys included.

A botkit client and two simulated phones talk in a group the control API created; the sandbox
stops and starts again on the same data dir; the group's metadata is the same, and group
messages flow both ways with the sender keys of before: the phones send no new distribution
message, and neither side asks for a retry. Group notifications held for the offline client
across the restart are all delivered (new ones never reuse their ids).
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from botkit.client import Client
from botkit.core.binary import Node
from botkit.server import Sandbox
from botkit.store import AccountStore
from botkit.types.client_events import Connected, QRCodeShown
from botkit.types.events import (
    GroupInfoChanged,
    GroupJoined,
    MessageReceived,
    UndecryptableMessage,
)
from botkit.types.jid import JID
from botkit.types.message import TextMessage

from .helpers import ALICE, PHONE, TIMEOUT, Events, control, pair_by_qr, sandbox_client

P1, P2 = "15550003333", "15550004444"


async def _metadata(sandbox: Sandbox, group: JID) -> Any:
    url = f"{sandbox.control_url}/control/groups/{quote(str(group))}"

    def call() -> Any:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return json.loads(response.read())

    return await asyncio.to_thread(call)


async def _group_texts(sandbox: Sandbox, phone: str, group: JID, count: int) -> list[Any]:
    """Wait until ``phone``'s inbox holds ``count`` texts in ``group``; return them."""
    async with asyncio.timeout(TIMEOUT):
        inbox = await sandbox.wait_inbox(phone, 0)
        while len(texts := [e["text"] for e in inbox if e["chat"] == str(group)]) < count:
            inbox = await sandbox.wait_inbox(phone, len(inbox) + 1)
    return texts


async def _rename(sandbox: Sandbox, group: JID, subject: str) -> None:
    await control(sandbox, f"/control/groups/{group}/settings", {"by": P1, "subject": subject})


class _Watch:
    """Records the simulated phones' messages and retry receipts in a sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sent: list[Node] = []
        self.retries: list[Node] = []
        router = sandbox.router
        phone_sends, from_device = router.phone_sends, router.from_device

        async def sends(account: Any, node: Node) -> int | None:
            self.sent.append(node)
            return await phone_sends(account, node)

        async def answers(account: Any, device_id: int, node: Node) -> None:
            if device_id == 0 and node.tag == "receipt" and node.attrs.get("type") == "retry":
                self.retries.append(node)
            await from_device(account, device_id, node)

        router.phone_sends = sends  # type: ignore[method-assign]
        router.from_device = answers  # type: ignore[method-assign]


async def _paired_with_two_phones(sandbox: Sandbox, store: AccountStore) -> tuple[Client, Events]:
    """Create the client's account and P1's and P2's; pair the client by QR."""
    for phone in (PHONE, P1, P2):
        sandbox.create_user(phone, phone[-4:])
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    return client, events


async def test_group_and_sender_keys_survive_a_sandbox_restart(
    tmp_path: Path, store: AccountStore
) -> None:
    async with Sandbox(data_dir=tmp_path) as first:
        client, events = await _paired_with_two_phones(first, store)
        body = {
            "creator": P1,
            "subject": "Kept",
            "participants": [str(ALICE), f"{P2}@s.whatsapp.net"],
        }
        group = JID.parse((await control(first, "/control/groups", body))["jid"])
        assert (await events.next(GroupJoined)).group == group
        await control(first, f"/control/groups/{group}/settings", {"by": P1, "description": "d"})
        watch = _Watch(first)
        for phone in (P1, P2):
            sent = await first.send_text(phone, group, f"{phone} before")
            got = await events.next(MessageReceived)
            assert (got.id, got.chat, got.text) == (sent, group, f"{phone} before")
        assert all(node.get_child("participants") is not None for node in watch.sent)
        await client.send_message(group, TextMessage("bot before"))
        for phone in (P1, P2):
            assert "bot before" in await _group_texts(first, phone, group, 2)
        await client.disconnect()
        await _rename(first, group, "offline 1")  # held for the client over the restart
        metadata = await _metadata(first, group)

    async with Sandbox(data_dir=tmp_path) as second:
        assert await _metadata(second, group) == metadata
        for n in (2, 3, 4):  # new notification ids: none replaces the one held
            await _rename(second, group, f"offline {n}")
        watch = _Watch(second)
        events = Events()
        client = sandbox_client(second, store, events)
        await client.connect()
        renamed = [(await events.next(GroupInfoChanged)).subject for _ in range(4)]
        assert renamed == [f"offline {n}" for n in (1, 2, 3, 4)]
        if not events.of(Connected):
            await events.next(Connected)
        for phone in (P1, P2):
            sent = await second.send_text(phone, group, f"{phone} after")
            got = await events.next(MessageReceived)
            assert (got.id, got.chat, got.text) == (sent, group, f"{phone} after")
        assert [node.get_child("participants") for node in watch.sent] == [None, None]

        await client.send_message(group, TextMessage("bot after"))
        for phone in (P1, P2):
            assert (await _group_texts(second, phone, group, 4))[-1] == "bot after"
        assert watch.retries == []  # the phones still held the client's sender key
        assert not events.of(UndecryptableMessage) and not events.of(QRCodeShown)
        await client.disconnect()
