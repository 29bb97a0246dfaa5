"""A peer's phone registers again: the client drops its sessions, says so, and talks on."""

from __future__ import annotations

from botkit.client.devices import Directory
from botkit.client.identity import IdentityChanges
from botkit.core.binary import Node
from botkit.server import Sandbox
from botkit.store import AccountStore
from botkit.types.events import (
    IdentityChanged,
    MessageReceived,
    ReceiptKind,
    ReceiptReceived,
    UndecryptableMessage,
)
from botkit.types.jid import JID
from botkit.types.message import TextMessage

from .helpers import ALICE, BOB, Events, FakeServer, control, pair_by_qr, sandbox_client


async def test_identity_change_drops_sessions_and_the_next_message_starts_a_new_one(
    sandbox: Sandbox, store: AccountStore
) -> None:
    bob = sandbox.create_user(BOB, "Bob")
    bob_jid = JID.parse(bob["jid"])
    events = Events()
    client = sandbox_client(sandbox, store, events)
    connected = await pair_by_qr(sandbox, client, events)
    await sandbox.send_text(BOB, ALICE, "old phone")
    assert (await events.next(MessageReceived)).text == "old phone"
    old_identity = sandbox.world.account(BOB).primary.identity.public  # type: ignore[union-attr]

    answer = await control(sandbox, f"/control/users/{BOB}/reset-identity", {})
    assert answer == {"notified": [str(connected.jid)]}
    changed = await events.next(IdentityChanged)
    assert changed.user == bob_jid
    assert not await store.get_sessions([JID(BOB, "s.whatsapp.net").signal_address()])
    new_identity = sandbox.world.account(BOB).primary.identity.public  # type: ignore[union-attr]
    assert new_identity != old_identity

    await client.send_message(bob_jid, TextMessage("to the new phone"))
    receipt = await events.next(ReceiptReceived)
    assert receipt.kind is ReceiptKind.DELIVERED
    assert [entry["text"] for entry in sandbox.inbox(BOB)] == ["to the new phone"]
    await sandbox.send_text(BOB, ALICE, "new phone")
    assert (await events.next(MessageReceived)).text == "new phone"
    assert not events.of(UndecryptableMessage)
    await client.disconnect()


async def test_an_identity_notice_waits_for_an_offline_device(
    sandbox: Sandbox, store: AccountStore
) -> None:
    sandbox.create_user(BOB, "Bob")
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    await sandbox.send_text(BOB, ALICE, "hello")
    await events.next(MessageReceived)
    await client.disconnect()
    await sandbox.reset_identity(BOB)
    await client.connect()
    assert (await events.next(IdentityChanged)).user == JID(BOB, "s.whatsapp.net")
    await client.disconnect()


async def test_a_notice_about_a_lid_clears_the_phone_number_too(store: AccountStore) -> None:
    lid, pn = JID("123456789", "lid"), JID(BOB, "s.whatsapp.net")
    await store.put_lid_mapping(str(lid), str(pn))
    addresses = [JID(u.user, u.server, d).signal_address() for u in (lid, pn) for d in (0, 2)]
    await store.put_sessions({address: b"record" for address in addresses})
    for address in addresses:
        await store.save_identity(address, b"k" * 32)
    seen: list[IdentityChanged] = []

    async def emit(event: IdentityChanged) -> None:
        seen.append(event)

    changes = IdentityChanges(
        store, Directory(FakeServer(lambda iq: None).requests, store), emit=emit
    )
    notice = {"from": lid, "type": "encrypt", "id": "1", "t": "1700000000"}
    await changes.on_notification(Node("notification", notice, [Node("count", {"value": "3"})]))
    from_server = {**notice, "from": JID("", "s.whatsapp.net")}
    await changes.on_notification(Node("notification", from_server, [Node("identity")]))
    assert seen == [] and len(await store.get_sessions(addresses)) == 4
    await changes.on_notification(Node("notification", notice, [Node("identity")]))
    assert seen == [IdentityChanged(user=lid, timestamp=1_700_000_000.0)]
    assert await store.get_sessions(addresses) == {}
    assert [await store.get_identity(address) for address in addresses] == [None] * 4


async def test_a_notice_about_a_stranger_drops_nothing_under_the_session_lock(
    store: AccountStore,
) -> None:
    directory = Directory(FakeServer(lambda iq: None).requests, store)
    delete = store.delete_sessions
    locked: list[bool] = []

    async def delete_locked(name: str) -> None:
        locked.append(directory.lock.locked())
        await delete(name)

    store.delete_sessions = delete_locked  # type: ignore[method-assign]
    seen: list[IdentityChanged] = []

    async def emit(event: IdentityChanged) -> None:
        seen.append(event)

    stranger = JID("15559990000", "s.whatsapp.net")
    notice = {"from": stranger, "type": "encrypt", "id": "1", "t": "5"}
    await IdentityChanges(store, directory, emit=emit).on_notification(
        Node("notification", notice, [Node("identity")])
    )
    assert locked == [True]  # a message being encrypted cannot store a dead session back
    assert seen == [IdentityChanged(user=stranger, timestamp=5.0)]
