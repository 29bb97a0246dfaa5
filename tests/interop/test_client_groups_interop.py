"""Acceptance: a botkit client runs a sandbox group with a real Baileys client and two phones.

The botkit client (Bob) creates the group with Baileys (Alice) and two simulated phones. Group
texts go every way and decrypt everywhere: botkit's sender key reaches Baileys and the phones,
theirs reach botkit. Bob deletes Alice's text for everyone as an admin and Baileys sees the
revocation; Bob's settings changes reach Baileys; Bob removes a phone, Baileys sees the removal,
Bob's sender key is rotated and his next text reaches everyone but the removed phone. In a group
Alice created, Bob is not an admin: his settings change fails with ``NotAuthorized``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from botkit.client import Client, ServerConfig
from botkit.client.devices import local_device
from botkit.client.send import own_sender_key_address
from botkit.core.signal import SenderKeyRecord
from botkit.errors import NotAuthorized
from botkit.server.app import Sandbox
from botkit.store import AccountStore, MemoryStore, StoreOptions
from botkit.types.client_events import Connected, QRCodeShown
from botkit.types.events import (
    GroupJoined,
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    ParticipantAction,
    ReactionReceived,
)
from botkit.types.group import GroupSetting
from botkit.types.jid import JID
from botkit.types.message import (
    EditMessage,
    MessageRef,
    ReactionMessage,
    RevokeMessage,
    TextMessage,
)

from .node_process import node_script
from .test_client_baileys_interop import TIMING, Events
from .test_sandbox_groups_interop import GroupClient

ALICE, BOB, P1, P2 = "15550001111", "15550002222", "15550003333", "15550004444"
TIMEOUT = 30.0


def _pn(phone: str) -> JID:
    return JID(phone, "s.whatsapp.net")


async def _inbox_texts(sandbox: Sandbox, phone: str, group: JID, count: int) -> list[Any]:
    """Wait until ``phone`` decrypted ``count`` texts (all in ``group``); return those in it."""
    async with asyncio.timeout(TIMEOUT):
        inbox = await sandbox.wait_inbox(phone, count)
    return [entry["text"] for entry in inbox if entry.get("chat") == str(group)]


async def _own_key_id(store: AccountStore, group: JID) -> int:
    local = local_device(await store.load_credentials())
    stored = await store.get_sender_key(str(group), own_sender_key_address(local))
    assert stored is not None
    return SenderKeyRecord.deserialize(stored).states[0].key_id


async def _baileys_event(baileys: GroupClient, name: str, **match: Any) -> dict[str, Any]:
    """Return the next Baileys event ``name`` whose fields include ``match``."""
    while True:
        event = await baileys.next_event(name)
        if all(event.get(key) == value for key, value in match.items()):
            return event


async def _baileys_text(baileys: GroupClient) -> dict[str, Any]:
    """Return the next text Baileys received (group notices come as messages without text)."""
    while (got := await baileys.incoming())["text"] is None:
        pass
    return got


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(ref_timeouts=(20.0, 10.0), reply_timeout=10.0) as running:
        yield running


@pytest.fixture
async def baileys(sandbox: Sandbox) -> AsyncIterator[GroupClient]:
    script = "baileys_chat.mjs"
    async with node_script(script, sandbox.ws_url, sandbox.root_public_key) as proc:
        yield GroupClient(proc)


@dataclass
class Room:
    """Baileys (Alice) and a botkit client (Bob), both paired, with two phones in the sandbox."""

    sandbox: Sandbox
    baileys: GroupClient
    client: Client
    store: AccountStore
    events: Events


@pytest.fixture
async def room(sandbox: Sandbox, baileys: GroupClient) -> AsyncIterator[Room]:
    for phone, name in ((ALICE, "Alice"), (BOB, "Bob"), (P1, "P1"), (P2, "P2")):
        sandbox.create_user(phone, name)
    await sandbox.linker.pair_qr(ALICE, (await baileys.next_event("qr"))["qr"])
    await baileys.next_event("open")
    memory = MemoryStore(StoreOptions(renew_interval=None))
    store = await memory.open_account("bob")
    events = Events()
    server = ServerConfig.from_ready_line(sandbox.ready_line())
    client = Client(store, events, server=server, timing=TIMING)
    try:
        async with asyncio.timeout(TIMEOUT):
            await client.connect()
            await sandbox.linker.pair_qr(BOB, (await events.next(QRCodeShown)).code)
            await events.next(Connected)
        yield Room(sandbox, baileys, client, store, events)
    finally:
        await client.disconnect()
        await memory.close()


async def test_botkit_runs_a_group_with_baileys_and_two_phones(room: Room) -> None:
    async with asyncio.timeout(TIMEOUT):
        await _run(room.sandbox, room.baileys, room.client, room.store, room.events)


async def _run(
    sandbox: Sandbox, baileys: GroupClient, client: Client, store: AccountStore, events: Events
) -> None:
    info = await client.groups.create("Acceptance", [_pn(ALICE), _pn(P1), _pn(P2)])
    group = info.jid

    # texts every way: botkit -> all, Baileys -> all, a phone -> all
    sent = await client.send_message(group, TextMessage("from botkit"))
    got = await _baileys_text(baileys)
    assert (got["id"], got["from"], got["text"]) == (sent, str(group), "from botkit")
    assert got["participant"].split("@")[0].split(":")[0] == BOB
    from_baileys = await baileys.send_text(str(group), "from baileys")
    received = await events.next(MessageReceived)
    assert (received.id, received.chat, received.text) == (from_baileys, group, "from baileys")
    from_phone = await sandbox.send_text(P1, group, "from p1")
    assert (await _baileys_text(baileys))["id"] == from_phone
    by_phone = await events.next(MessageReceived)
    assert (by_phone.id, by_phone.chat, by_phone.text) == (from_phone, group, "from p1")
    for phone in (P1, P2):
        assert (await _inbox_texts(sandbox, phone, group, 2))[:2] == ["from botkit", "from baileys"]

    # Bob, an admin, deletes Alice's text for everyone
    target = MessageRef(group, received.id, received.sender)
    await client.send_message(group, RevokeMessage(target))
    revoked = await _baileys_event(baileys, "revoked", id=from_baileys)
    assert revoked["chat"] == str(group)

    # Bob's settings reach Baileys
    await client.groups.set_setting(group, GroupSetting.ANNOUNCE, True)
    update = await _baileys_event(baileys, "group_update", id=str(group))
    assert update["announce"] is True
    await client.groups.set_setting(group, GroupSetting.LOCKED, True)
    update = await _baileys_event(baileys, "group_update", id=str(group))
    assert update["restrict"] is True

    # Bob removes P2: Baileys sees it, the key rotates, P2 gets nothing more
    key_before = await _own_key_id(store, group)
    results = await client.groups.change_participants(group, [_pn(P2)], ParticipantAction.REMOVED)
    assert [(r.jid, r.error) for r in results] == [(_pn(P2), 0)]
    removal = await _baileys_event(baileys, "participants", id=str(group), action="remove")
    assert removal["participants"] == [str(_pn(P2))]
    after = await client.send_message(group, TextMessage("after removal"))
    assert (await _baileys_text(baileys))["id"] == after  # Baileys took the new key
    assert await _own_key_id(store, group) != key_before
    p1_reads = ["from botkit", "from baileys", "after removal"]
    assert await _inbox_texts(sandbox, P1, group, 3) == p1_reads
    p2_reads = ["from botkit", "from baileys", "from p1"]
    assert await _inbox_texts(sandbox, P2, group, 3) == p2_reads  # fanned out at once: no more

    # in Alice's group Bob is no admin: his settings change is refused, typed
    theirs = await baileys.call("groupCreate", "Alice's", [str(_pn(BOB))])
    joined = await events.next(GroupJoined)
    assert str(joined.group) == theirs["id"]
    with pytest.raises(NotAuthorized):
        await client.groups.set_setting(joined.group, GroupSetting.ANNOUNCE, True)


async def test_replies_mentions_reactions_edits_and_revokes_both_ways(room: Room) -> None:
    async with asyncio.timeout(TIMEOUT):
        await _kinds(room)


async def _ask(baileys: GroupClient, **request: Any) -> str:
    """Send a message-kind request to Baileys; return the id of what it sent."""
    assert baileys.proc.stdin is not None
    baileys.proc.stdin.write(json.dumps(request).encode() + b"\n")
    await baileys.proc.stdin.drain()
    answer = await _baileys_event(baileys, "kind_sent", op=request["op"])
    return str(answer["id"])


async def _kinds(room: Room) -> None:
    baileys, client, events = room.baileys, room.client, room.events
    group = (await client.groups.create("Kinds", [_pn(ALICE)])).jid
    alice, bob = str(_pn(ALICE)), str(_pn(BOB))

    # Baileys -> botkit: a reply quoting Bob's text and mentioning him, a reaction, an edit,
    # and the deletion of its own reply
    question = await client.send_message(group, TextMessage("question?"))
    asked = await _baileys_text(baileys)
    bob_key = {
        "remoteJid": str(group),
        "fromMe": False,
        "id": question,
        "participant": asked["participant"],
    }
    quoted = {"key": bob_key, "message": {"conversation": "question?"}}
    reply = await _ask(
        baileys, op="reply", to=str(group), text="@bob answer", quoted=quoted, mentions=[bob]
    )
    got = await events.next(MessageReceived)
    assert (got.id, got.text, got.mentions) == (reply, "@bob answer", (_pn(BOB),))
    assert got.quoted is not None and (got.quoted.id, got.quoted.text) == (question, "question?")
    assert got.quoted.sender.user == BOB
    await _ask(baileys, op="react", to=str(group), key=bob_key, emoji="👍")
    reaction = await events.next(ReactionReceived)
    assert (reaction.message_id, reaction.emoji, reaction.sender.user) == (question, "👍", ALICE)
    own_key = {"remoteJid": str(group), "fromMe": True, "id": reply}
    await _ask(baileys, op="edit", to=str(group), key=own_key, text="@bob better answer")
    edited = await events.next(MessageEdited)
    assert (edited.message_id, edited.text, edited.sender.user) == (
        reply,
        "@bob better answer",
        ALICE,
    )
    await _ask(baileys, op="revoke", to=str(group), key=own_key)
    revoked = await events.next(MessageRevoked)
    assert (revoked.message_id, revoked.by_admin, revoked.sender.user) == (reply, False, ALICE)

    # botkit -> Baileys: a reply quoting Alice and mentioning her, a reaction, an edit
    hers = await baileys.send_text(str(group), "hello")
    received = await events.next(MessageReceived)
    target = MessageRef(group, hers, received.sender, "hello")
    answer = await client.send_message(group, TextMessage("@alice hi", (_pn(ALICE),), target))
    context = await _baileys_event(baileys, "context", id=answer)
    assert (context["quoted"], context["mentions"]) == (hers, [alice])
    assert context["quoted_participant"].split("@")[0] == ALICE
    await client.send_message(group, ReactionMessage(target, "❤️"))
    hearted = await _baileys_event(baileys, "reaction", id=hers)
    assert hearted["emoji"] == "❤️"
    await client.send_message(group, EditMessage(MessageRef(group, answer), "@alice hello"))
    assert (await _baileys_event(baileys, "edited", id=answer))["text"] == "@alice hello"
