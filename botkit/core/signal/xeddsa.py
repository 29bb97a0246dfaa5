"""XEdDSA signatures with Curve25519 keys, in libsignal's form (PROTOCOL.md §8.1, Appendix C).

Signing turns the (clamped) Curve25519 private scalar ``a`` into the Ed25519 key ``A = aB`` and
makes an Ed25519 signature with it, except that the nonce is
``SHA-512(0xFE || 0xFF*31 || a || message || random64)``. ``A`` is not negated to an even key as
the XEdDSA paper does; instead its sign bit is stored in the top bit of ``sig[63]`` (always free,
since ``S < 2^253``). Verification rebuilds the Edwards ``y = (u - 1) / (u + 1) mod p`` from the
Montgomery public key, takes the sign bit from ``sig[63]``, clears it, and runs a standard
Ed25519 verification (libsodium, which also rejects non-canonical ``S`` and small-order keys).

The group arithmetic comes from libsodium through PyNaCl; nothing here is hand-rolled except the
public-key coordinate change, which only touches public data.
"""

from __future__ import annotations

import hashlib

from nacl.bindings import (
    crypto_core_ed25519_scalar_add,
    crypto_core_ed25519_scalar_mul,
    crypto_core_ed25519_scalar_reduce,
    crypto_scalarmult_ed25519_base_noclamp,
    crypto_sign_open,
)
from nacl.exceptions import BadSignatureError

from botkit.core.signal.keys import KEY_SIZE, KEY_TYPE_DJB, clamp_private_key

__all__ = ["RANDOM_SIZE", "SIGNATURE_SIZE", "sign", "verify"]

SIGNATURE_SIZE = 64
RANDOM_SIZE = 64

_P = 2**255 - 19
_NONCE_PREFIX = b"\xfe" + b"\xff" * 31


def _reduce(wide: bytes) -> bytes:
    """Return ``wide`` (at most 64 bytes, little-endian) reduced modulo the group order."""
    return bytes(crypto_core_ed25519_scalar_reduce(wide.ljust(64, b"\x00")))


def sign(private_key: bytes, message: bytes, random: bytes) -> bytes:
    """Return the 64-byte XEdDSA signature of ``message`` by the Curve25519 ``private_key``.

    ``private_key`` is clamped first, so an unclamped key signs as its clamped form (the key
    X25519 actually uses). ``random`` is 64 bytes of fresh randomness from the caller.

    Raises:
        ValueError: ``private_key`` is not 32 bytes or ``random`` is not 64 bytes.
    """
    if len(random) != RANDOM_SIZE:
        raise ValueError(f"XEdDSA signing needs 64 random bytes, got {len(random)}")
    a = clamp_private_key(private_key)
    ed_public = bytes(crypto_scalarmult_ed25519_base_noclamp(a))
    sign_bit = ed_public[31] & 0x80

    r = _reduce(hashlib.sha512(_NONCE_PREFIX + a + message + random).digest())
    big_r = bytes(crypto_scalarmult_ed25519_base_noclamp(r))
    h = _reduce(hashlib.sha512(big_r + ed_public + message).digest())
    s = bytes(crypto_core_ed25519_scalar_add(crypto_core_ed25519_scalar_mul(h, _reduce(a)), r))
    return big_r + s[:31] + bytes([s[31] | sign_bit])


def _edwards_y(u_bytes: bytes) -> bytes | None:
    """Return the encoded Edwards ``y`` for Montgomery ``u``, or None if ``u`` is not canonical."""
    u = int.from_bytes(u_bytes, "little")
    if u >= _P:
        return None
    if u == _P - 1:  # u + 1 = 0 has no inverse; the Fermat form 0^(p-2) made y = 0
        return bytes(32)
    # pow(x, -1, p) is the extended Euclidean inverse: ~8x faster than x^(p-2) in Python ints.
    y = (u - 1) * pow(u + 1, -1, _P) % _P
    return y.to_bytes(32, "little")


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Return True if ``signature`` is a valid XEdDSA signature of ``message`` by ``public_key``.

    ``public_key`` is the 32-byte Montgomery key or its 33-byte ``0x05`` form. Malformed input
    (wrong lengths, ``u >= p``, non-canonical ``S``, small-order keys) gives False; this function
    never raises for any input bytes.
    """
    if len(public_key) == KEY_SIZE + 1 and public_key[0] == KEY_TYPE_DJB:
        public_key = public_key[1:]
    if len(public_key) != KEY_SIZE or len(signature) != SIGNATURE_SIZE:
        return False
    y = _edwards_y(bytes(public_key))
    if y is None:
        return False
    ed_public = y[:31] + bytes([y[31] | (signature[63] & 0x80)])
    ed_signature = signature[:63] + bytes([signature[63] & 0x7F])
    try:
        crypto_sign_open(ed_signature + message, ed_public)
    except (BadSignatureError, ValueError):
        return False
    return True
