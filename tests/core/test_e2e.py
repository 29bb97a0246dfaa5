"""The E2E pipeline between botkit parties: a node sent by one decrypts at the other.

Each :class:`Party` keeps records the way a client does (replaced only on success), and
``split_for_devices`` plays the server's fan-out.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.e2e import (
    NACK_INVALID_PROTOBUF,
    NACK_PARSING_ERROR,
    DecryptedParts,
    LocalDevice,
    Outcome,
    OutgoingMessage,
    ReceivedMessage,
    decrypt_incoming,
    decrypt_parts,
    encrypt_direct,
    encrypt_group,
    encrypt_resend,
    failure_answers,
)
from botkit.core.signal import (
    PreKey,
    PreKeyBundle,
    SenderKeyRecord,
    SessionRecord,
    SignedPreKey,
    create_sender_key,
    encrypt,
    generate_identity_key_pair,
    generate_prekeys,
    generate_registration_id,
    generate_signed_prekey,
    pad,
)
from botkit.core.stanza import parse_receipt, participant_hash, split_for_devices
from botkit.errors import (
    BadMac,
    CryptoError,
    DecodeError,
    DuplicateMessage,
    InvalidPlaintext,
    NoSession,
    UntrustedIdentity,
)
from botkit.pb import e2e_pb2
from botkit.types.jid import JID

T = 1_700_000_000
GROUP = JID("120363000000000001", "g.us")


@dataclass
class Party:
    """One device with its keys and the records a client would store."""

    jid: JID
    lid: JID
    rng: random.Random
    local: LocalDevice = field(init=False)
    signed: SignedPreKey = field(init=False)
    prekeys: dict[int, PreKey] = field(init=False)
    sessions: dict[JID, SessionRecord] = field(default_factory=dict)
    sender_keys: dict[tuple[JID, JID], SenderKeyRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        draw = self.rng.randbytes
        identity = generate_identity_key_pair(draw)
        self.local = LocalDevice(
            self.jid, self.lid, identity, generate_registration_id(draw), b"adv:" + draw(8)
        )
        self.signed = generate_signed_prekey(identity, 1, draw)
        self.prekeys = {k.key_id: k for k in generate_prekeys(1, 5, draw)}

    def bundle(self) -> PreKeyBundle:
        key = self.prekeys[min(self.prekeys)]
        return PreKeyBundle.of(self.local.registration_id, self.local.identity, self.signed, key)

    def send(
        self, text: str, to: JID, devices: list[JID], bundles: dict[JID, PreKeyBundle]
    ) -> OutgoingMessage:
        out = encrypt_direct(
            e2e_pb2.Message(conversation=text),
            message_id="3EB0AAAAAAAAAAAAAAAAAA",
            to=to,
            local=self.local,
            devices=devices,
            sessions=self.sessions,
            bundles=bundles,
            trusted_identities={},
            rng=self.rng.randbytes,
        )
        self.sessions.update(out.sessions)
        return out

    def receive(self, node: Node) -> ReceivedMessage:
        node = decode_node(encode_node(node))  # what travels is bytes
        got = decrypt_incoming(node, **self.records_for(node))
        self._keep(got)
        return got

    def receive_parts(self, node: Node) -> DecryptedParts:
        """Decrypt ``node`` part by part, keeping the records unless nothing decrypted."""
        node = decode_node(encode_node(node))
        got = decrypt_parts(node, **self.records_for(node))
        if got.outcome is not Outcome.FAILED:
            self._keep(got.received)
        return got

    def records_for(self, node: Node) -> dict[str, Any]:
        """Return the keyword arguments that decrypt ``node`` with this party's records."""
        sender = JID.parse(str(node.attrs.get("participant") or node.attrs["from"]))
        chat = JID.parse(str(node.attrs["from"]))
        return {
            "local": self.local,
            "session": self.sessions.get(sender),
            "sender_key": self.sender_keys.get((chat, sender)),
            "signed_prekeys": {self.signed.key_id: self.signed},
            "one_time_prekeys": self.prekeys,
            "trusted_identity": None,
            "rng": self.rng.randbytes,
        }

    def _keep(self, got: ReceivedMessage) -> None:
        sender = got.incoming.sender
        chat = got.incoming.from_
        if got.session is not None:
            self.sessions[sender] = got.session
        if got.sender_key is not None:
            self.sender_keys[(chat, sender)] = got.sender_key
        if got.used_prekey_id is not None:
            del self.prekeys[got.used_prekey_id]


