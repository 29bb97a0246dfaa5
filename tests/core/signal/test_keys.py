"""Curve25519 key pairs, X25519 agreement and the 33-byte public-key form."""

from __future__ import annotations

import pytest

from botkit.core.signal import KeyPair, dh, parse_public_key, serialize_public_key
from botkit.errors import CryptoError, DecodeError

# libsignal-protocol-c tests/test_curve25519.c, test_curve25519_agreement.
ALICE_PUBLIC = bytes.fromhex("051bb75966f2e93a3691dfff942bb2a466a1c08b8d78ca3f4d6df8b8bfa2e4ee28")
ALICE_PRIVATE = bytes.fromhex("c806439dc9d2c476ffed8f2580c0888d58ab406bf7ae3698879021b96bb4bf59")
BOB_PUBLIC = bytes.fromhex("05653614993d2b15ee9e5fd3d86ce719ef4ec1daae1886a87b3f5fa9565a27a22f")
BOB_PRIVATE = bytes.fromhex("b03b34c33a1c44f225b662d2bf4859b8135411fa7b0386d45fb75dc5b91b4466")
SHARED = bytes.fromhex("325f239328941ced6e673b86ba41017448e99b649a9c3806c1dd7ca4c477e629")


def test_public_key_from_private_matches_libsignal() -> None:
    assert KeyPair.from_private(ALICE_PRIVATE).serialized_public == ALICE_PUBLIC


def test_agreement_matches_libsignal() -> None:
    assert dh(ALICE_PRIVATE, parse_public_key(BOB_PUBLIC)) == SHARED
    assert dh(BOB_PRIVATE, parse_public_key(ALICE_PUBLIC)) == SHARED


def test_from_private_clamps() -> None:
    key = KeyPair.from_private(b"\xff" * 32)
    assert key.private[0] & 7 == 0
    assert key.private[31] & 0xC0 == 0x40


def test_generate_uses_the_given_bytes() -> None:
    assert KeyPair.generate(bytes(range(32))) == KeyPair.from_private(bytes(range(32)))


def test_private_key_is_not_in_repr() -> None:
    key = KeyPair.from_private(ALICE_PRIVATE)
    assert ALICE_PRIVATE.hex() not in repr(key)
    assert repr(key.private) not in repr(key)


def test_serialize_and_parse_round_trip() -> None:
    raw = ALICE_PUBLIC[1:]
    assert serialize_public_key(raw) == ALICE_PUBLIC
    assert parse_public_key(ALICE_PUBLIC) == raw
    assert parse_public_key(raw) == raw


@pytest.mark.parametrize("data", [b"", bytes(31), b"\x06" + bytes(32), bytes(34)])
def test_parse_rejects_malformed_keys(data: bytes) -> None:
    with pytest.raises(DecodeError):
        parse_public_key(data)


def test_dh_rejects_low_order_point() -> None:
    with pytest.raises(CryptoError):
        dh(ALICE_PRIVATE, bytes(32))
