"""X3DH against libsignal's published RatchetingSessionTest vectors (Java and Rust suites)."""

from __future__ import annotations

from botkit.core.signal.keys import KeyPair, parse_public_key
from botkit.core.signal.x3dh import initiator_keys, responder_keys

BOB_IDENTITY_PRIVATE = "4875cc69ddf8ea0719ec947d61081135868d5fd801f02c0225e516df2156605e"
BOB_IDENTITY_PUBLIC = "05f1f43874f6966956c2dd473f8fa15adeb71d1cb991b2341692324cefb1c5e626"
BOB_SIGNED_PREKEY_PRIVATE = "583900131fb727998b7803fe6ac22cc591f342e4e42a8c8d5d78194209b8d253"
BOB_SIGNED_PREKEY_PUBLIC = "05ac248a8f263be6863576eb0362e28c828f0107a3379d34bab1586bf8c770cd67"
ALICE_IDENTITY_PRIVATE = "9040f0d4e09cf38f6dc7c13779c908c015a1da4fa78737a080eb0a6f4f5f8f58"
ALICE_IDENTITY_PUBLIC = "05b4a8455660ada65b401007f615e654041746432e3339c6875149bceefcb42b4a"
ALICE_BASE_PRIVATE = "10ae7c64d1e61cd596b76a0db5012673391cae66edbfcf073b4da80516a47449"
ALICE_BASE_PUBLIC = "05e2c05860f2ac6b2b57ba564b421ffe71e4b128c591e46e0491cc9b33dbf22a27"
CHAIN_KEY = "ab9be50e5cb22a925446ab90ee5670545f4fd32902459ec274b6ad0ae5d6031a"
# The Rust suite's Bob test uses another Alice base key.
RUST_ALICE_BASE_PUBLIC = "05472d1fb1a9862c3af6beaca8920277e2b26f4a79213ec7c906aeb35e03cf8950"
RUST_CHAIN_KEY = "9797caca53c989bbe229a40ca7727010eb2604fc14945d77958a0aeda088b44d"


def _pair(private_hex: str) -> KeyPair:
    return KeyPair.from_private(bytes.fromhex(private_hex))


def _public(public_hex: str) -> bytes:
    return parse_public_key(bytes.fromhex(public_hex))


def test_vector_private_keys_match_their_public_keys() -> None:
    for private, public in [
        (BOB_IDENTITY_PRIVATE, BOB_IDENTITY_PUBLIC),
        (BOB_SIGNED_PREKEY_PRIVATE, BOB_SIGNED_PREKEY_PUBLIC),
        (ALICE_IDENTITY_PRIVATE, ALICE_IDENTITY_PUBLIC),
        (ALICE_BASE_PRIVATE, ALICE_BASE_PUBLIC),
    ]:
        assert _pair(private).serialized_public.hex() == public


def _bob_chain_key(alice_base_public: str) -> str:
    _, chain_key = responder_keys(
        our_identity=_pair(BOB_IDENTITY_PRIVATE),
        our_signed_prekey=_pair(BOB_SIGNED_PREKEY_PRIVATE),
        our_one_time_prekey=None,
        their_identity=_public(ALICE_IDENTITY_PUBLIC),
        their_base_key=_public(alice_base_public),
    )
    assert chain_key.index == 0
    return chain_key.key.hex()


def test_responder_matches_java_ratcheting_session_as_bob() -> None:
    assert _bob_chain_key(ALICE_BASE_PUBLIC) == CHAIN_KEY


def test_responder_matches_rust_ratcheting_session_as_bob() -> None:
    assert _bob_chain_key(RUST_ALICE_BASE_PUBLIC) == RUST_CHAIN_KEY


def test_initiator_matches_java_ratcheting_session_as_alice() -> None:
    _, chain_key = initiator_keys(
        our_identity=_pair(ALICE_IDENTITY_PRIVATE),
        our_base_key=_pair(ALICE_BASE_PRIVATE),
        their_identity=_public(BOB_IDENTITY_PUBLIC),
        their_signed_prekey=_public(BOB_SIGNED_PREKEY_PUBLIC),
        their_one_time_prekey=None,
    )
    assert chain_key.key.hex() == CHAIN_KEY


def test_both_sides_agree_with_a_one_time_prekey() -> None:
    one_time = _pair("11" * 32)
    alice = initiator_keys(
        our_identity=_pair(ALICE_IDENTITY_PRIVATE),
        our_base_key=_pair(ALICE_BASE_PRIVATE),
        their_identity=_public(BOB_IDENTITY_PUBLIC),
        their_signed_prekey=_public(BOB_SIGNED_PREKEY_PUBLIC),
        their_one_time_prekey=one_time.public,
    )
    bob = responder_keys(
        our_identity=_pair(BOB_IDENTITY_PRIVATE),
        our_signed_prekey=_pair(BOB_SIGNED_PREKEY_PRIVATE),
        our_one_time_prekey=one_time,
        their_identity=_public(ALICE_IDENTITY_PUBLIC),
        their_base_key=_public(ALICE_BASE_PUBLIC),
    )
    assert alice == bob
    assert alice[1].key.hex() != CHAIN_KEY
