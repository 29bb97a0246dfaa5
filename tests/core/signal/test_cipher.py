"""1:1 sessions between two botkit parties: set-up, ratchet, ordering, failures, trust."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from botkit.core.signal import (
    CiphertextMessage,
    KeyPair,
    PreKey,
    PreKeyBundle,
    SessionRecord,
    SignedPreKey,
    decrypt_message,
    decrypt_prekey_message,
    encrypt,
    generate_identity_key_pair,
    generate_prekeys,
    generate_registration_id,
    generate_signed_prekey,
    process_bundle,
)
from botkit.core.signal.session import MAX_PREVIOUS_STATES, MAX_RECEIVER_CHAINS
from botkit.core.signal.wire import encode_signal_message
from botkit.errors import (
    BadMac,
    DuplicateMessage,
    InvalidMessage,
    NoSession,
    TooFarAhead,
    UnknownPreKey,
    UntrustedIdentity,
)


@dataclass
class Party:
    """One device: its keys and its session record with the other party."""

    name: str
    seed: int
    rng: random.Random = field(init=False)
    identity: KeyPair = field(init=False)
    registration_id: int = field(init=False)
    signed_prekey: SignedPreKey = field(init=False)
    prekeys: dict[int, PreKey] = field(init=False)
    record: SessionRecord = field(default_factory=SessionRecord)
    trusted: bytes | None = None

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        draw = self.rng.randbytes
        self.identity = generate_identity_key_pair(draw)
        self.registration_id = generate_registration_id(draw)
        self.signed_prekey = generate_signed_prekey(self.identity, 1, draw)
        self.prekeys = {k.key_id: k for k in generate_prekeys(1, 5, draw)}

    def bundle(self, with_prekey: bool = True) -> PreKeyBundle:
        prekey = self.prekeys[min(self.prekeys)] if with_prekey else None
        return PreKeyBundle.of(self.registration_id, self.identity, self.signed_prekey, prekey)

    def process(self, bundle: PreKeyBundle) -> None:
        self.record = process_bundle(
            self.record,
            bundle,
            address="peer",
            our_identity=self.identity,
            our_registration_id=self.registration_id,
            trusted_identity=self.trusted,
            rng=self.rng.randbytes,
        )

    def send(self, plaintext: bytes) -> CiphertextMessage:
        message, self.record = encrypt(self.record, plaintext, our_identity=self.identity)
        return message

    def receive(self, message: CiphertextMessage) -> bytes:
        if message.type == "pkmsg":
            plaintext, self.record, used = decrypt_prekey_message(
                self.record,
                message.data,
                address="peer",
                our_identity=self.identity,
                signed_prekeys={self.signed_prekey.key_id: self.signed_prekey},
                one_time_prekeys=self.prekeys,
                trusted_identity=self.trusted,
                rng=self.rng.randbytes,
            )
            if used is not None:
                del self.prekeys[used]
            return plaintext
        plaintext, self.record = decrypt_message(
            self.record,
            message.data,
            address="peer",
            our_identity=self.identity,
            trusted_identity=self.trusted,
            rng=self.rng.randbytes,
        )
        return plaintext


def _pair(seed: int = 1, with_prekey: bool = True) -> tuple[Party, Party]:
    """Alice has processed Bob's bundle; nothing was sent yet."""
    alice, bob = Party("alice", seed), Party("bob", seed + 1000)
    alice.process(bob.bundle(with_prekey))
    return alice, bob


def _established(seed: int = 1) -> tuple[Party, Party]:
    alice, bob = _pair(seed)
    assert bob.receive(alice.send(b"hi")) == b"hi"
    assert alice.receive(bob.send(b"hello")) == b"hello"
    return alice, bob


@pytest.mark.parametrize("with_prekey", [True, False])
def test_initiator_sends_prekey_messages_until_the_first_reply(with_prekey: bool) -> None:
    alice, bob = _pair(with_prekey=with_prekey)
    first, second = alice.send(b"one"), alice.send(b"two")
    assert first.type == second.type == "pkmsg"
    assert bob.receive(second) == b"two"
    assert len(bob.prekeys) == (4 if with_prekey else 5)
    assert bob.receive(first) == b"one"  # same base key: the session is reused
    reply = bob.send(b"three")
    assert reply.type == "msg"
    assert alice.receive(reply) == b"three"
    assert alice.send(b"four").type == "msg"


