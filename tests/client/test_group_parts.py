"""A group message's parts are read on their own: a failing part loses nothing another gave.

A group message from a member who hands us their sender key carries a pairwise ``<enc>`` (the
sender-key distribution) and the ``skmsg``; these tests corrupt one or both, against the
hand-driven server of messaging_helpers.
"""

from __future__ import annotations

import os

import pytest

from botkit.core.binary import Node
from botkit.core.e2e import encrypt_resend
from botkit.core.signal import SenderKeyRecord
from botkit.pb import e2e_pb2
from botkit.store import AccountStore
from botkit.store.values import MessageKey
from botkit.types.events import MessageReceived, UndecryptableMessage
from botkit.types.jid import JID

from .messaging_helpers import OWN_LID, Peer, T, Wire, bob, own_bundle, paired_store

GROUP = JID("120363000000000002", "g.us")


def _types(node: Node) -> list[str]:
    return [str(child.attrs["type"]) for child in node.children if child.tag == "enc"]


def _corrupt(node: Node, kind: str) -> Node:
    """Return ``node`` with its ``kind`` enc cut short by a byte (it cannot decrypt then)."""
    children = []
    for child in node.children:
        if child.tag == "enc" and child.attrs["type"] == kind:
            assert isinstance(child.content, bytes)
            child = Node("enc", child.attrs, child.content[:-1])
        children.append(child)
    return Node("message", node.attrs, children)


def _resend(peer: Peer, text: str, message_id: str) -> Node:
    """Return ``peer``'s answer to our retry receipt: ``text`` and its sender key, pairwise."""
    out = encrypt_resend(
        e2e_pb2.Message(conversation=text),
        message_id=message_id,
        chat=GROUP,
        device=OWN_LID,
        local=peer.local,
        session=peer.sessions[OWN_LID],
        bundle=None,
        trusted_identity=None,
        count=1,
        timestamp=T,
        rng=os.urandom,
        sender_key=peer.sender_keys[(str(GROUP), peer.lid)],
    )
    peer.sessions.update(out.sessions)
    attrs = {"from": GROUP, "participant": peer.lid, "id": message_id, "t": str(T)}
    return Node("message", attrs, out.node.children)


def _answers(wire: Wire) -> list[str]:
    """Return what the client answered messages with: receipt types ("" for delivered), acks."""
    found = []
    for node in wire.sent:
        if node.tag == "receipt":
            found.append(str(node.attrs.get("type", "")))
        elif node.tag == "ack":
            found.append("ack" + (f" {node.attrs['error']}" if "error" in node.attrs else ""))
    return found


def _key(peer: Peer, message_id: str) -> MessageKey:
    return MessageKey(str(GROUP), str(peer.lid), message_id)


@pytest.fixture
async def wire(store: AccountStore) -> Wire:
    return Wire(await paired_store(store), [bob()])


async def test_the_skdm_is_kept_when_the_skmsg_of_its_message_is_corrupted(wire: Wire) -> None:
    (peer,) = wire.peers
    bundle = await own_bundle(wire.store)
    first = peer.send_group("one", GROUP, [OWN_LID], {OWN_LID: bundle}, message_id="3EB0P1")
    assert _types(first[OWN_LID]) == ["pkmsg", "skmsg"]
    await wire.deliver(_corrupt(first[OWN_LID], "skmsg"))
    await wire.settle()
    (failed,) = wire.events.of(UndecryptableMessage)
    assert (failed.id, failed.sender) == ("3EB0P1", peer.lid)
    assert _answers(wire) == ["retry", "ack"]
    stored = await wire.store.get_sender_key(str(GROUP), peer.lid.signal_address())
    assert stored is not None and SenderKeyRecord.deserialize(stored).states
    assert not await wire.store.has_seen(_key(peer, "3EB0P1"))  # not handled: read it again

    wire.log.clear()  # the sender's next message needs no retry round trip
    later = peer.send_group("two", GROUP, [OWN_LID], {}, message_id="3EB0P2")[OWN_LID]
    assert _types(later) == ["skmsg"]
    await wire.deliver(later)
    await wire.settle()
    assert [e.text for e in wire.events.of(MessageReceived)] == ["two"]
    assert _answers(wire) == [""]

    wire.log.clear()  # the answer to our retry receipt is read: the lost message arrives once
    await wire.deliver(_resend(peer, "one", "3EB0P1"))
    await wire.settle()
    assert [e.text for e in wire.events.of(MessageReceived)] == ["two", "one"]
    assert _answers(wire) == [""] and await wire.store.has_seen(_key(peer, "3EB0P1"))


