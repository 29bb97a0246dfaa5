"""Identity material, signed and one-time pre-keys, bundles and pre-key records."""

from __future__ import annotations

import random

import pytest

from botkit.core.signal.prekeys import (
    MAX_PREKEY_ID,
    MAX_REGISTRATION_ID,
    PreKey,
    PreKeyBundle,
    SignedPreKey,
    generate_identity_key_pair,
    generate_prekeys,
    generate_registration_id,
    generate_signed_prekey,
    next_prekey_id,
)
from botkit.core.signal.records import FORMAT_VERSION
from botkit.core.signal.xeddsa import verify
from botkit.errors import DecodeError, InvalidSignature


@pytest.fixture
def rng() -> random.Random:
    return random.Random(7)


def test_registration_ids_are_in_libsignal_range(rng: random.Random) -> None:
    ids = {generate_registration_id(rng.randbytes) for _ in range(2000)}
    assert min(ids) >= 1
    assert max(ids) <= MAX_REGISTRATION_ID


def test_signed_prekey_signs_the_33_byte_key(rng: random.Random) -> None:
    identity = generate_identity_key_pair(rng.randbytes)
    signed = generate_signed_prekey(identity, 1, rng.randbytes)
    assert verify(identity.public, signed.key_pair.serialized_public, signed.signature)
    assert not verify(identity.public, signed.key_pair.public, signed.signature)


def test_prekey_ids_wrap_past_24_bits(rng: random.Random) -> None:
    keys = generate_prekeys(MAX_PREKEY_ID - 1, 4, rng.randbytes)
    assert [k.key_id for k in keys] == [MAX_PREKEY_ID - 1, MAX_PREKEY_ID, 1, 2]
    assert next_prekey_id(MAX_PREKEY_ID) == 1
    assert len({k.key_pair.public for k in keys}) == 4


@pytest.mark.parametrize("key_id", [0, MAX_PREKEY_ID + 1, -1])
def test_ids_outside_24_bits_are_refused(rng: random.Random, key_id: int) -> None:
    with pytest.raises(ValueError):
        generate_prekeys(key_id, 1, rng.randbytes)
    with pytest.raises(ValueError):
        generate_signed_prekey(generate_identity_key_pair(rng.randbytes), key_id, rng.randbytes)


def test_prekey_records_round_trip(rng: random.Random) -> None:
    [prekey] = generate_prekeys(42, 1, rng.randbytes)
    blob = prekey.serialize()
    assert blob[0] == FORMAT_VERSION
    assert PreKey.deserialize(blob) == prekey
    signed = generate_signed_prekey(generate_identity_key_pair(rng.randbytes), 9, rng.randbytes)
    assert SignedPreKey.deserialize(signed.serialize()) == signed


@pytest.mark.parametrize("blob", [b"", b"\x00abc", b"\x09", b"\x01\xff\xff", b"\x01"])
def test_bad_prekey_records_raise_decode_error(blob: bytes) -> None:
    with pytest.raises(DecodeError):
        PreKey.deserialize(blob)
    with pytest.raises(DecodeError):
        SignedPreKey.deserialize(blob)


def test_private_keys_stay_out_of_repr(rng: random.Random) -> None:
    [prekey] = generate_prekeys(1, 1, rng.randbytes)
    assert prekey.key_pair.private.hex() not in repr(prekey)
    assert repr(prekey.key_pair.private) not in repr(prekey)


def _bundle(rng: random.Random) -> PreKeyBundle:
    identity = generate_identity_key_pair(rng.randbytes)
    signed = generate_signed_prekey(identity, 3, rng.randbytes)
    return PreKeyBundle(5, identity.public, 3, signed.key_pair.public, signed.signature)


def test_bundle_signature_is_verified(rng: random.Random) -> None:
    bundle = _bundle(rng)
    bundle.verify_signature()
    forged = PreKeyBundle(5, bundle.identity_key, 3, b"\x09" * 32, bundle.signed_prekey_signature)
    with pytest.raises(InvalidSignature):
        forged.verify_signature()


def test_bundle_shape_is_checked(rng: random.Random) -> None:
    bundle = _bundle(rng)
    with pytest.raises(ValueError):
        PreKeyBundle(5, b"\x05" + bundle.identity_key, 3, bundle.signed_prekey, bytes(64))
    with pytest.raises(ValueError):
        PreKeyBundle(5, bundle.identity_key, 3, bundle.signed_prekey, bytes(64), prekey_id=4)


def test_bundle_of_our_keys_publishes_their_public_halves() -> None:
    draw = random.Random(7).randbytes
    identity = generate_identity_key_pair(draw)
    signed = generate_signed_prekey(identity, 3, draw)
    (prekey,) = generate_prekeys(9, 1, draw)
    bundle = PreKeyBundle.of(42, identity, signed, prekey)
    assert (bundle.registration_id, bundle.identity_key) == (42, identity.public)
    assert (bundle.signed_prekey_id, bundle.signed_prekey) == (3, signed.key_pair.public)
    assert (bundle.prekey_id, bundle.prekey) == (9, prekey.key_pair.public)
    bundle.verify_signature()
    assert PreKeyBundle.of(42, identity, signed).prekey_id is None