def test_used_prekey_id_is_reported_once() -> None:
    alice, bob = _pair()
    first, second = alice.send(b"one"), alice.send(b"two")
    results = []
    for message in (first, second):
        _, bob.record, used = decrypt_prekey_message(
            bob.record,
            message.data,
            address="alice",
            our_identity=bob.identity,
            signed_prekeys={1: bob.signed_prekey},
            one_time_prekeys=bob.prekeys,
            trusted_identity=None,
            rng=bob.rng.randbytes,
        )
        results.append(used)
    assert results == [1, None]


def test_every_turn_of_an_alternating_conversation_steps_the_ratchet() -> None:
    alice, bob = _established()
    ratchet_keys = set()
    for turn in range(20):
        sender, receiver = (alice, bob) if turn % 2 else (bob, alice)
        text = f"turn {turn}".encode()
        assert receiver.receive(sender.send(text)) == text
        assert sender.record.current is not None
        ratchet_keys.add(sender.record.current.sender_ratchet.public)
    assert len(ratchet_keys) == 20


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.integers(1, 12), second=st.integers(1, 12), data=st.data())
def test_any_delivery_order_within_bounds_decrypts(
    first: int, second: int, data: st.DataObject
) -> None:
    alice, bob = _established()
    sent = [(alice.send(f"a{i}".encode()), f"a{i}".encode()) for i in range(first)]
    assert bob.receive(sent[0][0]) == sent[0][1]
    assert alice.receive(bob.send(b"step")) == b"step"  # Alice's next chain has a new key
    sent += [(alice.send(f"b{i}".encode()), f"b{i}".encode()) for i in range(second)]
    order = data.draw(st.permutations(sent[1:]))
    for message, text in order:
        assert bob.receive(message) == text


def test_a_replayed_message_is_a_duplicate_and_the_session_continues() -> None:
    alice, bob = _established()
    message = alice.send(b"once")
    assert bob.receive(message) == b"once"
    record = bob.record
    with pytest.raises(DuplicateMessage):
        bob.receive(message)
    assert bob.record is record
    assert bob.receive(alice.send(b"next")) == b"next"


def test_more_than_2000_ahead_is_refused() -> None:
    alice, bob = _established()
    messages = [alice.send(b"%d" % i) for i in range(2002)]
    with pytest.raises(TooFarAhead):
        bob.receive(messages[2001])
    assert bob.receive(messages[2000]) == b"2000"
    assert bob.receive(messages[0]) == b"0"


def test_a_tampered_message_fails_and_the_same_record_decrypts_the_next() -> None:
    alice, bob = _established()
    good = alice.send(b"good")
    tampered = bytearray(good.data)
    tampered[-12] ^= 0x40
    record = bob.record
    with pytest.raises(BadMac):
        bob.receive(CiphertextMessage("msg", bytes(tampered)))
    assert bob.record is record
    assert bob.receive(good) == b"good"


def test_a_low_order_ratchet_key_is_an_invalid_message() -> None:
    alice, bob = _established()
    data = encode_signal_message(
        mac_key=bytes(32),
        ratchet_key=bytes(32),
        counter=0,
        previous_counter=0,
        ciphertext=bytes(16),
        sender_identity=alice.identity.public,
        receiver_identity=bob.identity.public,
    )
    with pytest.raises(InvalidMessage):
        bob.receive(CiphertextMessage("msg", data))


def test_unknown_prekeys_are_reported() -> None:
    alice, bob = _pair()
    message = alice.send(b"hi")
    prekeys = bob.prekeys
    bob.prekeys = {}
    with pytest.raises(UnknownPreKey):
        bob.receive(message)
    bob.prekeys = prekeys
    bob.signed_prekey = generate_signed_prekey(bob.identity, 2, bob.rng.randbytes)
    with pytest.raises(UnknownPreKey):
        bob.receive(message)


