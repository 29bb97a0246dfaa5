"""A client paired to a sandbox with a data directory logs in again after the sandbox restarts."""

from __future__ import annotations

from pathlib import Path

from botkit.server import Sandbox
from botkit.store import AccountStore
from botkit.types.client_events import Connected, QRCodeShown
from botkit.types.events import MessageReceived, ReceiptKind, ReceiptReceived, UndecryptableMessage
from botkit.types.jid import JID
from botkit.types.message import TextMessage

from .helpers import ALICE, BOB, PHONE, Events, pair_by_qr, sandbox_client


def _sandbox(data: Path) -> Sandbox:
    return Sandbox(ref_timeouts=(10.0, 10.0), reply_timeout=5.0, data_dir=data)


async def test_paired_client_logs_in_again_and_gets_what_was_queued(
    tmp_path: Path, store: AccountStore
) -> None:
    data = tmp_path / "sandbox"
    async with _sandbox(data) as first:
        first.create_user(PHONE, "Alice")
        bob = first.create_user(BOB, "Bob")
        root = first.root_public_key
        events = Events()
        client = sandbox_client(first, store, events)
        await pair_by_qr(first, client, events)
        await first.send_text(BOB, ALICE, "before")
        assert (await events.next(MessageReceived)).text == "before"
        await client.send_message(JID.parse(bob["jid"]), TextMessage("hello bob"))
        await events.next(ReceiptReceived)  # Bob's phone read it
        devices = first.devices(PHONE)
        await client.disconnect()
        queued = await first.send_text(BOB, ALICE, "queued while offline")

    async with _sandbox(data) as second:
        assert second.root_public_key == root
        assert second.devices(PHONE) == devices
        events = Events()
        client = sandbox_client(second, store, events)
        await client.connect()
        got = await events.next(MessageReceived)
        if not events.of(Connected):  # the offline batch may come before or after it
            await events.next(Connected)
        assert (got.id, got.text) == (queued, "queued while offline")
        await client.send_message(JID.parse(bob["jid"]), TextMessage("after restart"))
        receipt = await events.next(ReceiptReceived)
        assert receipt.kind is ReceiptKind.DELIVERED  # the phone's session survived: no retry
        assert [entry["text"] for entry in second.inbox(BOB)] == ["hello bob", "after restart"]
        assert not events.of(QRCodeShown)
        assert not events.of(UndecryptableMessage)
        await client.disconnect()
