"""Sending and receiving 1:1 messages, receipts and retry receipts against a hand-driven server."""

from __future__ import annotations

import os

import pytest

from botkit.core.binary import Node
from botkit.core.e2e import encrypt_resend
from botkit.core.signal import SessionRecord
from botkit.core.stanza import parse_receipt, retry_receipt, split_for_devices
from botkit.errors import SendRejected, SendTimeout, StoreError
from botkit.pb import e2e_pb2
from botkit.store import AccountStore, MemoryStore, StoreOptions
from botkit.store.values import InboundUnit, MessageKey
from botkit.types.events import (
    DecryptFailure,
    MessageReceived,
    ReceiptKind,
    ReceiptReceived,
    UndecryptableMessage,
)
from botkit.types.jid import JID

from .messaging_helpers import (
    OWN_LID,
    OWN_PN,
    Peer,
    T,
    Wire,
    bob,
    own_bundle,
    own_phone,
    paired_store,
)

BOB_PN = JID("15550002222", "s.whatsapp.net")
BOB_LID = JID("222000222", "lid")
MID = "3EB0000000000000000001"


@pytest.fixture
async def wire(store: AccountStore) -> Wire:
    return Wire(await paired_store(store), [bob(), own_phone()])


def _peer(wire: Wire, user: str) -> Peer:
    return next(peer for peer in wire.peers if peer.jid.user == user)


def _delivered(wire: Wire, node: Node) -> dict[JID, Node]:
    return dict(split_for_devices(node, sender=OWN_LID, timestamp=T))


async def test_first_send_resolves_lid_devices_and_bundles_then_waits_for_the_ack(
    wire: Wire,
) -> None:
    sent_id = await wire.messaging.send(BOB_PN, _text("hello"), OWN_PN.to_non_ad())
    usync, devices, fetch, message = wire.sent
    assert usync.attrs["xmlns"] == devices.attrs["xmlns"] == "usync"
    assert fetch.attrs["xmlns"] == "encrypt"
    users = fetch.get_path("key")
    assert users is not None
    assert {u.attrs["reason"] for u in users.children} == {"identity"}  # LIDs
    assert message.attrs["id"] == sent_id and message.attrs["to"] == BOB_LID
    assert message.get_child("device-identity") is not None  # pkmsgs
    delivered = _delivered(wire, message)
    assert _peer(wire, "15550002222").receive(delivered[BOB_LID]).message.conversation == "hello"
    mine = _peer(wire, "15550001111").receive(delivered[JID("111000111", "lid")])
    assert mine.is_from_me and mine.destination == BOB_LID
    assert await wire.store.lid_for_pn(str(BOB_PN)) == str(BOB_LID)
    cached = await wire.store.get_sent(str(BOB_LID), sent_id)
    assert cached is not None and _text("hello").SerializeToString() == cached.payload


async def test_second_send_uses_cached_devices_and_sessions(wire: Wire) -> None:
    await wire.messaging.send(BOB_PN, _text("one"), None)
    before = len(wire.sent)
    await wire.messaging.send(BOB_PN, _text("two"), None)
    (message,) = wire.sent[before:]  # no usync, no key fetch
    assert message.tag == "message"
    peer = _peer(wire, "15550002222")
    for node in (wire.sent[before - 1], message):
        peer.receive(_delivered(wire, node)[BOB_LID])
    reply = peer.send("ok", OWN_LID, {}, message_id=MID)
    await wire.deliver(reply)
    await wire.messaging.send(BOB_PN, _text("three"), None)
    enc = wire.sent[-1].get_path("participants", "to", "enc")
    assert enc is not None and enc.attrs["type"] == "msg"  # Bob answered: no more pkmsg


async def test_send_without_ack_times_out(store: AccountStore) -> None:
    wire = Wire(await paired_store(store), [bob()], ack=False)
    wire.messaging.sender._timeout = 0.01
    with pytest.raises(SendTimeout):
        await wire.messaging.send(BOB_LID, _text("hi"), None)


async def test_send_refused_by_the_server(wire: Wire) -> None:
    wire.ack_error = "479"
    with pytest.raises(SendRejected) as caught:
        await wire.messaging.send(BOB_LID, _text("hi"), None)
    assert caught.value.code == 479


async def _from_bob(wire: Wire, text: str, message_id: str = MID) -> Node:
    peer = _peer(wire, "15550002222")
    bundles = {} if OWN_LID in peer.sessions else {OWN_LID: await own_bundle(wire.store)}
    node = peer.send(text, OWN_LID, bundles, message_id=message_id)
    attrs = {**node.attrs, "sender_pn": BOB_PN}
    return Node("message", attrs, node.content)


