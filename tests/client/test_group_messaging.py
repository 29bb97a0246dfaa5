"""Group messages with sender keys, against the hand-driven server of messaging_helpers."""

from __future__ import annotations

import asyncio
import os

import pytest

from botkit.client.group_send import GroupMembers
from botkit.core.binary import Node
from botkit.core.signal import create_sender_key
from botkit.core.stanza import retry_receipt
from botkit.errors import NoSession
from botkit.pb import e2e_pb2
from botkit.store import AccountStore
from botkit.types.events import MessageReceived, MessageRevoked, UndecryptableMessage
from botkit.types.jid import JID

from .helpers import own_key_id
from .messaging_helpers import (
    OWN_LID,
    Peer,
    Wire,
    bob,
    group_part,
    own_bundle,
    own_phone,
    paired_store,
)

GROUP = JID("120363000000000001", "g.us")


def carol() -> Peer:
    """Return a fresh peer "Carol" (a phone: device 0)."""
    return Peer(JID("15550003333", "s.whatsapp.net"), JID("333000333", "lid"), 5)


class Group:
    """The member list the wire's client sends to (a stand-in for the metadata cache)."""

    def __init__(self, *users: JID) -> None:
        self.users = list(users)

    async def __call__(self, group: JID) -> GroupMembers:
        assert group == GROUP
        return GroupMembers(tuple(self.users), addressing_lid=True)


def _distributed_to(node: Node) -> list[JID]:
    participants = node.get_child("participants")
    if participants is None:
        return []
    return sorted((JID.parse(str(to.attrs["jid"])) for to in participants.children), key=str)


def _text(peer: Peer, node: Node) -> str:
    return peer.receive(group_part(node, peer.lid, OWN_LID)).message.conversation


def _retry(peer: Peer, lost: Node) -> Node:
    """Return the group retry receipt (with fresh keys) ``peer`` sends for ``lost``."""
    asked = retry_receipt(
        lost, count=2, registration_id=peer.local.registration_id, keys=peer.bundle()
    )
    attrs = {**asked.attrs, "from": GROUP, "participant": peer.lid, "t": "1"}
    del attrs["to"]
    return Node("receipt", attrs, asked.content)


async def _sent_messages(wire: Wire, count: int) -> list[Node]:
    """Wait until the client sent ``count`` messages (it runs in another task); return them."""
    async with asyncio.timeout(2.0):
        while len(sent := [node for node in wire.sent if node.tag == "message"]) < count:
            await asyncio.sleep(0)  # a yield to the sending task, not a timing assumption
    return sent


@pytest.fixture
async def peers() -> tuple[Peer, Peer, Peer]:
    return bob(), carol(), own_phone()


async def test_sender_key_goes_only_to_devices_lacking_it_and_rotates_on_removal(
    store: AccountStore, peers: tuple[Peer, Peer, Peer]
) -> None:
    bob_, carol_, phone = peers
    members = Group(bob_.lid, carol_.lid, OWN_LID.to_non_ad())
    wire = Wire(await paired_store(store), list(peers), members=members)
    messaging = wire.messaging

    await messaging.send(GROUP, e2e_pb2.Message(conversation="one"), None)
    first = wire.sent[-1]
    assert _distributed_to(first) == sorted([bob_.lid, carol_.lid, phone.lid], key=str)
    assert first.attrs["addressing_mode"] == "lid" and str(first.attrs["phash"]).startswith("2:")
    assert [_text(p, first) for p in peers] == ["one"] * 3

    await messaging.send(GROUP, e2e_pb2.Message(conversation="two"), None)
    second = wire.sent[-1]
    assert _distributed_to(second) == []  # everyone holds the key: the skmsg alone
    assert [_text(p, second) for p in peers] == ["two"] * 3

    members.users.remove(carol_.lid)  # Carol was removed: our key is rotated
    await messaging.group_sender.rotate(GROUP)
    await messaging.send(GROUP, e2e_pb2.Message(conversation="three"), None)
    third = wire.sent[-1]
    assert _distributed_to(third) == sorted([bob_.lid, phone.lid], key=str)
    assert [_text(p, third) for p in (bob_, phone)] == ["three"] * 2
    with pytest.raises(NoSession):  # Carol holds only the old key
        carol_.receive(group_part(third, carol_.lid, OWN_LID))
    await wire.settle()