def test_no_session() -> None:
    alice, _bob = _established()
    stranger = Party("stranger", 5)
    with pytest.raises(NoSession):
        stranger.send(b"x")
    with pytest.raises(NoSession):
        stranger.receive(alice.send(b"x"))


def test_a_changed_identity_is_the_callers_decision() -> None:
    alice, bob = _established()
    bob.trusted = alice.identity.public
    impostor = Party("impostor", 99)
    impostor.process(bob.bundle())
    message = impostor.send(b"trust me")
    record = bob.record
    with pytest.raises(UntrustedIdentity) as raised:
        bob.receive(message)
    assert raised.value.address == "peer"
    assert raised.value.identity_key == impostor.identity.public
    assert bob.record is record
    bob.trusted = impostor.identity.public
    assert bob.receive(message) == b"trust me"


def test_a_bundle_with_a_changed_identity_is_refused_until_trusted() -> None:
    alice, bob = _established()
    alice.trusted = bob.identity.public
    new_bob = Party("bob", 77)
    with pytest.raises(UntrustedIdentity):
        alice.process(new_bob.bundle())
    alice.trusted = new_bob.identity.public
    alice.process(new_bob.bundle())
    assert new_bob.receive(alice.send(b"again")) == b"again"


def test_a_msg_from_a_session_with_an_untrusted_identity_is_refused() -> None:
    alice, bob = _established()
    bob.trusted = Party("other", 3).identity.public
    with pytest.raises(UntrustedIdentity):
        bob.receive(alice.send(b"x"))


@pytest.mark.parametrize("bob_sends_first", [True, False])
def test_simultaneous_initiation_converges(bob_sends_first: bool) -> None:
    alice, bob = Party("alice", 11), Party("bob", 12)
    alice.process(bob.bundle())
    bob.process(alice.bundle())
    from_alice, from_bob = alice.send(b"a"), bob.send(b"b")
    assert bob.receive(from_alice) == b"a"
    assert alice.receive(from_bob) == b"b"
    first, second = (bob, alice) if bob_sends_first else (alice, bob)
    for turn in range(6):
        sender, receiver = (first, second) if turn % 2 == 0 else (second, first)
        assert receiver.receive(sender.send(b"%d" % turn)) == b"%d" % turn
    assert alice.record.current is not None and bob.record.current is not None
    assert alice.record.current.base_key == bob.record.current.base_key
    assert alice.send(b"x").type == bob.send(b"y").type == "msg"


def test_a_late_message_for_a_previous_session_still_decrypts() -> None:
    alice, bob = _established()
    late = alice.send(b"late")
    bob.process(alice.bundle())  # Bob starts over; the old session is archived
    assert alice.receive(bob.send(b"new session")) == b"new session"
    assert bob.receive(late) == b"late"


def test_previous_states_are_bounded() -> None:
    alice, bob = _pair()
    for _ in range(MAX_PREVIOUS_STATES + 5):
        alice.process(bob.bundle(with_prekey=False))
    assert len(alice.record.previous) == MAX_PREVIOUS_STATES


def test_receiver_chains_are_bounded() -> None:
    alice, bob = _established()
    held = alice.send(b"held")
    for turn in range(MAX_RECEIVER_CHAINS + 1):
        assert bob.receive(alice.send(b"%d" % turn)) == b"%d" % turn
        assert alice.receive(bob.send(b"ok")) == b"ok"
    assert bob.record.current is not None
    assert len(bob.record.current.receiver_chains) == MAX_RECEIVER_CHAINS
    with pytest.raises(BadMac):
        bob.receive(held)


def test_same_randomness_gives_the_same_bytes() -> None:
    runs = []
    for _ in range(2):
        alice, bob = _pair(seed=21)
        runs.append([alice.send(b"x").data, bob.receive(alice.send(b"y")), bob.send(b"z").data])
    assert runs[0] == runs[1]


def test_records_survive_serialization_mid_conversation() -> None:
    alice, bob = _established()
    pending = [alice.send(b"%d" % i) for i in range(5)]
    assert bob.receive(pending[3]) == b"3"
    bob.record = SessionRecord.deserialize(bob.record.serialize())
    for i in (0, 4, 1, 2):
        assert bob.receive(pending[i]) == b"%d" % i
