"""The double ratchet's key schedule: root, chain and message keys (PROTOCOL.md §8.2-8.3).

* Initial keys: ``HKDF(master, salt=None, info="WhisperText", 64)`` -> root key || chain key.
* DH ratchet step: ``HKDF(DH(ours, theirs), salt=root, info="WhisperRatchet", 64)`` -> new root
  key || new chain key.
* Symmetric step: a chain key ``CK`` yields the message-key seed ``HMAC(CK, 0x01)`` and the next
  chain key ``HMAC(CK, 0x02)``; a seed expands with ``HKDF(seed, salt=None,
  info="WhisperMessageKeys", 80)`` into cipher key (32), MAC key (32) and IV (16).

A :class:`ReceiverChain` also keeps the seeds of message keys it skipped over, so messages that
arrive out of order still decrypt: at most :data:`MAX_FUTURE_MESSAGES` ahead of the chain and at
most :data:`MAX_SKIPPED_KEYS` stored (the oldest are dropped first). Everything is immutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from botkit.core.signal.keys import dh
from botkit.core.signal.primitives import UnsaltedHkdf, chain_step, hkdf, hmac_sha256
from botkit.errors import DuplicateMessage, TooFarAhead

__all__ = [
    "MAX_FUTURE_MESSAGES",
    "MAX_SKIPPED_KEYS",
    "ChainKey",
    "MessageKeys",
    "ReceiverChain",
    "Skipped",
    "derive_initial_keys",
    "ratchet_root_key",
    "take_seed",
]

MAX_FUTURE_MESSAGES = 2000
MAX_SKIPPED_KEYS = 2000

_MESSAGE_SEED = b"\x01"
_NEXT_CHAIN_KEY = b"\x02"
_INFO_TEXT = b"WhisperText"
_INFO_RATCHET = b"WhisperRatchet"
_MESSAGE_KEYS = UnsaltedHkdf(b"WhisperMessageKeys", blocks=3)  # 80 of its 96 bytes are used


@dataclass(frozen=True, slots=True)
class ChainKey:
    """A chain key and the index of the message key it yields next."""

    key: bytes = field(repr=False)
    index: int

    def message_seed(self) -> bytes:
        """Return the seed of the message key at :attr:`index`."""
        return hmac_sha256(self.key, _MESSAGE_SEED)

    def next(self) -> ChainKey:
        """Return the chain key for ``index + 1``."""
        return ChainKey(hmac_sha256(self.key, _NEXT_CHAIN_KEY), self.index + 1)

    def step(self) -> tuple[bytes, ChainKey]:
        """Return ``(self.message_seed(), self.next())``, computed together (one key setup)."""
        seed, next_key = chain_step(self.key)
        return seed, ChainKey(next_key, self.index + 1)


class MessageKeys(NamedTuple):
    """The keys of one message: AES-256 key, HMAC-SHA256 key and CBC IV.

    A named tuple (cheaper to build than a frozen dataclass, once per message) whose repr hides
    the key bytes.
    """

    cipher_key: bytes
    mac_key: bytes
    iv: bytes

    def __repr__(self) -> str:
        return "MessageKeys(...)"

    @classmethod
    def from_seed(cls, seed: bytes) -> MessageKeys:
        """Return the message keys a chain's message-key ``seed`` expands to."""
        cipher_key, mac_key, iv = _MESSAGE_KEYS.derive(seed)
        return cls(cipher_key, mac_key, iv[:16])


def derive_initial_keys(master_secret: bytes) -> tuple[bytes, ChainKey]:
    """Return ``(root key, chain key at index 0)`` from an X3DH master secret."""
    material = hkdf(master_secret, salt=None, info=_INFO_TEXT, length=64)
    return material[:32], ChainKey(material[32:], 0)


def ratchet_root_key(
    root_key: bytes, their_ratchet_key: bytes, our_ratchet_private: bytes
) -> tuple[bytes, ChainKey]:
    """Return ``(new root key, new chain key at index 0)`` after one DH ratchet step.

    Raises:
        CryptoError: ``their_ratchet_key`` is a low-order point.
    """
    secret = dh(our_ratchet_private, their_ratchet_key)
    material = hkdf(secret, salt=root_key, info=_INFO_RATCHET, length=64)
    return material[:32], ChainKey(material[32:], 0)


@dataclass(frozen=True, slots=True)
class ReceiverChain:
    """The receiving chain for one of the peer's ratchet keys (raw 32 bytes).

    ``skipped`` holds ``(counter, seed)`` of message keys passed over, oldest first.
    """

    ratchet_key: bytes
    chain_key: ChainKey
    skipped: tuple[tuple[int, bytes], ...] = field(default=(), repr=False)

    def message_seed(self, counter: int) -> tuple[bytes, ReceiverChain]:
        """Return the message-key seed for ``counter`` and the chain without that key.

        Raises:
            DuplicateMessage: ``counter`` is behind the chain and its key is not stored (it was
                used already, or dropped as too old).
            TooFarAhead: ``counter`` is more than :data:`MAX_FUTURE_MESSAGES` ahead.
        """
        seed, chain_key, skipped = take_seed(self.chain_key, self.skipped, counter)
        return seed, ReceiverChain(self.ratchet_key, chain_key, skipped)


Skipped = tuple[tuple[int, bytes], ...]
"""Seeds of message keys a chain passed over, as ``(index, seed)`` pairs, oldest first."""


def take_seed(
    chain_key: ChainKey,
    skipped: Skipped,
    index: int,
    *,
    max_ahead: int = MAX_FUTURE_MESSAGES,
    max_skipped: int = MAX_SKIPPED_KEYS,
) -> tuple[bytes, ChainKey, Skipped]:
    """Return the message-key seed at ``index`` and the chain key and skipped seeds after it.

    The pairwise receiving chains and the sender-key chains (PROTOCOL.md §8.5) both use it: an
    ``index`` behind the chain takes its seed out of ``skipped``; one ahead steps the chain to
    it, storing the seeds passed over (at most ``max_skipped``, the oldest dropped first).

    Raises:
        DuplicateMessage: ``index`` is behind the chain and its key is not stored (it was used
            already, or dropped as too old).
        TooFarAhead: ``index`` is more than ``max_ahead`` ahead of the chain.
    """
    if index == chain_key.index:  # the common case: the next message, in order
        seed, chain_key = chain_key.step()
        return seed, chain_key, skipped
    if index < chain_key.index:
        for position, (skipped_index, seed) in enumerate(skipped):
            if skipped_index == index:
                return seed, chain_key, skipped[:position] + skipped[position + 1 :]
        raise DuplicateMessage(f"message key {index} was already used")
    if index - chain_key.index > max_ahead:
        raise TooFarAhead(
            f"message {index} is {index - chain_key.index} ahead of its chain (at most {max_ahead})"
        )
    passed: list[tuple[int, bytes]] = []
    while chain_key.index < index:
        passed_index = chain_key.index
        seed, chain_key = chain_key.step()
        passed.append((passed_index, seed))
    seed, chain_key = chain_key.step()
    return seed, chain_key, (*skipped, *passed)[-max_skipped:]