def _party(user: str, device: int, lid_user: str, seed: int) -> Party:
    return Party(
        JID(user, "s.whatsapp.net", device), JID(lid_user, "lid", device), random.Random(seed)
    )


@pytest.fixture
def alice() -> Party:
    return _party("15550001111", 2, "111000111", 1)


@pytest.fixture
def alice_phone() -> Party:
    return _party("15550001111", 0, "111000111", 2)


@pytest.fixture
def bob() -> Party:
    return _party("15550002222", 0, "222000222", 3)


def _deliver(out: OutgoingMessage, sender: Party) -> dict[JID, Node]:
    return dict(split_for_devices(out.node, sender=sender.lid, timestamp=T))


def _established(alice: Party, bob: Party) -> None:
    out = alice.send("hi", bob.lid.to_non_ad(), [bob.lid], {bob.lid: bob.bundle()})
    bob.receive(_deliver(out, alice)[bob.lid])
    alice.receive(_deliver(bob.send("ok", alice.lid.to_non_ad(), [alice.lid], {}), bob)[alice.lid])


def test_pkmsg_then_msg_round_trip(alice: Party, bob: Party) -> None:
    first = alice.send("hi", bob.lid.to_non_ad(), [bob.lid], {bob.lid: bob.bundle()})
    got = bob.receive(_deliver(first, alice)[bob.lid])
    assert got.message.conversation == "hi"
    assert got.used_prekey_id == 1
    assert got.identity_key == alice.local.identity.public
    assert first.node.get_child("device-identity") is not None
    reply = bob.send("hello", alice.lid.to_non_ad(), [alice.lid], {})
    assert alice.receive(_deliver(reply, bob)[alice.lid]).message.conversation == "hello"
    second = alice.send("again", bob.lid.to_non_ad(), [bob.lid], {})
    enc = second.node.get_path("participants", "to", "enc")
    assert enc is not None and enc.attrs["type"] == "msg"
    assert second.node.get_child("device-identity") is None
    assert bob.receive(_deliver(second, alice)[bob.lid]).message.conversation == "again"


def test_delivery_receipt_answers_the_message(alice: Party, bob: Party) -> None:
    out = alice.send("hi", bob.lid.to_non_ad(), [bob.lid], {bob.lid: bob.bundle()})
    got = bob.receive(_deliver(out, alice)[bob.lid])
    assert got.receipt == Node("receipt", {"id": "3EB0AAAAAAAAAAAAAAAAAA", "to": alice.lid})
    assert not got.is_from_me


def test_own_devices_get_a_device_sent_message(
    alice: Party, alice_phone: Party, bob: Party
) -> None:
    chat = bob.lid.to_non_ad()
    devices = [bob.lid, alice_phone.lid, alice.lid]
    bundles = {bob.lid: bob.bundle(), alice_phone.lid: alice_phone.bundle()}
    out = alice.send("note", chat, devices, bundles)
    delivered = _deliver(out, alice)
    assert set(delivered) == {bob.lid, alice_phone.lid}  # never to the sending device
    mine = alice_phone.receive(delivered[alice_phone.lid])
    assert mine.message.conversation == "note"
    assert mine.is_from_me and mine.destination == chat
    assert mine.receipt.attrs["type"] == "sender"
    assert bob.receive(delivered[bob.lid]).message.conversation == "note"
    assert out.phash == participant_hash(devices)


