"""Sender keys and padding against Baileys' group cipher, in both directions.

Baileys' sender sends every other iteration (0, 2, 4, ...: its encrypt asks for iteration + 1
once the chain has moved), so botkit's receiver stores a skipped key for each gap; that is
normal traffic from Baileys and these tests exercise it on every message.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator

import pytest

from botkit.core.signal.group import (
    create_sender_key,
    distribution_message,
    group_decrypt,
    group_encrypt,
    process_distribution,
)
from botkit.core.signal.padding import pad, unpad
from botkit.core.signal.sender_key_record import SenderKeyRecord
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

from .oracle import INTEROP_DIR, Oracle, OracleUnavailable

GROUP = "120363000000000001@g.us"
COUNT = 200
SEED = 0x6A0C


@pytest.fixture(scope="module")
def baileys() -> Iterator[Oracle]:
    """Baileys' group cipher in one Node process; a missing Node install fails (never skips)."""
    try:
        running = Oracle(INTEROP_DIR / "group_oracle.mjs")
    except OracleUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    with running:
        yield running


def _plaintexts(rng: random.Random, count: int) -> list[bytes]:
    return [pad(rng.randbytes(rng.randint(0, 300)), rng.randrange(256)) for _ in range(count)]


def _delivery_order(rng: random.Random, count: int) -> list[int]:
    """In order, except that every other block of 20 arrives shuffled (well within bounds)."""
    order = list(range(count))
    for start in range(0, count, 40):
        block = order[start : start + 20]
        rng.shuffle(block)
        order[start : start + 20] = block
    return order


def _baileys_encrypt(baileys: Oracle, sender: str, plaintexts: list[bytes]) -> list[bytes]:
    hexes = baileys.request(
        "encrypt", group=GROUP, sender=sender, plaintexts=[p.hex() for p in plaintexts]
    )
    return [bytes.fromhex(h) for h in hexes]


def _baileys_decrypt(baileys: Oracle, sender: str, messages: list[bytes]) -> list[bytes | str]:
    answers = baileys.request(
        "decrypt", group=GROUP, sender=sender, messages=[m.hex() for m in messages]
    )
    return [bytes.fromhex(a["plaintext"]) if "plaintext" in a else str(a["error"]) for a in answers]


def _from_baileys(baileys: Oracle, sender: str) -> SenderKeyRecord:
    """A botkit member record holding the sender key Baileys' ``sender`` just distributed."""
    skdm = bytes.fromhex(baileys.request("create", group=GROUP, sender=sender))
    return process_distribution(SenderKeyRecord(), skdm)


def test_baileys_decrypts_botkit_messages_some_shuffled(baileys: Oracle) -> None:
    rng = random.Random(SEED)
    skdm, own = create_sender_key(rng=os.urandom)
    baileys.request("process", group=GROUP, sender="botkit.0", skdm=skdm.hex())
    plaintexts = _plaintexts(rng, COUNT)
    messages = []
    for plaintext in plaintexts:
        message, own = group_encrypt(own, plaintext, rng=os.urandom)
        messages.append(message)
    order = _delivery_order(rng, COUNT)
    decrypted = _baileys_decrypt(baileys, "botkit.0", [messages[i] for i in order])
    assert decrypted == [plaintexts[i] for i in order]


def test_botkit_decrypts_baileys_messages_some_shuffled(baileys: Oracle) -> None:
    rng = random.Random(SEED + 1)
    member = _from_baileys(baileys, "baileys.1")
    plaintexts = _plaintexts(rng, COUNT)
    messages = _baileys_encrypt(baileys, "baileys.1", plaintexts)
    for i in _delivery_order(rng, COUNT):
        plaintext, member = group_decrypt(member, messages[i])
        assert plaintext == plaintexts[i]


def test_a_resent_baileys_skdm_keeps_the_chain_working(baileys: Oracle) -> None:
    member = _from_baileys(baileys, "baileys.2")
    first = _baileys_encrypt(baileys, "baileys.2", [b"one", b"two"])
    _, member = group_decrypt(member, first[1])
    resent = bytes.fromhex(baileys.request("create", group=GROUP, sender="baileys.2"))
    member = process_distribution(member, resent)
    (third,) = _baileys_encrypt(baileys, "baileys.2", [b"three"])
    assert group_decrypt(member, third)[0] == b"three"
    assert group_decrypt(member, first[0])[0] == b"one"


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def _other_key_id(message: bytes) -> bytes:
    body = signal_wire_pb2.SenderKeyMessage.FromString(message[1:-64])
    body.id ^= 1
    return message[:1] + body.SerializeToString() + message[-64:]


