"""AES-256-GCM with the Noise nonce layout (PROTOCOL.md §2.2, §2.8).

The 12-byte IV is 8 zero bytes followed by a 32-bit big-endian counter. During the handshake the
AAD is the running hash ``h``; after it each direction has its own key and counter and the AAD is
empty. A counter is never allowed to wrap: reusing an IV under one key would break GCM.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from botkit.errors import LocalProtocolError, RemoteProtocolError

__all__ = ["MAX_COUNTER", "TAG_SIZE", "TransportCipher", "noise_iv"]

TAG_SIZE = 16
MAX_COUNTER = 0xFFFFFFFF


def noise_iv(counter: int) -> bytes:
    """Return the 12-byte IV for ``counter``: 8 zero bytes || counter as uint32 BE."""
    return counter.to_bytes(12, "big")


class TransportCipher:
    """One direction of the transport phase: an AES-256-GCM key and its frame counter.

    The counter starts at 0 and advances once per frame, including a frame that fails to decrypt
    (as whatsmeow and Baileys do), so the frames after a bad one still line up with the peer.
    """

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self._counter = 0

    @property
    def counter(self) -> int:
        """The counter the next frame will use."""
        return self._counter

    def encrypt(self, plaintext: bytes) -> bytes:
        """Return ``plaintext`` sealed under the next counter (ciphertext || 16-byte tag).

        Raises:
            LocalProtocolError: 2^32 frames were already sent with this key.
        """
        if self._counter > MAX_COUNTER:
            raise LocalProtocolError("transport write counter exhausted (2^32 frames)")
        iv = noise_iv(self._counter)
        self._counter += 1
        return self._aead.encrypt(iv, plaintext, None)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """Return the plaintext of ``ciphertext`` opened under the next counter.

        The counter advances whether or not the frame authenticates.

        Raises:
            RemoteProtocolError: the frame does not authenticate, or 2^32 frames were already
                received with this key.
        """
        if self._counter > MAX_COUNTER:
            raise RemoteProtocolError("transport read counter exhausted (2^32 frames)")
        iv = noise_iv(self._counter)
        self._counter += 1
        try:
            return self._aead.decrypt(iv, ciphertext, None)
        except InvalidTag as exc:
            raise RemoteProtocolError(
                f"frame {self._counter - 1} failed to decrypt (read counter advanced)"
            ) from exc