def test_group_send_hands_out_the_sender_key(alice: Party, alice_phone: Party, bob: Party) -> None:
    group = JID("120363000000000001", "g.us")
    _, own_key = create_sender_key(rng=alice.rng.randbytes)
    devices = [bob.lid, alice_phone.lid]
    bundles = {bob.lid: bob.bundle(), alice_phone.lid: alice_phone.bundle()}
    for round_, text in enumerate(("one", "two")):
        out = encrypt_group(
            e2e_pb2.Message(conversation=text),
            message_id=f"3EB0{round_:018X}",
            group=group,
            local=alice.local,
            devices=devices,
            sessions=alice.sessions,
            bundles=bundles if round_ == 0 else {},
            trusted_identities={},
            sender_key=own_key,
            rng=alice.rng.randbytes,
            addressing_lid=True,
        )
        alice.sessions.update(out.sessions)
        assert out.sender_key is not None
        own_key = out.sender_key
        assert [c.tag for c in out.node.children][-1] == "enc"  # skmsg after <participants>
        assert out.node.attrs["phash"] == participant_hash([*devices, alice.lid])
        for party in (bob, alice_phone):
            got = party.receive(_deliver(out, alice)[party.lid])
            assert got.message.conversation == text
            assert not got.message.HasField("sender_key_distribution_message")
            assert got.receipt.attrs["participant"] == alice.lid


def test_a_replayed_message_is_a_duplicate_answered_with_a_receipt(
    alice: Party, bob: Party
) -> None:
    _established(alice, bob)
    second = _deliver(alice.send("two", bob.lid.to_non_ad(), [bob.lid], {}), alice)[bob.lid]
    bob.receive(second)
    with pytest.raises(DuplicateMessage) as caught:
        bob.receive(second)
    answers = failure_answers(second, caught.value, local=bob.local, retry_count=1)
    assert answers == (Node("receipt", {"id": second.attrs["id"], "to": alice.lid}),)


def test_failure_leaves_records_and_asks_for_a_retry(alice: Party, bob: Party) -> None:
    _established(alice, bob)
    node = _deliver(alice.send("two", bob.lid.to_non_ad(), [bob.lid], {}), alice)[bob.lid]
    enc = node.children[0]
    assert isinstance(enc.content, bytes) and enc.attrs["type"] == "msg"
    flipped = enc.content[:-1] + bytes([enc.content[-1] ^ 1])  # the MAC's last byte
    tampered = Node("message", node.attrs, [Node("enc", enc.attrs, flipped)])
    session_before = bob.sessions[alice.lid]
    with pytest.raises(BadMac) as caught:
        bob.receive(tampered)
    assert bob.sessions[alice.lid] is session_before
    receipt, ack = failure_answers(
        tampered, caught.value, local=bob.local, retry_count=2, retry_keys=bob.bundle()
    )
    parsed = parse_receipt(Node("receipt", {**receipt.attrs, "from": alice.lid}, receipt.content))
    assert parsed.type == "retry" and parsed.retry is not None
    assert parsed.retry.count == 2 and parsed.retry.timestamp == T
    assert parsed.retry.registration_id == bob.local.registration_id
    assert parsed.retry.bundle is not None
    assert parsed.retry.bundle.identity_key == bob.local.identity.public
    assert ack.attrs == {"class": "message", "id": node.attrs["id"], "to": alice.lid}
    assert bob.receive(node).message.conversation == "two"  # the untampered one still works


def test_first_retry_has_no_keys(alice: Party, bob: Party) -> None:
    node = Node("message", {"from": alice.lid, "id": "X", "t": "5"}, [])
    receipt, _ = failure_answers(
        node, BadMac("x"), local=bob.local, retry_count=1, retry_keys=bob.bundle()
    )
    assert receipt.get_child("keys") is None
    assert receipt.get_child("registration") is not None


def test_a_msg_without_a_session_is_no_session(alice: Party, bob: Party) -> None:
    _established(alice, bob)
    node = _deliver(alice.send("two", bob.lid.to_non_ad(), [bob.lid], {}), alice)[bob.lid]
    bob.sessions.clear()
    with pytest.raises(NoSession):
        bob.receive(node)


def test_sending_without_session_or_bundle_fails(alice: Party, bob: Party) -> None:
    with pytest.raises(NoSession):
        alice.send("hi", bob.lid.to_non_ad(), [bob.lid], {})


