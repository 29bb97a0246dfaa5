"""XEdDSA: botkit and Baileys (libsignal's curve code) accept each other's signatures."""

from __future__ import annotations

import random

import pytest

from botkit.core.signal import KeyPair, public_key_from_private, serialize_public_key, sign, verify

from .oracle import Oracle

COUNT = 500
# curve25519-js is pure JavaScript (about 7 ms per operation), so the checks that only need a
# sample (tampering, byte equality) use the first SAMPLE items.
SAMPLE = 100
SEED = 0x5EED


def _messages(rng: random.Random, count: int) -> list[bytes]:
    """Message shapes that get signed in practice (33-byte keys, certificate details) and others."""
    sizes = [0, 1, 32, 33, 64, 100, 255, 1024]
    return [
        rng.randbytes(sizes[i] if i < len(sizes) else rng.randint(0, 400)) for i in range(count)
    ]


def _flip_bit(rng: random.Random, data: bytes) -> bytes:
    flipped = bytearray(data)
    bit = rng.randrange(len(flipped) * 8)
    flipped[bit // 8] ^= 1 << (bit % 8)
    return bytes(flipped)


@pytest.fixture(scope="module")
def baileys_signed(oracle: Oracle) -> list[tuple[bytes, bytes, bytes, bytes]]:
    """``COUNT`` tuples ``(private, public, message, signature)`` made entirely by Baileys."""
    rng = random.Random(SEED)
    pairs = oracle.keypairs(COUNT)
    messages = _messages(rng, COUNT)
    signatures = oracle.sign([(priv, msg) for (priv, _), msg in zip(pairs, messages, strict=True)])
    return [
        (priv, pub, msg, sig)
        for (priv, pub), msg, sig in zip(pairs, messages, signatures, strict=True)
    ]


@pytest.fixture(scope="module")
def botkit_signed() -> list[tuple[KeyPair, bytes, bytes, bytes]]:
    """``COUNT`` tuples ``(key pair, message, random64, signature)`` made by botkit."""
    rng = random.Random(SEED + 1)
    out = []
    for msg in _messages(rng, COUNT):
        pair = KeyPair.from_private(rng.randbytes(32))
        random64 = rng.randbytes(64)
        out.append((pair, msg, random64, sign(pair.private, msg, random64)))
    return out


def test_botkit_derives_baileys_public_keys(
    baileys_signed: list[tuple[bytes, bytes, bytes, bytes]],
) -> None:
    mismatched = [
        priv.hex() for priv, pub, _, _ in baileys_signed if public_key_from_private(priv) != pub
    ]
    assert mismatched == []


def test_botkit_verifies_baileys_signatures(
    baileys_signed: list[tuple[bytes, bytes, bytes, bytes]],
) -> None:
    rejected = [
        i for i, (_, pub, msg, sig) in enumerate(baileys_signed) if not verify(pub, msg, sig)
    ]
    assert rejected == []


def test_botkit_verifies_baileys_signatures_with_prefixed_keys(
    baileys_signed: list[tuple[bytes, bytes, bytes, bytes]],
) -> None:
    rejected = [
        i
        for i, (_, pub, msg, sig) in enumerate(baileys_signed)
        if not verify(serialize_public_key(pub), msg, sig)
    ]
    assert rejected == []


def test_botkit_rejects_tampered_baileys_signatures(
    baileys_signed: list[tuple[bytes, bytes, bytes, bytes]],
) -> None:
    rng = random.Random(SEED + 2)
    accepted = []
    for i, (_, pub, msg, sig) in enumerate(baileys_signed):
        if verify(pub, msg, _flip_bit(rng, sig)):
            accepted.append(("signature", i))
        if msg and verify(pub, _flip_bit(rng, msg), sig):
            accepted.append(("message", i))
    assert accepted == []


def test_baileys_verifies_botkit_signatures(
    oracle: Oracle, botkit_signed: list[tuple[KeyPair, bytes, bytes, bytes]]
) -> None:
    results = oracle.verify([(pair.public, msg, sig) for pair, msg, _, sig in botkit_signed])
    assert [i for i, ok in enumerate(results) if not ok] == []


def test_baileys_rejects_tampered_botkit_signatures(
    oracle: Oracle, botkit_signed: list[tuple[KeyPair, bytes, bytes, bytes]]
) -> None:
    rng = random.Random(SEED + 3)
    sample = botkit_signed[:SAMPLE]
    items = [(pair.public, msg, _flip_bit(rng, sig)) for pair, msg, _, sig in sample]
    items += [(pair.public, _flip_bit(rng, msg), sig) for pair, msg, _, sig in sample if msg]
    results = oracle.verify(items)
    assert [i for i, ok in enumerate(results) if ok] == []


def test_signatures_match_curve25519_js_with_the_same_randomness(
    oracle: Oracle, botkit_signed: list[tuple[KeyPair, bytes, bytes, bytes]]
) -> None:
    """With the nonce randomness fixed, botkit and libsignal's curve code sign identically."""
    sample = botkit_signed[:SAMPLE]
    theirs = oracle.sign(
        [(pair.private, msg) for pair, msg, _, _ in sample],
        random64=[random64 for _, _, random64, _ in sample],
    )
    ours = [sig for _, _, _, sig in sample]
    differing = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    assert differing == []


def test_flip_bit_changes_exactly_one_bit() -> None:
    rng = random.Random(SEED)
    data = rng.randbytes(64)
    flipped = _flip_bit(rng, data)
    assert sum(bin(a ^ b).count("1") for a, b in zip(data, flipped, strict=True)) == 1
