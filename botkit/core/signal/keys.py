"""Curve25519 key pairs, X25519 agreement and the 33-byte ``0x05`` public-key form.

Private keys are 32 bytes and always stored clamped (PROTOCOL.md §2.1); public keys are the raw
32-byte Montgomery ``u`` coordinate. Signal protobufs carry public keys with a leading key-type
byte ``0x05`` (PROTOCOL.md §8.1); :func:`serialize_public_key` and :func:`parse_public_key`
convert between the two forms. Randomness is a parameter: :meth:`KeyPair.generate` takes the 32
random bytes, so this module never draws any itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from botkit.errors import CryptoError, DecodeError

__all__ = [
    "KEY_SIZE",
    "KEY_TYPE_DJB",
    "KeyPair",
    "clamp_private_key",
    "dh",
    "parse_public_key",
    "public_key_from_private",
    "serialize_public_key",
]

KEY_SIZE = 32
KEY_TYPE_DJB = 0x05


def clamp_private_key(private_key: bytes) -> bytes:
    """Return ``private_key`` clamped for Curve25519 (clear bits 0-2 and 255, set bit 254).

    Raises:
        ValueError: ``private_key`` is not 32 bytes.
    """
    if len(private_key) != KEY_SIZE:
        raise ValueError(f"a Curve25519 private key is 32 bytes, got {len(private_key)}")
    clamped = bytearray(private_key)
    clamped[0] &= 248
    clamped[31] &= 127
    clamped[31] |= 64
    return bytes(clamped)


def public_key_from_private(private_key: bytes) -> bytes:
    """Return the 32-byte X25519 public key of ``private_key`` (clamped as X25519 always does).

    Raises:
        ValueError: ``private_key`` is not 32 bytes.
    """
    if len(private_key) != KEY_SIZE:
        raise ValueError(f"a Curve25519 private key is 32 bytes, got {len(private_key)}")
    return X25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A Curve25519 key pair: a clamped 32-byte private key and its 32-byte public key."""

    private: bytes = field(repr=False)
    public: bytes

    @classmethod
    def from_private(cls, private_key: bytes) -> KeyPair:
        """Return the key pair of ``private_key``, which is clamped first.

        Raises:
            ValueError: ``private_key`` is not 32 bytes.
        """
        clamped = clamp_private_key(private_key)
        return cls(private=clamped, public=public_key_from_private(clamped))

    @classmethod
    def generate(cls, random_bytes: bytes) -> KeyPair:
        """Return a new key pair made from 32 caller-supplied random bytes.

        Raises:
            ValueError: ``random_bytes`` is not 32 bytes.
        """
        return cls.from_private(random_bytes)

    @property
    def serialized_public(self) -> bytes:
        """The public key in its 33-byte ``0x05``-prefixed form."""
        return serialize_public_key(self.public)


def dh(private_key: bytes, public_key: bytes) -> bytes:
    """Return the 32-byte X25519 shared secret of ``private_key`` and ``public_key``.

    Raises:
        CryptoError: the public key is not 32 bytes, or it is a low-order point (the result
            would be all zeros).
    """
    if len(private_key) != KEY_SIZE or len(public_key) != KEY_SIZE:
        raise CryptoError("X25519 keys are 32 bytes")
    try:
        return X25519PrivateKey.from_private_bytes(private_key).exchange(
            X25519PublicKey.from_public_bytes(public_key)
        )
    except ValueError as exc:
        raise CryptoError("X25519 agreement failed: low-order public key") from exc


def serialize_public_key(public_key: bytes) -> bytes:
    """Return the 33-byte form ``0x05 || public_key``.

    Raises:
        ValueError: ``public_key`` is not 32 bytes.
    """
    if len(public_key) != KEY_SIZE:
        raise ValueError(f"a Curve25519 public key is 32 bytes, got {len(public_key)}")
    return bytes([KEY_TYPE_DJB]) + public_key


def parse_public_key(data: bytes) -> bytes:
    """Return the raw 32-byte key from either the 33-byte ``0x05`` form or the raw 32-byte form.

    Raises:
        DecodeError: ``data`` is neither 32 bytes nor 33 bytes starting with ``0x05``.
    """
    if len(data) == KEY_SIZE:
        return bytes(data)
    if len(data) == KEY_SIZE + 1 and data[0] == KEY_TYPE_DJB:
        return bytes(data[1:])
    raise DecodeError(f"not a Curve25519 public key ({len(data)} bytes)")