def test_an_untrusted_bundle_is_refused(alice: Party, bob: Party) -> None:
    with pytest.raises(UntrustedIdentity):
        encrypt_direct(
            e2e_pb2.Message(conversation="x"),
            message_id="3EB0AAAAAAAAAAAAAAAAAA",
            to=bob.lid.to_non_ad(),
            local=alice.local,
            devices=[bob.lid],
            sessions={},
            bundles={bob.lid: bob.bundle()},
            trusted_identities={bob.lid: bytes(32)},
            rng=alice.rng.randbytes,
        )


def _raw_from(alice: Party, bob: Party, plaintext: bytes) -> Node:
    """A node carrying ``plaintext`` (padded) on alice's established session with bob."""
    ciphertext, record = encrypt(
        alice.sessions[bob.lid], pad(plaintext, 4), our_identity=alice.local.identity
    )
    alice.sessions[bob.lid] = record
    enc = Node("enc", {"v": "2", "type": ciphertext.type}, ciphertext.data)
    return Node("message", {"from": alice.lid, "id": "R", "t": "1"}, [enc])


def test_a_plaintext_that_is_not_a_message_is_nacked(alice: Party, bob: Party) -> None:
    _established(alice, bob)
    hostile = _raw_from(alice, bob, b"\xff\xff\xff")
    with pytest.raises(InvalidPlaintext) as caught:
        bob.receive(hostile)
    (answer,) = failure_answers(hostile, caught.value, local=bob.local, retry_count=1)
    assert answer.attrs["error"] == str(NACK_INVALID_PROTOBUF)


def test_a_device_sent_message_from_a_stranger_is_refused(alice: Party, bob: Party) -> None:
    _established(alice, bob)
    wrapped = e2e_pb2.Message()
    wrapped.device_sent_message.destination_jid = "1@lid"
    wrapped.device_sent_message.message.conversation = "spoof"
    with pytest.raises(InvalidPlaintext):
        bob.receive(_raw_from(alice, bob, wrapped.SerializeToString()))


def test_a_distribution_for_another_group_is_refused(alice: Party, bob: Party) -> None:
    _established(alice, bob)
    skdm = e2e_pb2.Message()
    skdm.sender_key_distribution_message.group_id = "999@g.us"
    node = _raw_from(alice, bob, skdm.SerializeToString())
    group_node = Node(
        "message",
        {**node.attrs, "from": JID("1203", "g.us"), "participant": alice.lid},
        node.content,
    )
    with pytest.raises(InvalidPlaintext):
        bob.receive(group_node)


@pytest.mark.parametrize(
    "children",
    [
        [],
        [Node("enc", {"v": "3", "type": "msg"}, b"x")],
        [Node("enc", {"v": "2", "type": "msmsg"}, b"x")],
        [Node("enc", {"v": "2", "type": "skmsg"}, b"x")],
        [Node("enc", {"v": "2", "type": "bogus"}, b"x")],
        [Node("enc", {"v": "2", "type": "msg"})],
    ],
)
def test_hostile_message_nodes_raise_decode_errors(bob: Party, children: list[Node]) -> None:
    node = Node("message", {"from": JID("1", "lid", 3), "id": "A", "t": "1"}, children)
    with pytest.raises(DecodeError) as caught:
        bob.receive(node)
    (answer,) = failure_answers(node, caught.value, local=bob.local, retry_count=1)
    assert answer.tag == "ack" and answer.attrs["error"] == str(NACK_PARSING_ERROR)


def test_a_group_skmsg_without_sender_key_needs_keys_in_the_retry(bob: Party) -> None:
    node = Node(
        "message",
        {"from": JID("1203", "g.us"), "participant": JID("9", "lid", 1), "id": "G", "t": "1"},
        [Node("enc", {"v": "2", "type": "skmsg"}, b"\x33junk")],
    )
    with pytest.raises(NoSession) as caught:
        bob.receive(node)
    receipt, _ = failure_answers(
        node, caught.value, local=bob.local, retry_count=1, retry_keys=bob.bundle()
    )
    assert receipt.get_child("keys") is not None
    assert receipt.attrs["participant"] == JID("9", "lid", 1)