TAMPERS: list[tuple[str, Callable[[bytes], bytes], type[CryptoError]]] = [
    ("signature", lambda m: _flip(m, len(m) - 10), InvalidSignature),
    ("ciphertext", lambda m: _flip(m, len(m) - 70), InvalidSignature),
    ("version", lambda m: b"\x22" + m[1:], UnsupportedVersion),
    ("truncated", lambda m: m[:40], InvalidMessage),
    ("garbage-protobuf", lambda m: m[:1] + b"\xff" * 8 + m[-64:], InvalidMessage),
    ("key-id", _other_key_id, NoSession),
]


@pytest.mark.parametrize(("name", "tamper", "error"), TAMPERS, ids=[t[0] for t in TAMPERS])
def test_tampered_baileys_message_is_rejected_and_the_record_keeps_working(
    baileys: Oracle, name: str, tamper: Callable[[bytes], bytes], error: type[CryptoError]
) -> None:
    sender = f"tamper-{name}.0"
    member = _from_baileys(baileys, sender)
    good, after = _baileys_encrypt(baileys, sender, [b"good", b"after"])
    with pytest.raises(error):
        group_decrypt(member, tamper(good))
    plaintext, member = group_decrypt(member, good)
    assert plaintext == b"good"
    assert group_decrypt(member, after)[0] == b"after"


def test_replayed_baileys_message_is_a_duplicate_and_the_record_keeps_working(
    baileys: Oracle,
) -> None:
    member = _from_baileys(baileys, "replay.0")
    first, second = _baileys_encrypt(baileys, "replay.0", [b"first", b"second"])
    _, member = group_decrypt(member, first)
    with pytest.raises(DuplicateMessage):
        group_decrypt(member, first)
    assert group_decrypt(member, second)[0] == b"second"


def test_baileys_message_over_2000_ahead_is_too_far_and_the_record_keeps_working(
    baileys: Oracle,
) -> None:
    member = _from_baileys(baileys, "ahead.0")
    (kept,) = _baileys_encrypt(baileys, "ahead.0", [b"kept"])
    baileys.request("advance", group=GROUP, sender="ahead.0", steps=2001)
    (far,) = _baileys_encrypt(baileys, "ahead.0", [b"far"])
    with pytest.raises(TooFarAhead):
        group_decrypt(member, far)
    assert group_decrypt(member, kept)[0] == b"kept"


def test_baileys_rejects_a_tampered_botkit_message(baileys: Oracle) -> None:
    skdm, own = create_sender_key(rng=os.urandom)
    baileys.request("process", group=GROUP, sender="botkit.9", skdm=skdm.hex())
    message, own = group_encrypt(own, b"hello", rng=os.urandom)
    tampered, good = _baileys_decrypt(baileys, "botkit.9", [_flip(message, 20), message])
    assert isinstance(tampered, str) and "signature" in tampered.lower()
    assert good == b"hello"


def test_baileys_follows_a_resent_botkit_skdm(baileys: Oracle) -> None:
    _, own = create_sender_key(rng=os.urandom)
    _, own = group_encrypt(own, b"missed", rng=os.urandom)
    baileys.request("process", group=GROUP, sender="botkit.8", skdm=distribution_message(own).hex())
    message, own = group_encrypt(own, b"seen", rng=os.urandom)
    assert _baileys_decrypt(baileys, "botkit.8", [message]) == [b"seen"]


def test_botkit_unpads_what_baileys_pads(baileys: Oracle) -> None:
    rng = random.Random(SEED + 2)
    plaintexts = [rng.randbytes(rng.randint(0, 64)) for _ in range(500)]
    padded = [bytes.fromhex(h) for h in baileys.request("pad", items=[p.hex() for p in plaintexts])]
    assert {len(p) - len(q) for p, q in zip(padded, plaintexts, strict=True)} == set(range(1, 17))
    assert [unpad(p) for p in padded] == plaintexts


def test_baileys_unpads_what_botkit_pads(baileys: Oracle) -> None:
    rng = random.Random(SEED + 3)
    plaintexts = [rng.randbytes(rng.randint(0, 64)) for _ in range(256)]
    padded = [pad(p, random_byte) for random_byte, p in enumerate(plaintexts)]
    answers = baileys.request("unpad", items=[p.hex() for p in padded])
    assert [bytes.fromhex(a["plaintext"]) for a in answers] == plaintexts