async def test_a_server_phash_that_differs_makes_members_and_devices_asked_again(
    store: AccountStore, peers: tuple[Peer, Peer, Peer]
) -> None:
    bob_, carol_, _ = peers
    stale: list[JID] = []

    async def forget(group: JID) -> None:
        stale.append(group)

    members = Group(bob_.lid, carol_.lid)
    wire = Wire(await paired_store(store), list(peers), members=members, stale=forget)
    await wire.messaging.send(GROUP, e2e_pb2.Message(conversation="a"), None)
    assert stale == []
    wire.ack_phash = "2:AAAAAAAA"  # the server counts other devices than we do
    await wire.messaging.send(GROUP, e2e_pb2.Message(conversation="b"), None)
    assert stale == [GROUP]
    wire.ack_phash = None
    await wire.messaging.send(GROUP, e2e_pb2.Message(conversation="c"), None)
    iqs = [node.attrs["xmlns"] for node in wire.sent if node.tag == "iq"]
    assert iqs == ["usync", "encrypt", "usync"]  # device lists asked again, sessions kept
    await wire.settle()


async def test_members_and_devices_come_from_caches_not_queries_per_message(
    store: AccountStore, peers: tuple[Peer, Peer, Peer]
) -> None:
    bob_, carol_, _ = peers
    wire = Wire(await paired_store(store), list(peers), members=Group(bob_.lid, carol_.lid))
    for text in ("a", "b", "c"):
        await wire.messaging.send(GROUP, e2e_pb2.Message(conversation=text), None)
    iqs = [node.attrs["xmlns"] for node in wire.sent if node.tag == "iq"]
    assert iqs == ["usync", "encrypt"]  # the first message's device lists and bundles only
    await wire.settle()


async def test_group_messages_decrypt_out_of_order_and_unknown_keys_ask_for_a_retry(
    store: AccountStore, peers: tuple[Peer, Peer, Peer]
) -> None:
    bob_, carol_, _ = peers
    wire = Wire(await paired_store(store), list(peers))
    bundle = await own_bundle(wire.store)
    parts = [
        bob_.send_group(text, GROUP, [OWN_LID], {OWN_LID: bundle}, message_id=f"3EB0B{n}")
        for n, text in enumerate(["m0", "m1", "m2"])
    ]
    for index in (0, 2, 1):  # m2 before m1: its skipped key is kept
        await wire.deliver(parts[index][OWN_LID])
    await wire.settle()
    received = wire.events.of(MessageReceived)
    assert [(e.text, e.chat, e.sender) for e in received] == [
        (t, GROUP, bob_.lid) for t in ("m0", "m2", "m1")
    ]

    _, carol_.sender_keys[(str(GROUP), carol_.lid)] = create_sender_key(rng=os.urandom)
    lost = carol_.send_group("lost", GROUP, [OWN_LID], {}, message_id="3EB0C0")[OWN_LID]
    assert [enc.attrs["type"] for enc in lost.children] == ["skmsg"]  # her key never reached us
    await wire.deliver(lost)
    await wire.settle()
    (failed,) = wire.events.of(UndecryptableMessage)
    assert (failed.id, failed.chat, failed.sender) == ("3EB0C0", GROUP, carol_.lid)
    retry = [n for n in wire.sent if n.tag == "receipt" and n.attrs.get("type") == "retry"]
    assert retry and retry[-1].attrs["participant"] == carol_.lid


async def test_a_group_retry_receipt_is_answered_with_our_sender_key_attached(
    store: AccountStore, peers: tuple[Peer, Peer, Peer]
) -> None:
    bob_, carol_, _ = peers
    wire = Wire(await paired_store(store), list(peers), members=Group(bob_.lid, carol_.lid))
    await wire.messaging.send(GROUP, e2e_pb2.Message(conversation="warm-up"), None)
    assert _text(bob_, wire.sent[-1]) == "warm-up"
    sent_id = await wire.messaging.send(GROUP, e2e_pb2.Message(conversation="lost"), None)
    lost = group_part(wire.sent[-1], bob_.lid, OWN_LID)
    bob_.sessions.clear()  # Bob lost everything: he asks again with fresh keys
    bob_.sender_keys.clear()
    wire.log.clear()
    await wire.deliver(_retry(bob_, lost))
    await wire.settle()
    resent = next(node for node in wire.sent if node.tag == "message")
    assert resent.attrs["to"] == GROUP and resent.attrs["participant"] == bob_.lid
    delivered = Node(
        "message", {"from": GROUP, "participant": OWN_LID, "id": sent_id, "t": "1"}, resent.content
    )
    assert bob_.receive(delivered).message.conversation == "lost"
    later = await wire.messaging.send(GROUP, e2e_pb2.Message(conversation="later"), None)
    assert later and _text(bob_, wire.sent[-1]) == "later"  # the resend carried our key


