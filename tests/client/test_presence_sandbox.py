"""Two botkit clients see each other's presence and typing through the sandbox."""

from __future__ import annotations

from botkit.server import Sandbox
from botkit.store import AccountStore, MemoryStore, StoreOptions
from botkit.types.events import ChatState, ChatStateChanged, PresenceChanged
from botkit.types.jid import JID

from .helpers import PHONE, Events, pair_by_qr, sandbox_client

BOB_PHONE = "15550002222"


async def test_presence_subscription_and_typing_between_two_clients(
    sandbox: Sandbox, store: AccountStore
) -> None:
    sandbox.create_user(BOB_PHONE, "Bob")
    memory = MemoryStore(StoreOptions(renew_interval=None))
    alice_events, bob_events = Events(), Events()
    alice = sandbox_client(sandbox, store, alice_events)
    bob = sandbox_client(sandbox, await memory.open_account("bob"), bob_events)
    try:
        await pair_by_qr(sandbox, alice, alice_events)
        await pair_by_qr(sandbox, bob, bob_events, BOB_PHONE)
        alice_jid, bob_jid = JID(PHONE, "s.whatsapp.net"), JID(BOB_PHONE, "s.whatsapp.net")

        await bob.presence.subscribe(alice_jid)
        first = await bob_events.next(PresenceChanged)
        assert (first.jid, first.available) == (alice_jid, False)
        await alice.presence.set_push_name("Alice")
        await alice.presence.set_available(True)
        online = await bob_events.next(PresenceChanged)
        assert (online.jid, online.available) == (alice_jid, True)

        await alice.presence.send_chat_state(bob_jid, ChatState.COMPOSING)
        await alice.presence.send_chat_state(bob_jid, ChatState.PAUSED)
        states = [await bob_events.next(ChatStateChanged) for _ in range(2)]
        assert [(s.chat, s.sender, s.state) for s in states] == [
            (alice_jid, alice_jid, ChatState.COMPOSING),
            (alice_jid, alice_jid, ChatState.PAUSED),
        ]
    finally:
        await alice.disconnect()
        await bob.disconnect()
        await memory.close()
