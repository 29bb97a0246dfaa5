"""Acceptance: a botkit client and a simulated phone, 100 texts each way, each exactly once.

Both directions run interleaved. A final round trip each way flushes the channel, so that a
duplicate (message or receipt) would have arrived before the counts are checked.
"""

from __future__ import annotations

from collections import Counter

from botkit.core.binary import Node
from botkit.server import Sandbox
from botkit.store import AccountStore
from botkit.types.events import (
    MessageReceived,
    ReceiptKind,
    ReceiptReceived,
    UndecryptableMessage,
)
from botkit.types.jid import JID
from botkit.types.message import TextMessage

from .helpers import ALICE, BOB, Events, pair_by_qr, sandbox_client

COUNT = 100


async def _receipt_for(events: Events, message_id: str) -> None:
    while message_id not in {i for r in events.of(ReceiptReceived) for i in r.message_ids}:
        await events.next(ReceiptReceived)


async def _message(events: Events, message_id: str) -> None:
    while message_id not in {m.id for m in events.of(MessageReceived)}:
        await events.next(MessageReceived)


async def test_client_and_phone_exchange_100_texts_each_way_exactly_once_in_order(
    sandbox: Sandbox, store: AccountStore
) -> None:
    bob = JID.parse(sandbox.create_user(BOB, "Bob")["jid"])
    events = Events()
    client = sandbox_client(sandbox, store, events)
    connected = await pair_by_qr(sandbox, client, events)
    from_phone: list[str] = []
    from_client: list[str] = []
    for n in range(COUNT + 1):  # the last one of each side is the flush
        from_phone.append(await sandbox.send_text(BOB, ALICE, f"phone {n}"))
        from_client.append(await client.send_message(bob, TextMessage(f"client {n}")))
    await _message(events, from_phone[-1])
    await _receipt_for(events, from_client[-1])

    received = events.of(MessageReceived)
    assert [m.id for m in received] == from_phone
    assert [m.text for m in received] == [f"phone {n}" for n in range(COUNT + 1)]
    receipts = Counter(i for r in events.of(ReceiptReceived) for i in r.message_ids)
    assert receipts == Counter(from_client)
    assert {r.kind for r in events.of(ReceiptReceived)} == {ReceiptKind.DELIVERED}
    inbox = sandbox.inbox(BOB)
    assert [entry["id"] for entry in inbox] == from_client
    assert [entry["text"] for entry in inbox] == [f"client {n}" for n in range(COUNT + 1)]
    phone = sandbox.router.phone(sandbox.world.account(BOB))  # type: ignore[arg-type]
    by_client: Counter[str] = Counter()
    for receipt in phone.receipts:
        writer = receipt.attrs["from"]
        assert isinstance(writer, JID)
        if receipt.attrs.get("type") is None and writer.device == connected.jid.device:
            items = (receipt.get_child("list") or Node("list")).get_children("item")
            by_client.update([str(receipt.attrs["id"]), *(str(i.attrs["id"]) for i in items)])
    assert by_client == Counter(from_phone)
    assert not events.of(UndecryptableMessage)
    await client.disconnect()