def test_a_retry_receipt_with_keys_gets_the_message_again(alice: Party, bob: Party) -> None:
    _established(alice, bob)
    message = e2e_pb2.Message(conversation="lost")
    node = _deliver(alice.send("lost", bob.lid.to_non_ad(), [bob.lid], {}), alice)[bob.lid]
    bob.sessions.clear()  # bob lost his session: the message cannot decrypt
    with pytest.raises(NoSession) as caught:
        bob.receive(node)
    receipt, _ = failure_answers(
        node, caught.value, local=bob.local, retry_count=2, retry_keys=bob.bundle()
    )
    asked = parse_receipt(Node("receipt", {**receipt.attrs, "from": bob.lid}, receipt.content))
    assert asked.retry is not None and asked.retry.bundle is not None
    again = encrypt_resend(
        message,
        message_id=asked.message_ids[0],
        chat=bob.lid.to_non_ad(),
        device=bob.lid,
        local=alice.local,
        session=alice.sessions[bob.lid],
        bundle=asked.retry.bundle,
        trusted_identity=None,
        count=asked.retry.count,
        timestamp=asked.retry.timestamp,
        rng=alice.rng.randbytes,
    )
    assert again.node.attrs == {
        "id": node.attrs["id"],
        "type": "text",
        "t": str(T),
        "to": bob.lid,
        "device_fanout": "false",
    }
    enc = again.node.children[0]
    assert enc.attrs == {"v": "2", "type": "pkmsg", "count": "2"}
    assert again.node.children[1].tag == "device-identity"
    delivered = Node("message", {"from": alice.lid, "id": "R", "t": str(T)}, again.node.children)
    assert bob.receive(delivered).message.conversation == "lost"


def _group_resend(
    alice: Party, bob: Party, text: str, message_id: str, own_key: SenderKeyRecord
) -> OutgoingMessage:
    """Return alice's answer to bob's retry receipt: ``text`` and her SKDM, pairwise."""
    return encrypt_resend(
        e2e_pb2.Message(conversation=text),
        message_id=message_id,
        chat=GROUP,
        device=bob.lid,
        local=alice.local,
        session=alice.sessions[bob.lid],
        bundle=None,
        trusted_identity=None,
        count=1,
        timestamp=T,
        rng=alice.rng.randbytes,
        sender_key=own_key,
    )


def test_a_group_resend_carries_the_sender_key(alice: Party, bob: Party) -> None:
    _established(alice, bob)
    _, own_key = create_sender_key(rng=alice.rng.randbytes)
    again = _group_resend(alice, bob, "group text", "G1", own_key)
    assert again.node.attrs["to"] == GROUP and again.node.attrs["participant"] == bob.lid
    delivered = Node(
        "message",
        {"from": GROUP, "participant": alice.lid, "id": "G1", "t": "1"},
        again.node.children,
    )
    got = bob.receive(delivered)
    assert got.message.conversation == "group text" and got.sender_key is not None


def test_an_own_device_resend_is_wrapped(alice: Party, alice_phone: Party, bob: Party) -> None:
    chat = bob.lid.to_non_ad()
    again = encrypt_resend(
        e2e_pb2.Message(conversation="mine"),
        message_id="O1",
        chat=chat,
        device=alice_phone.lid,
        local=alice.local,
        session=None,
        bundle=alice_phone.bundle(),
        trusted_identity=None,
        count=1,
        timestamp=T,
        rng=alice.rng.randbytes,
    )
    assert again.node.attrs["recipient"] == chat
    delivered = Node("message", {**again.node.attrs, "from": alice.lid}, again.node.children)
    got = alice_phone.receive(delivered)
    assert got.message.conversation == "mine" and got.destination == chat


# -- a message's parts decrypted one by one (decrypt_parts)


