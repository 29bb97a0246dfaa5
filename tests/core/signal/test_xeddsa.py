"""XEdDSA in libsignal's form: published vectors, round trips and rejection of tampering."""

from __future__ import annotations

import os

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from botkit.core.signal import KeyPair, sign, verify
from botkit.core.signal.keys import clamp_private_key

# libsignal-protocol-c tests/test_curve25519.c, test_curve25519_signature: Alice's identity key
# signs her serialized ephemeral public key.
ALICE_IDENTITY_PRIVATE = bytes.fromhex(
    "c097248412e58bf05df487968205132794178e367637f5818f81e0e6ce73e865"
)
ALICE_IDENTITY_PUBLIC = bytes.fromhex(
    "05ab7e717d4a163b7d9a1d8071dfe9dcf8cdcd1cea3339b6356be84d887e322c64"
)
ALICE_EPHEMERAL_PUBLIC = bytes.fromhex(
    "05edce9d9c415ca78cb7252e72c2c4a554d3eb29485a0e1d503118d1a82d99fb4a"
)
ALICE_SIGNATURE = bytes.fromhex(
    "5de88ca9a89b4a115da79109c67c9c7464a3e4180274f1cb8c63c2984e286dfb"
    "ede82deb9dcd9fae0bfbb821569b3d9001bd8130cd11d486cef047bd60b86e88"
)

# libsignal-protocol-c src/curve25519/ed25519/tests/internal_fast_tests.c, curvesigs_fast_test:
# private key all zeros except byte 8 = 189 (then clamped), message 200 zero bytes, random 64
# zero bytes; the deterministic output of curve25519_sign.
CURVESIGS_SIGNATURE = bytes.fromhex(
    "cf873d0379ac20e8893e5567ee0f8951f8db840d26b243b463526689d01ca718"
    "ac189fb1678574ebdde569330659448b0bd6c1973f7d780ab39518626803d782"
)


@pytest.fixture(scope="module")
def alice() -> KeyPair:
    return KeyPair.from_private(ALICE_IDENTITY_PRIVATE)


def test_libsignal_vector_public_key(alice: KeyPair) -> None:
    assert alice.serialized_public == ALICE_IDENTITY_PUBLIC


def test_libsignal_vector_verifies() -> None:
    assert verify(ALICE_IDENTITY_PUBLIC, ALICE_EPHEMERAL_PUBLIC, ALICE_SIGNATURE)


def test_libsignal_vector_verifies_with_raw_32_byte_key() -> None:
    assert verify(ALICE_IDENTITY_PUBLIC[1:], ALICE_EPHEMERAL_PUBLIC, ALICE_SIGNATURE)


def test_libsignal_deterministic_signing_vector() -> None:
    private = bytearray(32)
    private[8] = 189
    key = KeyPair.from_private(bytes(private))
    signature = sign(key.private, bytes(200), bytes(64))
    assert signature == CURVESIGS_SIGNATURE
    assert verify(key.public, bytes(200), signature)


@pytest.mark.parametrize("bit", range(512))
def test_every_single_bit_flip_of_the_signature_is_rejected(bit: int) -> None:
    tampered = bytearray(ALICE_SIGNATURE)
    tampered[bit // 8] ^= 1 << (bit % 8)
    assert not verify(ALICE_IDENTITY_PUBLIC, ALICE_EPHEMERAL_PUBLIC, bytes(tampered))


def test_wrong_message_is_rejected() -> None:
    assert not verify(ALICE_IDENTITY_PUBLIC, ALICE_EPHEMERAL_PUBLIC[:-1], ALICE_SIGNATURE)


def test_wrong_key_is_rejected() -> None:
    other = KeyPair.from_private(bytes(range(32)))
    assert not verify(other.public, ALICE_EPHEMERAL_PUBLIC, ALICE_SIGNATURE)


@settings(max_examples=50, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), message=st.binary(max_size=300))
def test_sign_verify_round_trip(seed: bytes, message: bytes) -> None:
    key = KeyPair.from_private(seed)
    signature = sign(key.private, message, os.urandom(64))
    assert len(signature) == 64
    assert verify(key.public, message, signature)
    assert verify(key.serialized_public, message, signature)


@settings(max_examples=50, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), message=st.binary(max_size=100))
def test_unclamped_private_key_signs_as_its_clamped_form(seed: bytes, message: bytes) -> None:
    unclamped = bytes([seed[0] | 7]) + seed[1:31] + bytes([seed[31] | 0x80])
    random = os.urandom(64)
    signature = sign(unclamped, message, random)
    assert signature == sign(clamp_private_key(unclamped), message, random)
    assert verify(KeyPair.from_private(unclamped).public, message, signature)


@settings(max_examples=50, deadline=None)
@given(message=st.binary(max_size=100), other=st.binary(max_size=100))
def test_signature_does_not_verify_another_message(message: bytes, other: bytes) -> None:
    key = KeyPair.from_private(bytes(range(1, 33)))
    signature = sign(key.private, message, bytes(64))
    assert verify(key.public, other, signature) == (other == message)


def test_sign_bit_is_carried_in_the_top_bit_of_byte_63() -> None:
    # Among a few keys both Edwards signs occur; each must survive the round trip.
    bits = set()
    for n in range(16):
        key = KeyPair.from_private(bytes([n + 1]) * 32)
        signature = sign(key.private, b"m", bytes(64))
        bits.add(signature[63] >> 7)
        assert verify(key.public, b"m", signature)
    assert bits == {0, 1}


@pytest.mark.parametrize(
    "public_key",
    [
        b"",
        bytes(31),
        bytes(34),
        b"\x06" + ALICE_IDENTITY_PUBLIC[1:],
        (2**255 - 19).to_bytes(32, "little"),  # u == p is not canonical
        b"\xff" * 32,  # u >= p, top bit set
    ],
)
def test_malformed_public_keys_are_rejected_without_raising(public_key: bytes) -> None:
    assert not verify(public_key, ALICE_EPHEMERAL_PUBLIC, ALICE_SIGNATURE)


@pytest.mark.parametrize("signature", [b"", bytes(63), bytes(65), bytes(64), b"\xff" * 64])
def test_malformed_signatures_are_rejected_without_raising(signature: bytes) -> None:
    assert not verify(ALICE_IDENTITY_PUBLIC, ALICE_EPHEMERAL_PUBLIC, signature)


@settings(max_examples=100, deadline=None)
@given(
    public_key=st.binary(min_size=32, max_size=33),
    message=st.binary(max_size=40),
    signature=st.binary(min_size=64, max_size=64),
)
def test_verify_never_raises(public_key: bytes, message: bytes, signature: bytes) -> None:
    assert verify(public_key, message, signature) in (True, False)


def test_sign_rejects_wrong_random_length() -> None:
    with pytest.raises(ValueError):
        sign(ALICE_IDENTITY_PRIVATE, b"m", bytes(32))


_P = 2**255 - 19


@given(st.integers(0, _P - 1))
@example(0)
@example(1)
@example(_P - 2)
@example(_P - 1)
def test_edwards_y_equals_the_fermat_inverse_form(u: int) -> None:
    from botkit.core.signal.xeddsa import _edwards_y

    expected = (u - 1) * pow(u + 1, _P - 2, _P) % _P
    assert _edwards_y(u.to_bytes(32, "little")) == expected.to_bytes(32, "little")
