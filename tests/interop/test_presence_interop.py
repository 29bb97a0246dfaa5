"""Presence and chat state between a real Baileys client and a botkit client (§14.1–14.2).

Baileys (Alice) and botkit (Bob) are paired as different accounts to one in-process sandbox.
Each subscribes to the other's presence and sees it go available then unavailable (with a
last-seen time); each types then pauses 1:1 and in a sandbox group both are members of, and
the other sees it with the right chat and sender. Baileys reports a ``<paused/>`` chat state
as ``available`` in its ``presence.update`` (it has no paused state); the test says so.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from botkit.client import Client
from botkit.server.app import Sandbox
from botkit.types.events import ChatState, ChatStateChanged, PresenceChanged
from botkit.types.jid import JID

from .node_process import node_script
from .test_client_baileys_interop import Events, paired_botkit
from .test_sandbox_groups_interop import GroupClient
from .test_sandbox_pairing_interop import post

ALICE, BOB = "15550001111", "15550002222"
ALICE_JID, BOB_JID = JID(ALICE, "s.whatsapp.net"), JID(BOB, "s.whatsapp.net")
TIMEOUT = 20.0


@dataclass
class Pair:
    """Baileys (Alice) and a botkit client (Bob), both paired to ``sandbox``."""

    sandbox: Sandbox
    baileys: GroupClient
    client: Client
    events: Events
    lids: tuple[JID, JID]
    """Alice's and Bob's LIDs."""

    async def ask(self, **request: Any) -> None:
        """Send a presence request to Baileys and wait until it was sent."""
        stdin = self.baileys.proc.stdin
        assert stdin is not None
        stdin.write(json.dumps(request).encode() + b"\n")
        await stdin.drain()
        answer = await self.baileys.next_event_of(("presence_sent", "presence_error"))
        assert answer == {"event": "presence_sent", "op": request["op"]}, answer

    async def seen_by_baileys(self, chat: JID) -> dict[str, Any]:
        """Return the next ``presence.update`` Baileys reported about ``chat``."""
        while (event := await self.baileys.next_event("presence"))["id"] != str(chat):
            pass
        return event


@pytest.fixture
async def pair() -> AsyncIterator[Pair]:
    async with (
        Sandbox(ref_timeouts=(20.0, 10.0), reply_timeout=10.0) as sandbox,
        node_script("baileys_chat.mjs", sandbox.ws_url, sandbox.root_public_key) as proc,
    ):
        alice, bob = sandbox.create_user(ALICE, "Alice"), sandbox.create_user(BOB, "Bob")
        lids = (JID.parse(alice["lid"]), JID.parse(bob["lid"]))
        baileys = GroupClient(proc)
        async with asyncio.timeout(TIMEOUT):
            await sandbox.linker.pair_qr(ALICE, (await baileys.next_event("qr"))["qr"])
            await baileys.next_event("open")
        events = Events()
        async with paired_botkit(sandbox, BOB, events) as client:
            yield Pair(sandbox, baileys, client, events, lids)


async def test_botkit_sees_baileys_go_online_and_offline(pair: Pair) -> None:
    async with asyncio.timeout(TIMEOUT):
        await pair.client.presence.subscribe(ALICE_JID)
        first = await pair.events.next(PresenceChanged)
        assert (first.jid, first.available, first.last_seen) == (ALICE_JID, False, None)
        await pair.ask(op="sendPresenceUpdate", type="available", name="Alice")
        online = await pair.events.next(PresenceChanged)
        assert (online.jid, online.available, online.last_seen) == (ALICE_JID, True, None)
        before = int(time.time())
        await pair.ask(op="sendPresenceUpdate", type="unavailable")
        offline = await pair.events.next(PresenceChanged)
        assert (offline.jid, offline.available) == (ALICE_JID, False)
        assert offline.last_seen is not None and before <= offline.last_seen <= time.time()


async def test_baileys_sees_botkit_go_online_and_offline(pair: Pair) -> None:
    async with asyncio.timeout(TIMEOUT):
        await pair.ask(op="presenceSubscribe", to=str(BOB_JID))
        first = await pair.seen_by_baileys(BOB_JID)
        assert (first["participant"], first["presence"]) == (str(BOB_JID), "unavailable")
        await pair.client.presence.set_push_name("Bob")
        await pair.client.presence.set_available(True)
        online = await pair.seen_by_baileys(BOB_JID)
        assert (online["presence"], online["last_seen"]) == ("available", None)
        before = int(time.time())
        await pair.client.presence.set_available(False)
        offline = await pair.seen_by_baileys(BOB_JID)
        assert offline["presence"] == "unavailable"
        assert offline["last_seen"] is not None and before <= offline["last_seen"] <= time.time()


async def test_typing_one_to_one_both_ways(pair: Pair) -> None:
    async with asyncio.timeout(TIMEOUT):
        await _typing(pair, chat_of_baileys=ALICE_JID, chat_of_botkit=BOB_JID, to=None)
        # a voice note being recorded: <composing media="audio"/> both ways
        await pair.ask(op="sendPresenceUpdate", type="recording", to=str(BOB_JID))
        got = await pair.events.next(ChatStateChanged)
        assert (got.chat, got.sender, got.state) == (ALICE_JID, ALICE_JID, ChatState.RECORDING)
        await pair.client.presence.send_chat_state(ALICE_JID, ChatState.RECORDING)
        assert (await pair.seen_by_baileys(BOB_JID))["presence"] == "recording"


async def test_presence_and_typing_addressed_by_lid(pair: Pair) -> None:
    alice_lid, bob_lid = pair.lids
    async with asyncio.timeout(TIMEOUT):
        await pair.client.presence.subscribe(alice_lid)
        assert (await pair.events.next(PresenceChanged)).jid == alice_lid
        await pair.ask(op="presenceSubscribe", to=str(bob_lid))
        assert (await pair.seen_by_baileys(bob_lid))["presence"] == "unavailable"
        await pair.ask(op="sendPresenceUpdate", type="available", name="Alice")
        online = await pair.events.next(PresenceChanged)
        assert (online.jid, online.available) == (alice_lid, True)

        await pair.ask(op="sendPresenceUpdate", type="composing", to=str(bob_lid))
        got = await pair.events.next(ChatStateChanged)
        assert (got.chat, got.sender, got.state) == (alice_lid, alice_lid, ChatState.COMPOSING)
        await pair.client.presence.send_chat_state(alice_lid, ChatState.COMPOSING)
        seen = await pair.seen_by_baileys(bob_lid)
        assert (seen["participant"], seen["presence"]) == (str(bob_lid), "composing")


async def test_typing_in_a_group_both_ways(pair: Pair) -> None:
    body = {"creator": ALICE, "subject": "Typing", "participants": [str(BOB_JID)]}
    status, created = await post(f"{pair.sandbox.control_url}/control/groups", body)
    assert status == 200, created
    group = JID.parse(created["jid"])
    async with asyncio.timeout(TIMEOUT):
        await _typing(pair, chat_of_baileys=group, chat_of_botkit=group, to=group)


async def _typing(pair: Pair, *, chat_of_baileys: JID, chat_of_botkit: JID, to: JID | None) -> None:
    """Baileys then botkit compose and pause; each other sees both, in the right chat."""
    for state in (ChatState.COMPOSING, ChatState.PAUSED):
        await pair.ask(op="sendPresenceUpdate", type=state.value, to=str(to or BOB_JID))
        got = await pair.events.next(ChatStateChanged)
        assert (got.chat, got.sender, got.state) == (chat_of_baileys, ALICE_JID, state)
    for state, shown in ((ChatState.COMPOSING, "composing"), (ChatState.PAUSED, "available")):
        await pair.client.presence.send_chat_state(to or ALICE_JID, state)
        seen = await pair.seen_by_baileys(chat_of_botkit)
        assert (seen["participant"], seen["presence"]) == (str(BOB_JID), shown)