def _group_message(alice: Party, bob: Party, text: str, *, distribute: bool) -> Node:
    """Return what bob gets of alice's group message: [pairwise SKDM,] skmsg."""
    slot = (GROUP, alice.lid)
    if slot not in alice.sender_keys:
        _, alice.sender_keys[slot] = create_sender_key(rng=alice.rng.randbytes)
    out = encrypt_group(
        e2e_pb2.Message(conversation=text),
        message_id=f"3EB0{text.upper()}",
        group=GROUP,
        local=alice.local,
        devices=[bob.lid],
        sessions=alice.sessions,
        bundles={} if bob.lid in alice.sessions else {bob.lid: bob.bundle()},
        trusted_identities={},
        sender_key=alice.sender_keys[slot],
        rng=alice.rng.randbytes,
        addressing_lid=True,
        distribute_to=None if distribute else (),
    )
    assert out.sender_key is not None
    alice.sender_keys[slot] = out.sender_key
    alice.sessions.update(out.sessions)
    delivered = _deliver(out, alice)
    if bob.lid in delivered:
        return delivered[bob.lid]
    attrs = {"from": GROUP, "participant": alice.lid, "id": out.node.attrs["id"], "t": str(T)}
    return Node("message", attrs, _encs(out.node))  # the skmsg alone: every member gets it


def _encs(node: Node) -> list[Node]:
    return [child for child in node.children if child.tag == "enc"]


def _with_encs(node: Node, encs: list[Node]) -> Node:
    others = [child for child in node.children if child.tag != "enc"]
    return Node("message", node.attrs, [*encs, *others])


def _corrupt(enc: Node, index: int = -1, mask: int = 1) -> Node:
    data = enc.content
    assert isinstance(data, bytes)
    flipped = bytearray(data)
    flipped[index % len(data)] ^= mask
    return Node("enc", enc.attrs, bytes(flipped))


_FATES = ("ok", "corrupt", "duplicate")
_MIXES = [
    (held, pairwise, skmsg)
    for held, pairwise, skmsg in itertools.product((True, False), _FATES, _FATES)
    if held or pairwise == "duplicate" or skmsg != "duplicate"  # a skmsg read before needs a key
]


def _expected(held: bool, pairwise: str, skmsg: str) -> tuple[Outcome, bool]:
    """Return the outcome of the mix and whether bob holds alice's key afterwards."""
    holds = held or pairwise in ("ok", "duplicate")
    fates = {"ok": "ok", "corrupt": "failed", "duplicate": "duplicate"}
    first, last = fates[pairwise], fates[skmsg] if holds else "failed"
    if "ok" not in (first, last):
        return Outcome.FAILED, holds
    if "failed" not in (first, last):
        return Outcome.DECRYPTED, holds
    return (Outcome.RECORDS_ONLY if last == "failed" else Outcome.CONTENT_ONLY), holds


@pytest.mark.parametrize(("held", "pairwise", "skmsg"), _MIXES)
def test_each_part_of_a_group_message_decrypts_on_its_own(
    alice: Party, bob: Party, held: bool, pairwise: str, skmsg: str
) -> None:
    if held:  # bob holds a session and alice's key from earlier messages
        _established(alice, bob)
        assert bob.receive(_group_message(alice, bob, "zero", distribute=True))
    node = _group_message(alice, bob, "one", distribute=True)  # the SKDM again
    skdm, content = _encs(node)
    assert skdm.attrs["type"] == ("msg" if held else "pkmsg") and content.attrs["type"] == "skmsg"
    for fate, enc in ((pairwise, skdm), (skmsg, content)):
        if fate == "duplicate":  # read before, alone
            assert bob.receive_parts(_with_encs(node, [enc])).outcome is Outcome.DECRYPTED
    encs = [_corrupt(e) if f == "corrupt" else e for f, e in ((pairwise, skdm), (skmsg, content))]
    mixed = _with_encs(node, encs)
    before = (dict(bob.sessions), dict(bob.sender_keys), dict(bob.prekeys))
    whole: BaseException | None = None
    try:
        decrypt_incoming(decode_node(encode_node(mixed)), **bob.records_for(mixed))
    except CryptoError as exc:
        whole = exc
    got = bob.receive_parts(mixed)
    outcome, holds = _expected(held, pairwise, skmsg)
    assert got.outcome is outcome
    assert [p.type for p in got.parts] == ["msg" if held else "pkmsg", "skmsg"]
    assert type(whole) is type(got.error)  # the all-or-nothing call raises the first error
    if outcome is Outcome.FAILED:
        assert (dict(bob.sessions), dict(bob.sender_keys), dict(bob.prekeys)) == before
        assert got.received.session is None and got.received.sender_key is None
    if pairwise == "ok":
        assert got.received.session is not None and got.received.sender_key is not None
        assert (got.received.used_prekey_id is None) == held
    delivered = got.received.message.conversation
    assert delivered == ("one" if got.parts[-1].error is None else "")
    later = _group_message(alice, bob, "two", distribute=False)
    assert [e.attrs["type"] for e in _encs(later)] == ["skmsg"]
    if holds:  # the next skmsg decrypts: no retry round trip needed
        assert bob.receive(later).message.conversation == "two"
    else:
        with pytest.raises(NoSession):
            bob.receive(later)


