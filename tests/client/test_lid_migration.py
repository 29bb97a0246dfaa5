"""PN -> LID session migration (PROTOCOL.md §5.3) with the sandbox: no new pkmsg needed."""

from __future__ import annotations

from botkit.client import Client
from botkit.server import Sandbox
from botkit.store import AccountStore
from botkit.types.events import (
    MessageReceived,
    ReceiptKind,
    ReceiptReceived,
    UndecryptableMessage,
)
from botkit.types.jid import JID, SignalAddress
from botkit.types.message import TextMessage

from .helpers import ALICE, BOB, Events, pair_by_qr, sandbox_client


def _lock_held_at_each_move(store: AccountStore, client: Client) -> list[bool]:
    """Make ``store.move_user`` record whether the client's session-record lock is held."""
    move = store.move_user
    locked: list[bool] = []

    async def move_locked(old_name: str, new_name: str) -> int:
        locked.append(client._messaging.directory.lock.locked())
        return await move(old_name, new_name)

    store.move_user = move_locked  # type: ignore[method-assign]
    return locked


async def test_sessions_made_by_phone_number_move_to_the_lid_once_it_is_known(
    sandbox: Sandbox, store: AccountStore
) -> None:
    bob = sandbox.create_user(BOB, "Bob")
    bob_pn, bob_lid = JID.parse(bob["jid"]), JID.parse(bob["lid"])
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    learn = store.put_lid_mapping

    async def forget(lid: str, pn: str) -> None:  # a client that does not know LIDs yet
        return None

    store.put_lid_mapping = forget  # type: ignore[method-assign]
    await client.send_message(bob_pn, TextMessage("by phone number"))
    assert (await events.next(ReceiptReceived)).kind is ReceiptKind.DELIVERED
    pn_address, lid_address = bob_pn.signal_address(), bob_lid.signal_address()
    pn_session = await store.get_session(pn_address)
    assert pn_session is not None and await store.get_session(lid_address) is None
    store.put_lid_mapping = learn  # type: ignore[method-assign]
    locked = _lock_held_at_each_move(store, client)

    # Bob's phone answers on the session the client started: a msg, which arrives with
    # sender_lid; the client learns the LID, moves the session, and decrypts it there.
    await sandbox.send_text(BOB, ALICE, "on the same session")
    got = await events.next(MessageReceived)
    assert (got.text, got.sender_alt) == ("on the same session", bob_lid)
    assert not events.of(UndecryptableMessage)
    assert await store.lid_for_pn(str(bob_pn)) == str(bob_lid)
    assert await store.get_session(pn_address) is None
    assert await store.get_session(lid_address) is not None
    assert await store.get_identity(SignalAddress(lid_address.name, 0)) is not None
    assert locked and all(locked)  # sending and receiving wait while the sessions move
    await client.disconnect()


async def test_a_lid_learnt_from_a_device_list_moves_sessions_under_the_session_lock(
    sandbox: Sandbox, store: AccountStore
) -> None:
    bob, events = sandbox.create_user(BOB, "Bob"), Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    locked = _lock_held_at_each_move(store, client)
    directory = client._messaging.directory
    assert directory.lock is client._messaging.sender.lock
    assert await directory.lid_of(JID.parse(bob["jid"])) == JID.parse(bob["lid"])
    assert locked == [True]
    await client.disconnect()
