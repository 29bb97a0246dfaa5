"""Identity material and pre-keys: registration id, signed pre-key, one-time pre-keys, bundles.

A device publishes its identity key, a signed pre-key (a Curve25519 key with a 24-bit id and an
XEdDSA signature by the identity key over its 33-byte ``0x05`` form) and a batch of one-time
pre-keys (24-bit ids, sequential, wrapping from :data:`MAX_PREKEY_ID` back to 1; 0 means "none"
on the wire). A peer's published keys arrive as a :class:`PreKeyBundle`.

Pre-key records serialize to botkit's own format: a format-version byte, then a protobuf from
``botkit/pb/signal_records.proto`` (see :mod:`botkit.core.signal.records`). Randomness is always
a parameter: ``rng(n)`` returns ``n`` random bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from botkit.core.signal.keys import KeyPair, serialize_public_key
from botkit.core.signal.records import dump_versioned, load_versioned
from botkit.core.signal.xeddsa import RANDOM_SIZE, sign, verify
from botkit.errors import DecodeError, InvalidSignature
from botkit.pb import signal_records_pb2 as pb

__all__ = [
    "MAX_PREKEY_ID",
    "MAX_REGISTRATION_ID",
    "PreKey",
    "PreKeyBundle",
    "Rng",
    "SignedPreKey",
    "generate_identity_key_pair",
    "generate_prekeys",
    "generate_registration_id",
    "generate_signed_prekey",
    "next_prekey_id",
]

MAX_PREKEY_ID = 0xFFFFFF
MAX_REGISTRATION_ID = 16380

Rng = Callable[[int], bytes]
"""A source of randomness: ``rng(n)`` returns ``n`` random bytes (``os.urandom`` in production)."""


def _check_id(key_id: int) -> None:
    if not 1 <= key_id <= MAX_PREKEY_ID:
        raise ValueError(f"a pre-key id is 1-{MAX_PREKEY_ID}, got {key_id}")


def _key_pair(private: bytes, public: bytes) -> KeyPair:
    if len(private) != 32 or len(public) != 32:
        raise DecodeError("a stored key pair is two 32-byte keys")
    return KeyPair(private=private, public=public)


@dataclass(frozen=True, slots=True)
class PreKey:
    """A one-time pre-key: its 24-bit id and key pair."""

    key_id: int
    key_pair: KeyPair

    def serialize(self) -> bytes:
        """Return the record in botkit's versioned byte format."""
        data = pb.PreKeyRecordData(
            id=self.key_id, private_key=self.key_pair.private, public_key=self.key_pair.public
        )
        return dump_versioned(data)

    @classmethod
    def deserialize(cls, data: bytes) -> PreKey:
        """Return the pre-key stored in ``data`` (any format version written so far).

        Raises:
            DecodeError: ``data`` is not a pre-key record.
        """
        proto = load_versioned(data, pb.PreKeyRecordData)
        return cls(proto.id, _key_pair(proto.private_key, proto.public_key))


@dataclass(frozen=True, slots=True)
class SignedPreKey:
    """A signed pre-key: 24-bit id, key pair and the identity's signature of its public key."""

    key_id: int
    key_pair: KeyPair
    signature: bytes

    def serialize(self) -> bytes:
        """Return the record in botkit's versioned byte format."""
        data = pb.SignedPreKeyRecordData(
            id=self.key_id,
            private_key=self.key_pair.private,
            public_key=self.key_pair.public,
            signature=self.signature,
        )
        return dump_versioned(data)

    @classmethod
    def deserialize(cls, data: bytes) -> SignedPreKey:
        """Return the signed pre-key stored in ``data`` (any format version written so far).

        Raises:
            DecodeError: ``data`` is not a signed pre-key record.
        """
        proto = load_versioned(data, pb.SignedPreKeyRecordData)
        if len(proto.signature) != 64:
            raise DecodeError("a stored signed pre-key has a 64-byte signature")
        return cls(proto.id, _key_pair(proto.private_key, proto.public_key), proto.signature)


@dataclass(frozen=True, slots=True)
class PreKeyBundle:
    """A peer device's published keys; public keys are raw 32-byte keys."""

    registration_id: int
    identity_key: bytes
    signed_prekey_id: int
    signed_prekey: bytes
    signed_prekey_signature: bytes
    prekey_id: int | None = None
    prekey: bytes | None = None

    def __post_init__(self) -> None:
        keys = (self.identity_key, self.signed_prekey, self.prekey or bytes(32))
        if any(len(key) != 32 for key in keys) or len(self.signed_prekey_signature) != 64:
            raise ValueError("a bundle holds raw 32-byte public keys and a 64-byte signature")
        if (self.prekey_id is None) != (self.prekey is None):
            raise ValueError("a bundle's one-time pre-key needs both its id and its key")

    @classmethod
    def of(
        cls,
        registration_id: int,
        identity: KeyPair,
        signed: SignedPreKey,
        prekey: PreKey | None = None,
    ) -> PreKeyBundle:
        """Return the bundle that publishes our own ``identity``, ``signed`` and ``prekey``."""
        return cls(
            registration_id=registration_id,
            identity_key=identity.public,
            signed_prekey_id=signed.key_id,
            signed_prekey=signed.key_pair.public,
            signed_prekey_signature=signed.signature,
            prekey_id=None if prekey is None else prekey.key_id,
            prekey=None if prekey is None else prekey.key_pair.public,
        )

    def verify_signature(self) -> None:
        """Check the identity key's signature over the signed pre-key.

        Raises:
            InvalidSignature: the signature does not verify.
        """
        message = serialize_public_key(self.signed_prekey)
        if not verify(self.identity_key, message, self.signed_prekey_signature):
            raise InvalidSignature("the bundle's signed pre-key signature does not verify")


def generate_identity_key_pair(rng: Rng) -> KeyPair:
    """Return a new identity key pair."""
    return KeyPair.generate(rng(32))


def generate_registration_id(rng: Rng) -> int:
    """Return a registration id in 1-16380, as libsignal draws them."""
    return int.from_bytes(rng(4), "big") % MAX_REGISTRATION_ID + 1


def generate_signed_prekey(identity: KeyPair, key_id: int, rng: Rng) -> SignedPreKey:
    """Return a new signed pre-key with id ``key_id``, signed by ``identity``.

    Raises:
        ValueError: ``key_id`` is not a 24-bit id in 1-16777215.
    """
    _check_id(key_id)
    key_pair = KeyPair.generate(rng(32))
    signature = sign(identity.private, key_pair.serialized_public, rng(RANDOM_SIZE))
    return SignedPreKey(key_id, key_pair, signature)


def next_prekey_id(key_id: int) -> int:
    """Return the id after ``key_id``: ids run 1..16777215 and then wrap to 1."""
    return key_id % MAX_PREKEY_ID + 1


def generate_prekeys(start_id: int, count: int, rng: Rng) -> tuple[PreKey, ...]:
    """Return ``count`` one-time pre-keys with sequential ids from ``start_id``, wrapping.

    Raises:
        ValueError: ``start_id`` is not a 24-bit id in 1-16777215, or ``count`` is negative.
    """
    _check_id(start_id)
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    keys = []
    key_id = start_id
    for _ in range(count):
        keys.append(PreKey(key_id, KeyPair.generate(rng(32))))
        key_id = next_prekey_id(key_id)
    return tuple(keys)
