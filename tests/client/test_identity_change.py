"""A peer's phone registers again: the client drops its sessions, says so, and talks on."""

from __future__ import annotations

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

from .helpers import ALICE, BOB, Events, control, pair_by_qr, sandbox_client


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