async def test_the_skmsg_is_delivered_when_the_pairwise_part_is_corrupted(wire: Wire) -> None:
    (peer,) = wire.peers
    bundle = await own_bundle(wire.store)
    await wire.deliver(
        peer.send_group("zero", GROUP, [OWN_LID], {OWN_LID: bundle}, message_id="Z")[OWN_LID]
    )
    await wire.settle()
    wire.log.clear()
    again = peer.send_group("one", GROUP, [OWN_LID], {}, message_id="3EB0Q1", distribute=True)
    assert _types(again[OWN_LID]) == ["pkmsg", "skmsg"]  # the key we hold, handed out again
    address = peer.lid.signal_address()
    session_before = await wire.store.get_session(address)
    await wire.deliver(_corrupt(again[OWN_LID], "pkmsg"))
    await wire.settle()
    assert [e.text for e in wire.events.of(MessageReceived)] == ["zero", "one"]
    assert wire.events.of(UndecryptableMessage) == []
    assert _answers(wire) == ["retry", "ack"]  # whatsmeow asks again for a failed pairwise part
    assert await wire.store.has_seen(_key(peer, "3EB0Q1"))
    assert await wire.store.get_session(address) == session_before

    wire.log.clear()  # the answer to that retry receipt: no second event, its session is kept
    await wire.deliver(_resend(peer, "one", "3EB0Q1"))
    await wire.settle()
    assert [e.text for e in wire.events.of(MessageReceived)] == ["zero", "one"]
    assert _answers(wire) == [""]
    assert await wire.store.get_session(address) != session_before


async def test_a_message_whose_parts_all_fail_changes_nothing(wire: Wire) -> None:
    (peer,) = wire.peers
    bundle = await own_bundle(wire.store)
    first = peer.send_group("one", GROUP, [OWN_LID], {OWN_LID: bundle}, message_id="3EB0R1")
    await wire.deliver(_corrupt(_corrupt(first[OWN_LID], "pkmsg"), "skmsg"))
    await wire.settle()
    assert [e.id for e in wire.events.of(UndecryptableMessage)] == ["3EB0R1"]
    assert _answers(wire) == ["retry", "ack"]
    assert not [entry for entry in wire.log if isinstance(entry, str)]  # no commit at all
    assert await wire.store.get_sender_key(str(GROUP), peer.lid.signal_address()) is None
    assert await wire.store.get_session(peer.lid.signal_address()) is None


async def test_a_redelivered_message_whose_skdm_we_hold_is_a_duplicate(wire: Wire) -> None:
    (peer,) = wire.peers
    bundle = await own_bundle(wire.store)
    first = peer.send_group("one", GROUP, [OWN_LID], {OWN_LID: bundle}, message_id="3EB0S1")
    for _ in range(2):  # the server delivers it again (say, our receipt was lost)
        await wire.deliver(first[OWN_LID])
    await wire.settle()
    assert [e.text for e in wire.events.of(MessageReceived)] == ["one"]
    assert wire.events.of(UndecryptableMessage) == []
    assert _answers(wire) == ["", ""]
    later = peer.send_group("two", GROUP, [OWN_LID], {}, message_id="3EB0S2")[OWN_LID]
    await wire.deliver(later)
    await wire.settle()
    assert [e.text for e in wire.events.of(MessageReceived)] == ["one", "two"]