async def test_receive_commits_before_the_receipt(wire: Wire) -> None:
    node = await _from_bob(wire, "hi bot")
    await wire.deliver(node)
    commit, receipt = wire.log
    assert commit == f"commit {MID}"
    assert isinstance(receipt, Node) and receipt.tag == "receipt"
    assert receipt.attrs == {"id": MID, "to": BOB_LID}
    (event,) = wire.events.of(MessageReceived)
    assert (event.id, event.chat, event.sender, event.text) == (MID, BOB_LID, BOB_LID, "hi bot")
    assert event.sender_alt == BOB_PN and event.push_name == "Bob" and event.timestamp == T
    assert await wire.store.has_seen(MessageKey(str(BOB_LID), str(BOB_LID), MID))
    assert await wire.store.get_session(BOB_LID.signal_address()) is not None
    assert await wire.store.uploaded_pre_key_count() == 0  # the one-time pre-key is consumed
    assert await wire.store.lid_for_pn(str(BOB_PN)) == str(BOB_LID)


async def test_crash_before_commit_means_redelivery_and_one_event(wire: Wire) -> None:
    node = await _from_bob(wire, "once")
    commit = wire.store.commit_inbound

    async def crash(unit: InboundUnit) -> bool:
        raise StoreError("disk gone")

    wire.store.commit_inbound = crash  # type: ignore[method-assign]
    await wire.deliver(node)  # the router logs the failure; nothing is answered
    assert wire.sent == [] and wire.events.of(MessageReceived) == []
    wire.store.commit_inbound = commit  # type: ignore[method-assign]
    await wire.deliver(node)  # the server redelivers after the reconnect
    assert [n.tag for n in wire.sent] == ["receipt"]
    assert [e.text for e in wire.events.of(MessageReceived)] == ["once"]


async def test_duplicate_delivery_gets_a_receipt_but_no_event(wire: Wire) -> None:
    node = await _from_bob(wire, "dup")
    await wire.deliver(node)
    await wire.deliver(node)
    assert [n.tag for n in wire.sent] == ["receipt", "receipt"]
    assert len(wire.events.of(MessageReceived)) == 1
    follow = await _from_bob(wire, "next", "3EB0000000000000000002")
    await wire.deliver(follow)
    await wire.deliver(follow)
    assert [e.text for e in wire.events.of(MessageReceived)] == ["dup", "next"]


async def test_undecryptable_message_gets_a_retry_receipt_with_keys_and_an_event(
    wire: Wire,
) -> None:
    await wire.deliver(await _from_bob(wire, "first"))
    await wire.messaging.send(BOB_LID, _text("ok"), None)
    _peer(wire, "15550002222").receive(_delivered(wire, wire.sent[-1])[BOB_LID])
    await wire.store.delete_session(BOB_LID.signal_address())  # we lost the session
    wire.log.clear()
    lost = await _from_bob(wire, "lost", "3EB0000000000000000003")
    await wire.deliver(lost)
    receipt, ack = wire.sent
    assert (receipt.tag, receipt.attrs["type"], ack.tag) == ("receipt", "retry", "ack")
    (event,) = wire.events.of(UndecryptableMessage)
    assert event.reason is DecryptFailure.NO_SESSION and event.sender == BOB_LID
    request = parse_receipt(Node("receipt", {**receipt.attrs, "from": OWN_LID}, receipt.content))
    assert request.retry is not None and request.retry.count == 1
    assert request.retry.bundle is not None  # keys: a new session needs no key fetch
    assert [e.text for e in wire.events.of(MessageReceived)] == ["first"]
    peer = _peer(wire, "15550002222")
    again = encrypt_resend(
        _text("lost"),
        message_id=lost.attrs["id"],
        chat=OWN_LID.to_non_ad(),
        device=OWN_LID,
        local=peer.local,
        session=None,
        bundle=request.retry.bundle,
        trusted_identity=None,
        count=1,
        timestamp=T,
        rng=os.urandom,
    )
    attrs = {"from": BOB_LID, "id": lost.attrs["id"], "t": str(T)}
    await wire.deliver(Node("message", attrs, again.node.content))
    assert [e.text for e in wire.events.of(MessageReceived)] == ["first", "lost"]


async def test_retry_receipt_is_answered_by_a_resend(wire: Wire) -> None:
    sent_id = await wire.messaging.send(BOB_LID, _text("again?"), None)
    message = wire.sent[-1]
    peer = _peer(wire, "15550002222")
    first = _delivered(wire, message)[BOB_LID]
    peer.sessions.clear()  # Bob lost his session: he asks again, with fresh keys
    keys = peer.bundle()
    asked = retry_receipt(first, count=2, registration_id=peer.local.registration_id, keys=keys)
    attrs = {**asked.attrs, "from": BOB_LID, "t": str(T)}
    del attrs["to"]
    wire.log.clear()
    await wire.deliver(Node("receipt", attrs, asked.content))
    await wire.settle()
    resent, ack = wire.sent
    assert resent.attrs["id"] == sent_id and resent.attrs["device_fanout"] == "false"
    enc = resent.get_child("enc")
    assert enc is not None and enc.attrs["count"] == "2" and enc.attrs["type"] == "pkmsg"
    delivered = Node("message", {"from": OWN_LID, "id": sent_id, "t": str(T)}, resent.content)
    assert peer.receive(delivered).message.conversation == "again?"
    assert ack.tag == "ack" and ack.attrs["class"] == "receipt"
    stored = await wire.store.get_session(BOB_LID.signal_address())
    assert stored is not None and SessionRecord.deserialize(stored).current is not None