async def test_two_sends_at_once_share_one_sender_key_handed_out_once(
    store: AccountStore, peers: tuple[Peer, Peer, Peer]
) -> None:
    bob_, carol_, phone = peers
    wire = Wire(await paired_store(store), list(peers), members=Group(bob_.lid, carol_.lid))
    await asyncio.gather(
        wire.messaging.send(GROUP, e2e_pb2.Message(conversation="a"), None),
        wire.messaging.send(GROUP, e2e_pb2.Message(conversation="b"), None),
    )
    messages = [node for node in wire.sent if node.tag == "message"]
    handed = [device for node in messages for device in _distributed_to(node)]
    assert sorted(handed, key=str) == sorted([bob_.lid, carol_.lid, phone.lid], key=str)
    texts = sorted(_text(bob_, node) for node in messages)  # one key: both decrypt for Bob
    assert texts == ["a", "b"]
    await wire.settle()


async def test_a_removal_while_a_send_awaits_its_ack_is_not_waited_for_and_counts_next(
    store: AccountStore, peers: tuple[Peer, Peer, Peer]
) -> None:
    bob_, carol_, phone = peers
    members = Group(bob_.lid, carol_.lid)
    wire = Wire(await paired_store(store), list(peers), members=members)
    await wire.messaging.send(GROUP, e2e_pb2.Message(conversation="a"), None)
    wire.ack = False  # the receive loop has not handled the next ack yet
    first = asyncio.ensure_future(
        wire.messaging.send(GROUP, e2e_pb2.Message(conversation="b"), None)
    )
    b = (await _sent_messages(wire, 2))[-1]
    second = asyncio.ensure_future(
        wire.messaging.send(GROUP, e2e_pb2.Message(conversation="c"), None)
    )
    await asyncio.sleep(0)  # the second send waits for the first one's ack
    # the receive loop handles Carol's removal before that ack: it must not wait for the ack
    members.users.remove(carol_.lid)
    await asyncio.wait_for(wire.messaging.group_sender.rotate(GROUP), 1.0)
    assert (
        await own_key_id(store, GROUP) is None
    )  # dropped from the store at once: a crash keeps it so
    wire.ack = True
    await wire.deliver(Node("ack", {"class": "message", "id": b.attrs["id"], "from": GROUP}))
    await asyncio.gather(first, second)
    third = wire.sent[-1]
    assert _distributed_to(third) == sorted([bob_.lid, phone.lid], key=str)  # a new key
    with pytest.raises(NoSession):
        carol_.receive(group_part(third, carol_.lid, OWN_LID))
    await wire.settle()


async def test_a_retry_receipt_from_a_removed_member_gets_nothing(
    store: AccountStore, peers: tuple[Peer, Peer, Peer]
) -> None:
    bob_, carol_, _ = peers
    members = Group(bob_.lid, carol_.lid)
    wire = Wire(await paired_store(store), list(peers), members=members)
    await wire.messaging.send(GROUP, e2e_pb2.Message(conversation="before"), None)
    before = group_part(wire.sent[-1], carol_.lid, OWN_LID)
    members.users.remove(carol_.lid)  # Carol was removed: our key is rotated
    await wire.messaging.group_sender.rotate(GROUP)
    await wire.messaging.send(GROUP, e2e_pb2.Message(conversation="after"), None)
    wire.log.clear()
    await wire.deliver(_retry(carol_, before))
    await wire.settle()
    assert [node.tag for node in wire.sent] == ["ack"]  # no resend: it would carry the new key


async def test_a_revoke_of_another_members_message_counts_only_from_an_admin(
    store: AccountStore, peers: tuple[Peer, Peer, Peer]
) -> None:
    bob_, carol_, _ = peers
    admins = {bob_.lid}

    async def is_admin(group: JID, user: JID) -> bool:
        return group == GROUP and user.to_non_ad() in admins

    wire = Wire(await paired_store(store), list(peers), admin=is_admin)
    ours = OWN_LID.to_non_ad()  # they delete a message of ours
    for n, peer in enumerate((carol_, bob_)):  # Carol (a member) first, then Bob (an admin)
        bundle = await own_bundle(wire.store)
        revoke = e2e_pb2.Message()
        revoke.protocol_message.type = e2e_pb2.ProtocolMessage.REVOKE
        revoke.protocol_message.key.id = "3EB0OURS"
        revoke.protocol_message.key.participant = str(ours)
        parts = peer.send_group(revoke, GROUP, [OWN_LID], {OWN_LID: bundle}, message_id=f"R{n}")
        await wire.deliver(parts[OWN_LID])
    await wire.settle()
    revoked = wire.events.of(MessageRevoked)
    assert [(r.sender, r.author) for r in revoked] == [(bob_.lid, ours)]
