"""Sender keys: wire formats, chain iteration out of order, several states, typed failures."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botkit.core.signal.group import (
    MAX_FORWARD_ITERATIONS,
    create_sender_key,
    distribution_message,
    group_decrypt,
    group_encrypt,
    process_distribution,
)
from botkit.core.signal.keys import serialize_public_key
from botkit.core.signal.primitives import hmac_sha256
from botkit.core.signal.sender_key_record import MAX_SKIPPED_KEYS, MAX_STATES, SenderKeyRecord
from botkit.core.signal.xeddsa import verify
from botkit.errors import (
    CryptoError,
    DuplicateMessage,
    InvalidMessage,
    InvalidSignature,
    NoSession,
    TooFarAhead,
    UnsupportedVersion,
)
from botkit.pb import signal_wire_pb2

EMPTY = SenderKeyRecord()


def seeded_rng(seed: bytes) -> Callable[[int], bytes]:
    """A deterministic ``rng(n)``: SHA-256 of the seed and a counter."""
    counter = itertools.count()

    def rng(n: int) -> bytes:
        out = b""
        while len(out) < n:
            out += hashlib.sha256(seed + next(counter).to_bytes(8, "big")).digest()
        return out[:n]

    return rng


def new_sender(seed: bytes = b"alice") -> tuple[bytes, SenderKeyRecord, Callable[[int], bytes]]:
    rng = seeded_rng(seed)
    skdm, own = create_sender_key(rng=rng)
    return skdm, own, rng


def encrypt_many(
    own: SenderKeyRecord, count: int, rng: Callable[[int], bytes]
) -> tuple[list[bytes], SenderKeyRecord]:
    messages = []
    for i in range(count):
        message, own = group_encrypt(own, b"message %d" % i, rng=rng)
        messages.append(message)
    return messages, own


@pytest.fixture(scope="module")
def long_chain() -> tuple[bytes, list[bytes]]:
    """An SKDM and 2,004 messages encrypted with it (iterations 0-2003)."""
    skdm, own, rng = new_sender(b"long")
    messages, _ = encrypt_many(own, MAX_FORWARD_ITERATIONS + 4, rng)
    return skdm, messages


def test_skdm_wire_format() -> None:
    skdm, own, _ = new_sender()
    assert skdm[0] == 0x33
    body = signal_wire_pb2.SenderKeyDistributionMessage.FromString(skdm[1:])
    state = own.states[0]
    assert body.id == state.key_id < 2**31
    assert body.iteration == 0
    assert body.chain_key == state.chain_key and len(body.chain_key) == 32
    assert body.signing_key == serialize_public_key(state.signing_public)


def test_skmsg_wire_format_and_signature() -> None:
    _, own, rng = new_sender()
    (first, second), _ = encrypt_many(own, 2, rng)
    assert first[0] == 0x33
    body = signal_wire_pb2.SenderKeyMessage.FromString(second[1:-64])
    assert (body.id, body.iteration) == (own.states[0].key_id, 1)
    assert len(body.ciphertext) % 16 == 0
    assert verify(own.states[0].signing_public, second[:-64], second[-64:])


def test_messages_decrypt_in_order() -> None:
    skdm, own, rng = new_sender()
    member = process_distribution(EMPTY, skdm)
    messages, _ = encrypt_many(own, 5, rng)
    for i, message in enumerate(messages):
        plaintext, member = group_decrypt(member, message)
        assert plaintext == b"message %d" % i


@settings(max_examples=30, deadline=None)
@given(order=st.permutations(range(25)))
def test_any_delivery_order_decrypts(order: list[int]) -> None:
    skdm, own, rng = new_sender(b"shuffle")
    member = process_distribution(EMPTY, skdm)
    messages, _ = encrypt_many(own, 25, rng)
    for i in order:
        plaintext, member = group_decrypt(member, messages[i])
        assert plaintext == b"message %d" % i
    assert member.states[0].skipped == ()


def test_a_message_2000_ahead_decrypts_and_2001_ahead_is_too_far(
    long_chain: tuple[bytes, list[bytes]],
) -> None:
    skdm, messages = long_chain
    member = process_distribution(EMPTY, skdm)
    with pytest.raises(TooFarAhead):
        group_decrypt(member, messages[MAX_FORWARD_ITERATIONS + 1])
    plaintext, member = group_decrypt(member, messages[MAX_FORWARD_ITERATIONS])
    assert plaintext == b"message 2000"
    assert group_decrypt(member, messages[0])[0] == b"message 0"


def test_stored_skipped_keys_are_bounded_oldest_dropped(
    long_chain: tuple[bytes, list[bytes]],
) -> None:
    skdm, messages = long_chain
    member = process_distribution(EMPTY, skdm)
    _, member = group_decrypt(member, messages[2000])
    _, member = group_decrypt(member, messages[2002])
    assert len(member.states[0].skipped) == MAX_SKIPPED_KEYS
    with pytest.raises(DuplicateMessage):
        group_decrypt(member, messages[0])
    assert group_decrypt(member, messages[1])[0] == b"message 1"
    assert group_decrypt(member, messages[2001])[0] == b"message 2001"


def test_duplicate_is_rejected_and_the_record_keeps_working() -> None:
    skdm, own, rng = new_sender()
    member = process_distribution(EMPTY, skdm)
    messages, _ = encrypt_many(own, 2, rng)
    _, member = group_decrypt(member, messages[0])
    with pytest.raises(DuplicateMessage):
        group_decrypt(member, messages[0])
    assert group_decrypt(member, messages[1])[0] == b"message 1"


def _flip(data: bytes, bit: int) -> bytes:
    flipped = bytearray(data)
    flipped[bit // 8] ^= 1 << (bit % 8)
    return bytes(flipped)


def test_every_single_bit_flip_is_rejected_and_the_record_keeps_working() -> None:
    skdm, own, rng = new_sender()
    member = process_distribution(EMPTY, skdm)
    (message,), _ = encrypt_many(own, 1, rng)
    for bit in range(len(message) * 8):
        with pytest.raises(CryptoError):
            group_decrypt(member, _flip(message, bit))
    assert group_decrypt(member, message)[0] == b"message 0"


@pytest.mark.parametrize(
    ("tamper", "error"),
    [
        pytest.param(lambda m: m[:-1] + bytes([m[-1] ^ 1]), InvalidSignature, id="signature"),
        pytest.param(lambda m: m[:20] + bytes([m[20] ^ 1]) + m[21:], InvalidSignature, id="body"),
        pytest.param(lambda m: b"\x23" + m[1:], UnsupportedVersion, id="version-2"),
        pytest.param(lambda m: b"\x43" + m[1:], UnsupportedVersion, id="version-4"),
        pytest.param(lambda m: m[:60], InvalidMessage, id="truncated"),
        pytest.param(lambda m: m[:1] + b"\xff\xff" + m[-64:], InvalidMessage, id="bad-protobuf"),
        pytest.param(lambda m: m[:1] + b"\x08\x01" + m[-64:], InvalidMessage, id="missing-fields"),
        pytest.param(lambda m: b"", InvalidMessage, id="empty"),
    ],
)
def test_tampered_message_raises_its_typed_error_and_the_record_keeps_working(
    tamper: Callable[[bytes], bytes], error: type[CryptoError]
) -> None:
    skdm, own, rng = new_sender()
    member = process_distribution(EMPTY, skdm)
    messages, _ = encrypt_many(own, 2, rng)
    with pytest.raises(error):
        group_decrypt(member, tamper(messages[0]))
    assert group_decrypt(member, messages[0])[0] == b"message 0"
    assert group_decrypt(member, messages[1])[0] == b"message 1"


def test_unknown_key_id_and_empty_record_raise_no_session() -> None:
    _, own, rng = new_sender()
    _, other, _ = new_sender(b"bob")
    (message,), _ = encrypt_many(own, 1, rng)
    with pytest.raises(NoSession):
        group_decrypt(EMPTY, message)
    with pytest.raises(NoSession):
        group_decrypt(process_distribution(EMPTY, distribution_message(other)), message)


def test_encrypting_without_an_own_sender_key_raises_no_session() -> None:
    skdm, _, _ = new_sender()
    member = process_distribution(EMPTY, skdm)
    with pytest.raises(NoSession):
        group_encrypt(member, b"x", rng=seeded_rng(b"x"))
    with pytest.raises(NoSession):
        distribution_message(EMPTY)


def test_record_holds_five_states_newest_first() -> None:
    senders = [new_sender(b"sender %d" % i) for i in range(MAX_STATES + 1)]
    member = EMPTY
    for skdm, _, _ in senders:
        member = process_distribution(member, skdm)
    ids = [own.states[0].key_id for _, own, _ in senders]
    assert [s.key_id for s in member.states] == ids[::-1][:MAX_STATES]
    for _, own, rng in senders[1:]:
        (message,), _ = encrypt_many(own, 1, rng)
        assert group_decrypt(member, message)[0] == b"message 0"
    (oldest,), _ = encrypt_many(senders[0][1], 1, senders[0][2])
    with pytest.raises(NoSession):
        group_decrypt(member, oldest)


def test_a_resent_skdm_does_not_rewind_the_chain() -> None:
    skdm, own, rng = new_sender()
    member = process_distribution(EMPTY, skdm)
    messages, _ = encrypt_many(own, 3, rng)
    _, member = group_decrypt(member, messages[2])
    again = process_distribution(member, skdm)
    assert again == member
    _, again = group_decrypt(again, messages[0])
    with pytest.raises(DuplicateMessage):
        group_decrypt(process_distribution(again, skdm), messages[0])


def test_a_later_skdm_lets_a_new_member_join_mid_chain() -> None:
    _, own, rng = new_sender()
    early, own = encrypt_many(own, 3, rng)
    member = process_distribution(EMPTY, distribution_message(own))
    (late,), _ = encrypt_many(own, 1, rng)
    assert group_decrypt(member, late)[0] == b"message 0"
    with pytest.raises(DuplicateMessage):
        group_decrypt(member, early[2])


def test_an_skdm_over_2000_ahead_of_the_held_chain_moves_it_forward(
    long_chain: tuple[bytes, list[bytes]],
) -> None:
    skdm, messages = long_chain
    member = process_distribution(EMPTY, skdm)
    _, member = group_decrypt(member, messages[1])
    held = member.states[0]
    body = signal_wire_pb2.SenderKeyDistributionMessage.FromString(skdm[1:])
    chain_key = body.chain_key
    for _ in range(2003):
        chain_key = hmac_sha256(chain_key, b"\x02")
    body.iteration, body.chain_key = 2003, chain_key
    member = process_distribution(member, b"\x33" + body.SerializeToString())
    assert member.states[0].iteration == 2003
    assert member.states[0].skipped == held.skipped
    assert group_decrypt(member, messages[2003])[0] == b"message 2003"
    assert group_decrypt(member, messages[0])[0] == b"message 0"


def test_a_new_signing_key_under_a_known_id_replaces_the_state() -> None:
    skdm, own, rng = new_sender()
    member = process_distribution(EMPTY, skdm)
    impostor_skdm, _, _ = new_sender(b"impostor")
    body = signal_wire_pb2.SenderKeyDistributionMessage.FromString(impostor_skdm[1:])
    body.id = own.states[0].key_id
    member = process_distribution(member, b"\x33" + body.SerializeToString())
    assert len(member.states) == 1
    (message,), _ = encrypt_many(own, 1, rng)
    with pytest.raises(InvalidSignature):
        group_decrypt(member, message)


def test_a_rotated_key_needs_its_skdm_and_late_messages_of_the_old_key_still_decrypt() -> None:
    skdm, own, rng = new_sender()
    member = process_distribution(EMPTY, skdm)
    (late,), _ = encrypt_many(own, 1, rng)
    rotated_skdm, rotated = create_sender_key(rng=rng)
    assert distribution_message(rotated) == rotated_skdm
    (fresh,), _ = encrypt_many(rotated, 1, rng)
    with pytest.raises(NoSession):
        group_decrypt(member, fresh)
    member = process_distribution(member, rotated_skdm)
    assert group_decrypt(member, fresh)[0] == b"message 0"
    assert group_decrypt(member, late)[0] == b"message 0"


def _skdm_with(**changes: object) -> bytes:
    skdm, _, _ = new_sender()
    body = signal_wire_pb2.SenderKeyDistributionMessage.FromString(skdm[1:])
    for name, value in changes.items():
        if value is None:
            body.ClearField(name)
        else:
            setattr(body, name, value)
    return b"\x33" + body.SerializeToString()


@pytest.mark.parametrize(
    ("skdm", "error"),
    [
        pytest.param(b"", InvalidMessage, id="empty"),
        pytest.param(b"\x23" + _skdm_with()[1:], UnsupportedVersion, id="version-2"),
        pytest.param(b"\x33\xff\xff", InvalidMessage, id="bad-protobuf"),
        pytest.param(_skdm_with(iteration=None), InvalidMessage, id="no-iteration"),
        pytest.param(_skdm_with(chain_key=b"k" * 31), InvalidMessage, id="short-chain-key"),
        pytest.param(_skdm_with(signing_key=b"\x06" + b"k" * 32), InvalidMessage, id="key-type"),
    ],
)
def test_bad_skdm_raises_its_typed_error(skdm: bytes, error: type[CryptoError]) -> None:
    with pytest.raises(error):
        process_distribution(EMPTY, skdm)


def test_skdm_with_a_32_byte_signing_key_is_accepted() -> None:
    _, own, _ = new_sender()
    short = _skdm_with(signing_key=own.states[0].signing_public)
    member = process_distribution(EMPTY, short)
    assert member.states[0].signing_public == own.states[0].signing_public
