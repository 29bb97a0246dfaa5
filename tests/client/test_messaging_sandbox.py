"""The message services' queries against the in-process sandbox (usync, LIDs, key fetch)."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from botkit.errors import StoreError
from botkit.server import Sandbox
from botkit.store import AccountStore, MemoryStore, StoreOptions
from botkit.store.values import InboundUnit
from botkit.types.events import (
    MessageReceived,
    ReceiptKind,
    ReceiptReceived,
    UndecryptableMessage,
)
from botkit.types.jid import JID
from botkit.types.message import TextMessage

from .helpers import PHONE, TIMEOUT, Events, pair_by_qr, sandbox_client

BOB_PHONE = "15550002222"
EXCHANGED = 100
E = TypeVar("E")


async def _until(events: Events, kind: type[E], count: int) -> list[E]:
    """Wait until ``events`` recorded ``count`` events of ``kind``; return them."""
    while len(events.of(kind)) < count:
        await events.next(object)
    return events.of(kind)


async def test_directory_resolves_lid_devices_and_bundles(
    sandbox: Sandbox, store: AccountStore
) -> None:
    bob = sandbox.create_user(BOB_PHONE, "Bob")
    events = Events()
    client = sandbox_client(sandbox, store, events)
    connected = await pair_by_qr(sandbox, client, events)
    directory = client._messaging.directory
    bob_lid = JID.parse(bob["lid"])
    assert await directory.lid_of(JID.parse(bob["jid"])) == bob_lid
    assert await client.alternate_jid(bob_lid) == JID.parse(bob["jid"])
    assert connected.lid is not None
    own_lid = connected.lid.to_non_ad()
    devices = await directory.devices([bob_lid, own_lid])
    assert devices == [bob_lid, own_lid, JID(own_lid.user, "lid", connected.jid.device)]
    bundles = await directory.bundles([bob_lid, own_lid])
    assert set(bundles) == {bob_lid, own_lid}
    await client.disconnect()


async def test_client_and_simulated_phone_exchange_texts(
    sandbox: Sandbox, store: AccountStore
) -> None:
    bob = sandbox.create_user(BOB_PHONE, "Bob")
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    bob_jids = {JID.parse(bob["jid"]), JID.parse(bob["lid"])}
    for n in range(EXCHANGED):
        await sandbox.send_text(BOB_PHONE, JID(PHONE, "s.whatsapp.net"), f"from bob {n}")
        await client.send_message(JID.parse(bob["jid"]), TextMessage(f"to bob {n}"))
    got = await _until(events, MessageReceived, EXCHANGED)
    assert [e.text for e in got] == [f"from bob {n}" for n in range(EXCHANGED)]
    assert {e.chat for e in got} <= bob_jids
    texts = [entry["text"] for entry in sandbox.inbox(BOB_PHONE)]
    assert texts == [f"to bob {n}" for n in range(EXCHANGED)]
    receipts = await _until(events, ReceiptReceived, EXCHANGED)
    assert {(r.kind, r.chat in bob_jids) for r in receipts} == {(ReceiptKind.DELIVERED, True)}
    await client.disconnect()


async def test_two_botkit_clients_exchange_texts_with_receipts(
    sandbox: Sandbox, store: AccountStore
) -> None:
    bob = sandbox.create_user(BOB_PHONE, "Bob")
    memory = MemoryStore(StoreOptions(renew_interval=None))
    alice_events, bob_events = Events(), Events()
    alice = sandbox_client(sandbox, store, alice_events)
    bob_client = sandbox_client(sandbox, await memory.open_account("bob"), bob_events)
    await pair_by_qr(sandbox, alice, alice_events)
    await pair_by_qr(sandbox, bob_client, bob_events, BOB_PHONE)
    for n in range(EXCHANGED):
        await alice.send_message(JID.parse(bob["jid"]), TextMessage(f"a{n}"))
        await bob_client.send_message(JID(PHONE, "s.whatsapp.net"), TextMessage(f"b{n}"))
    got_bob = [e.text for e in await _until(bob_events, MessageReceived, EXCHANGED)]
    got_alice = [e.text for e in await _until(alice_events, MessageReceived, EXCHANGED)]
    assert got_bob == [f"a{n}" for n in range(EXCHANGED)] and got_alice == [
        f"b{n}" for n in range(EXCHANGED)
    ]
    for events in (alice_events, bob_events):
        receipts = await _until(events, ReceiptReceived, EXCHANGED)
        assert {receipt.kind for receipt in receipts} == {ReceiptKind.DELIVERED}
    assert not alice_events.of(UndecryptableMessage) and not bob_events.of(UndecryptableMessage)
    await alice.disconnect()
    await bob_client.disconnect()
    await memory.close()


async def test_messages_sent_while_offline_arrive_after_reconnect(
    sandbox: Sandbox, store: AccountStore
) -> None:
    sandbox.create_user(BOB_PHONE, "Bob")
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    await client.disconnect()
    for n in range(3):
        await sandbox.send_text(BOB_PHONE, JID(PHONE, "s.whatsapp.net"), f"offline {n}")
    await client.connect()
    texts = [(await events.next(MessageReceived)).text for _ in range(3)]
    assert texts == [f"offline {n}" for n in range(3)]
    receipts = client._messaging.receipts
    async with asyncio.timeout(TIMEOUT):
        await receipts.offline_done.wait()
    assert receipts.offline_count == 3
    await client.disconnect()


async def test_a_message_not_committed_is_redelivered_and_seen_once(
    sandbox: Sandbox, store: AccountStore
) -> None:
    sandbox.create_user(BOB_PHONE, "Bob")
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    commit = store.commit_inbound
    failed = asyncio.Event()

    async def crash(unit: InboundUnit) -> bool:
        failed.set()
        raise StoreError("the process died here")

    store.commit_inbound = crash  # type: ignore[method-assign]
    await sandbox.send_text(BOB_PHONE, JID(PHONE, "s.whatsapp.net"), "survives")
    async with asyncio.timeout(TIMEOUT):
        await failed.wait()
    await client.disconnect()
    store.commit_inbound = commit  # type: ignore[method-assign]
    await client.connect()
    assert (await events.next(MessageReceived)).text == "survives"
    receipts = client._messaging.receipts
    async with asyncio.timeout(TIMEOUT):
        await receipts.offline_done.wait()
    assert [e.text for e in events.of(MessageReceived)] == ["survives"]
    await client.disconnect()