async def test_delivery_and_read_receipts_are_reported_and_acked(wire: Wire) -> None:
    await wire.deliver(Node("receipt", {"id": MID, "from": BOB_LID, "t": str(T)}))
    read = Node("receipt", {"id": MID, "from": BOB_LID, "t": str(T), "type": "read"})
    await wire.deliver(read)
    kinds = [e.kind for e in wire.events.of(ReceiptReceived)]
    assert kinds == [ReceiptKind.DELIVERED, ReceiptKind.READ]
    assert wire.events.of(ReceiptReceived)[0].message_ids == (MID,)
    assert [(n.tag, n.attrs.get("type")) for n in wire.sent] == [("ack", None), ("ack", "read")]


async def test_offline_batch_and_read_receipts(wire: Wire) -> None:
    receipts = wire.messaging.receipts
    await wire.deliver(Node("ib", {}, [Node("offline", {"count": "3"})]))
    assert receipts.offline_done.is_set() and receipts.offline_count == 3
    assert wire.sent == []  # <ib> is never acked
    await receipts.mark_read(BOB_LID, [MID, "3EB0000000000000000002"])
    (read,) = wire.sent
    assert read.attrs["type"] == "read" and read.attrs["id"] == MID
    item = read.get_path("list", "item")
    assert item is not None and item.attrs["id"] == "3EB0000000000000000002"


def _text(text: str) -> e2e_pb2.Message:
    return e2e_pb2.Message(conversation=text)


async def test_two_clients_exchange_messages_and_receipts(store: AccountStore) -> None:
    memory = MemoryStore(StoreOptions(renew_interval=None))
    carol_own = (JID("15550003333", "s.whatsapp.net", 1), JID("333000333", "lid", 1))
    carol_store = await paired_store(await memory.open_account("carol"), carol_own)
    alice = Wire(await paired_store(store), [])
    carol = Wire(carol_store, [], own=carol_own)
    alice.other, carol.other = carol, alice
    carol_pn, alice_pn = carol_own[0].to_non_ad(), OWN_PN.to_non_ad()
    for n in range(10):
        await alice.messaging.send(carol_pn, _text(f"a{n}"), None)
        await carol.messaging.send(alice_pn, _text(f"c{n}"), None)
    await alice.settle()
    assert [e.text for e in carol.events.of(MessageReceived)] == [f"a{n}" for n in range(10)]
    assert [e.text for e in alice.events.of(MessageReceived)] == [f"c{n}" for n in range(10)]
    assert len(alice.events.of(ReceiptReceived)) == len(carol.events.of(ReceiptReceived)) == 10
    assert carol.events.of(MessageReceived)[0].sender == OWN_LID.to_non_ad()
    assert not alice.events.of(UndecryptableMessage) and not carol.events.of(UndecryptableMessage)
    await memory.close()


async def test_devices_notification_drops_the_cached_device_list(wire: Wire) -> None:
    await wire.messaging.send(BOB_PN, _text("hi"), None)
    assert await wire.store.get_device_list(str(BOB_LID)) is not None
    notice = Node("notification", {"id": "n1", "type": "devices", "from": BOB_PN, "lid": BOB_LID})
    await wire.deliver(notice)
    assert await wire.store.get_device_list(str(BOB_LID)) is None
    assert await wire.store.get_device_list(str(BOB_PN)) is None
    assert wire.sent[-1].tag == "ack"


async def test_a_phone_number_sender_with_a_lid_keys_the_session_by_lid(wire: Wire) -> None:
    node = await _from_bob(wire, "pn")
    attrs = {**node.attrs, "from": BOB_PN, "sender_lid": BOB_LID}
    del attrs["sender_pn"]
    await wire.deliver(Node("message", attrs, node.content))
    (event,) = wire.events.of(MessageReceived)
    assert event.sender == BOB_PN and event.sender_alt == BOB_LID
    assert await wire.store.get_session(BOB_LID.signal_address()) is not None
    assert await wire.store.get_session(BOB_PN.signal_address()) is None
    assert await wire.store.lid_for_pn(str(BOB_PN)) == str(BOB_LID)
