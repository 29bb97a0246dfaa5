"""X3DH key agreement as libsignal (version 3) runs it (PROTOCOL.md §8.2).

The master secret is ``0xFF*32 || DH1 || DH2 || DH3 [|| DH4]`` with, for initiator A and
responder B, ``DH1 = DH(IK_A, SPK_B)``, ``DH2 = DH(EK_A, IK_B)``, ``DH3 = DH(EK_A, SPK_B)`` and,
only when a one-time pre-key was used, ``DH4 = DH(EK_A, OPK_B)``. Both sides then derive the
same root key and first chain key from it (:func:`~botkit.core.signal.ratchet.derive_initial_keys`).
"""

from __future__ import annotations

from botkit.core.signal.keys import KeyPair, dh
from botkit.core.signal.ratchet import ChainKey, derive_initial_keys

__all__ = ["initiator_keys", "responder_keys"]

_DISCONTINUITY = b"\xff" * 32


def initiator_keys(
    *,
    our_identity: KeyPair,
    our_base_key: KeyPair,
    their_identity: bytes,
    their_signed_prekey: bytes,
    their_one_time_prekey: bytes | None,
) -> tuple[bytes, ChainKey]:
    """Return ``(root key, chain key)`` for the side that processed the pre-key bundle.

    Public keys are raw 32-byte keys.

    Raises:
        CryptoError: a public key is a low-order point.
    """
    secret = (
        _DISCONTINUITY
        + dh(our_identity.private, their_signed_prekey)
        + dh(our_base_key.private, their_identity)
        + dh(our_base_key.private, their_signed_prekey)
    )
    if their_one_time_prekey is not None:
        secret += dh(our_base_key.private, their_one_time_prekey)
    return derive_initial_keys(secret)


def responder_keys(
    *,
    our_identity: KeyPair,
    our_signed_prekey: KeyPair,
    our_one_time_prekey: KeyPair | None,
    their_identity: bytes,
    their_base_key: bytes,
) -> tuple[bytes, ChainKey]:
    """Return ``(root key, chain key)`` for the side that received the pre-key message.

    Public keys are raw 32-byte keys.

    Raises:
        CryptoError: a public key is a low-order point.
    """
    secret = (
        _DISCONTINUITY
        + dh(our_signed_prekey.private, their_identity)
        + dh(our_identity.private, their_base_key)
        + dh(our_signed_prekey.private, their_base_key)
    )
    if our_one_time_prekey is not None:
        secret += dh(our_one_time_prekey.private, their_base_key)
    return derive_initial_keys(secret)