@settings(max_examples=25, deadline=None)
@given(index=st.integers(min_value=0), mask=st.integers(min_value=1, max_value=255))
def test_a_corrupted_skmsg_never_loses_the_sender_key_of_its_message(index: int, mask: int) -> None:
    alice = _party("15550001111", 2, "111000111", 1)
    bob = _party("15550002222", 0, "222000222", 3)
    node = _group_message(alice, bob, "one", distribute=True)
    skdm, content = _encs(node)
    got = bob.receive_parts(_with_encs(node, [skdm, _corrupt(content, index, mask)]))
    assert got.outcome is Outcome.RECORDS_ONLY
    assert got.parts[0].error is None and isinstance(got.failure, CryptoError)
    assert got.received.session is not None and got.received.used_prekey_id is not None
    later = _group_message(alice, bob, "two", distribute=False)
    assert bob.receive(later).message.conversation == "two"


@settings(max_examples=25, deadline=None)
@given(index=st.integers(min_value=0), mask=st.integers(min_value=1, max_value=255))
def test_a_corrupted_pairwise_part_does_not_stop_the_skmsg(index: int, mask: int) -> None:
    alice = _party("15550001111", 2, "111000111", 1)
    bob = _party("15550002222", 0, "222000222", 3)
    _established(alice, bob)
    bob.receive(_group_message(alice, bob, "zero", distribute=True))
    node = _group_message(alice, bob, "one", distribute=True)
    skdm, content = _encs(node)
    got = bob.receive_parts(_with_encs(node, [_corrupt(skdm, index, mask), content]))
    assert got.outcome is Outcome.CONTENT_ONLY
    assert got.received.message.conversation == "one"
    assert isinstance(got.failure, CryptoError) and got.received.session is None


def test_the_same_skdm_again_changes_nothing(alice: Party, bob: Party) -> None:
    first = _group_message(alice, bob, "one", distribute=True)
    assert bob.receive(first).message.conversation == "one"
    key = bob.sender_keys[(GROUP, alice.lid)]
    own_key = alice.sender_keys[(GROUP, alice.lid)]
    again = _group_resend(alice, bob, "one", str(first.attrs["id"]), own_key)
    attrs = {"from": GROUP, "participant": alice.lid, "id": first.attrs["id"], "t": str(T)}
    got = bob.receive_parts(Node("message", attrs, again.node.children))
    assert got.outcome is Outcome.DECRYPTED and got.received.message.conversation == "one"
    assert got.received.sender_key == key  # kept as it was: no chain reset
    with pytest.raises(DuplicateMessage):  # the skmsg it already read stays read
        bob.receive(_with_encs(first, [_encs(first)[1]]))
    later = _group_message(alice, bob, "two", distribute=False)
    assert bob.receive(later).message.conversation == "two"


def test_a_bad_plaintext_in_the_pairwise_part_is_that_parts_failure(
    alice: Party, bob: Party
) -> None:
    _established(alice, bob)
    bob.receive(_group_message(alice, bob, "zero", distribute=True))
    node = _group_message(alice, bob, "one", distribute=False)
    skdm = e2e_pb2.Message()
    skdm.sender_key_distribution_message.group_id = "999@g.us"
    stray = _raw_from(alice, bob, skdm.SerializeToString()).children[0]
    got = bob.receive_parts(_with_encs(node, [stray, *_encs(node)]))
    assert got.outcome is Outcome.CONTENT_ONLY
    assert isinstance(got.failure, InvalidPlaintext)
    assert got.received.message.conversation == "one"
