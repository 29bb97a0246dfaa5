"""The symmetric primitives Signal uses (PROTOCOL.md §8.3, §8.5).

HMAC-SHA256, HKDF-SHA256, the chain-key step and AES-256-CBC with PKCS#7 padding, in one place
so the pairwise ratchet and the sender-key chain share them.

They sit on the hot path of every message, so they are built for per-call cost: each side of an
established 1:1 message takes three HMACs (two for the chain step, one for the MAC), an 80-byte
HKDF and one AES-CBC operation, on 32-byte keys and inputs of a few blocks, where fixed
per-call overhead costs more than the hashing itself.

* HMAC is RFC 2104 over ``hashlib.sha256``: ``H((K ^ opad) || H((K ^ ipad) || data))``, the padded
  keys built with ``bytes.translate``. OpenSSL's one-shot HMAC (``hmac.digest``) costs about
  twice as much per call in OpenSSL 3, which looks its algorithm up again on every call.
* HKDF (RFC 5869) is written over that HMAC, so its PRK's padded keys are built once for all
  output blocks (``cryptography``'s HKDF object costs more than the hashing for 80 bytes).
  :class:`UnsaltedHkdf` is its per-message form (no salt, one fixed info): the zero-key HMAC
  states and the ``info || i`` suffixes are prepared once, and it returns the 32-byte output
  blocks that the message keys are cut from.
* AES-CBC contexts are created directly through ``cryptography``'s Rust binding when it is
  there, skipping the ``Cipher`` wrapper's Python-side type checks (its ``AES`` and ``CBC``
  objects still check the key and IV); otherwise through the public ``Cipher`` API.

Tests compare each against the standard implementations (``hmac``, ``cryptography``'s HKDF and
``Cipher``) on random inputs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes

from botkit.errors import InvalidMessage

__all__ = [
    "UnsaltedHkdf",
    "aes_cbc_decrypt",
    "aes_cbc_encrypt",
    "chain_step",
    "hkdf",
    "hmac_sha256",
]

_BLOCK = 16
_HASH_SIZE = 32
_HASH_BLOCK = 64
_sha256 = hashlib.sha256
# XOR tables for bytes.translate: every key byte XOR ipad (0x36) / opad (0x5c).
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))
# A key shorter than the hash block is zero-filled, and 0 XOR pad is the pad byte.
_IPAD_FILL = b"\x36" * _HASH_BLOCK
_OPAD_FILL = b"\x5c" * _HASH_BLOCK
_COUNTERS = [bytes((i,)) for i in range(256)]
# The HMAC states of a zero (absent) salt with its padded block already hashed.
_ZERO_KEY_INNER = _sha256(_IPAD_FILL)
_ZERO_KEY_OUTER = _sha256(_OPAD_FILL)
_MESSAGE_SEED = b"\x01"
_NEXT_CHAIN_KEY = b"\x02"


def _padded_keys(key: bytes) -> tuple[bytes, bytes]:
    """Return HMAC-SHA256's inner and outer block keys ``K ^ ipad`` and ``K ^ opad``."""
    if len(key) > _HASH_BLOCK:
        key = _sha256(key).digest()
    fill = _HASH_BLOCK - len(key)
    return key.translate(_IPAD) + _IPAD_FILL[:fill], key.translate(_OPAD) + _OPAD_FILL[:fill]


def hmac_sha256(key: bytes, data: bytes) -> bytes:
    """Return the 32-byte HMAC-SHA256 of ``data`` under ``key``."""
    inner, outer = _padded_keys(key)
    return _sha256(outer + _sha256(inner + data).digest()).digest()


def chain_step(chain_key: bytes) -> tuple[bytes, bytes]:
    """Return ``(HMAC(chain_key, 0x01), HMAC(chain_key, 0x02))``: a symmetric chain step.

    The first is the message-key seed at this chain key, the second the next chain key; the
    pairwise ratchet and the sender-key chain step alike (PROTOCOL.md §8.3, §8.5).
    """
    inner, outer = _padded_keys(chain_key)
    return (
        _sha256(outer + _sha256(inner + _MESSAGE_SEED).digest()).digest(),
        _sha256(outer + _sha256(inner + _NEXT_CHAIN_KEY).digest()).digest(),
    )


def hkdf(ikm: bytes, *, salt: bytes | None, info: bytes, length: int) -> bytes:
    """Return ``length`` bytes of HKDF-SHA256 (RFC 5869); ``salt=None`` means no salt.

    Raises:
        ValueError: ``length`` is not between 1 and 8,160 (255 hash blocks).
    """
    if not 0 < length <= 255 * _HASH_SIZE:
        raise ValueError(f"HKDF-SHA256 yields 1 to {255 * _HASH_SIZE} bytes, not {length}")
    # Extract. No salt means a hash-length zero key, which HMAC pads exactly like an empty one.
    inner, outer = _padded_keys(salt or b"")
    prk = _sha256(outer + _sha256(inner + ikm).digest()).digest()
    # Expand: T(1) = HMAC(PRK, info || 1), T(i) = HMAC(PRK, T(i-1) || info || i).
    inner, outer = _padded_keys(prk)
    okm = block = b""
    for counter in _COUNTERS[1 : -(-length // _HASH_SIZE) + 1]:
        block = _sha256(outer + _sha256(inner + block + info + counter).digest()).digest()
        okm += block
    return okm[:length]


class UnsaltedHkdf:
    """HKDF-SHA256 without salt for one fixed ``info``, yielding ``blocks`` 32-byte blocks.

    :meth:`derive` returns the output blocks ``T(1) .. T(blocks)``, whose concatenation is
    ``hkdf(ikm, salt=None, info=info, length=32 * blocks)``; callers split keys out of them.
    It is :func:`hkdf` specialised for the per-message key derivations: the zero-key HMAC
    states of the extract step are hashed once here, and so is each ``info || i`` suffix.
    """

    __slots__ = ("_suffixes",)

    def __init__(self, info: bytes, blocks: int) -> None:
        """Raises ValueError unless ``blocks`` is between 1 and 255."""
        if not 0 < blocks <= 255:
            raise ValueError(f"HKDF-SHA256 yields 1 to 255 blocks, not {blocks}")
        self._suffixes = tuple(info + counter for counter in _COUNTERS[1 : blocks + 1])

    def derive(self, ikm: bytes) -> list[bytes]:
        """Return the output blocks for the input key material ``ikm``."""
        state = _ZERO_KEY_INNER.copy()
        state.update(ikm)
        outer_state = _ZERO_KEY_OUTER.copy()
        outer_state.update(state.digest())
        prk = outer_state.digest()
        inner = _sha256(prk.translate(_IPAD) + _IPAD_FILL[_HASH_SIZE:])
        outer = _sha256(prk.translate(_OPAD) + _OPAD_FILL[_HASH_SIZE:])
        block = b""
        blocks = []
        for suffix in self._suffixes:
            state = inner.copy()
            state.update(block + suffix)
            outer_state = outer.copy()
            outer_state.update(state.digest())
            block = outer_state.digest()
            blocks.append(block)
        return blocks


def _public_encryptor(algorithm: algorithms.AES, mode: modes.CBC) -> CipherContext:
    return Cipher(algorithm, mode).encryptor()


def _public_decryptor(algorithm: algorithms.AES, mode: modes.CBC) -> CipherContext:
    return Cipher(algorithm, mode).decryptor()


def _context_factories() -> tuple[
    Callable[[algorithms.AES, modes.CBC], CipherContext],
    Callable[[algorithms.AES, modes.CBC], CipherContext],
]:
    """Return the (encryptor, decryptor) context factories: the Rust binding's, if present."""
    try:
        from cryptography.hazmat.bindings._rust import openssl as rust_openssl

        ciphers = rust_openssl.ciphers
        return ciphers.create_encryption_ctx, ciphers.create_decryption_ctx
    except (ImportError, AttributeError):  # pragma: no cover - depends on cryptography's layout
        return _public_encryptor, _public_decryptor


_new_encryptor, _new_decryptor = _context_factories()


def aes_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """Return AES-256-CBC of ``plaintext`` with PKCS#7 padding.

    Raises:
        ValueError: ``key`` is not an AES key size or ``iv`` is not 16 bytes.
    """
    if len(iv) != _BLOCK:  # the Cipher wrapper's check; AES() checks the key itself
        raise ValueError(f"an AES-CBC IV is {_BLOCK} bytes, got {len(iv)}")
    # PKCS#7 is plain byte framing (not a cryptographic primitive), done inline because the
    # padding context objects cost more than the encryption of a typical message. The input is
    # whole blocks, so update() returns all of the ciphertext and finalize() would add nothing.
    pad = _BLOCK - len(plaintext) % _BLOCK
    encryptor = _new_encryptor(algorithms.AES(key), modes.CBC(iv))
    return encryptor.update(plaintext + _COUNTERS[pad] * pad)


def aes_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """Return the plaintext of AES-256-CBC ``ciphertext`` with PKCS#7 padding removed.

    Raises:
        InvalidMessage: the ciphertext is not a whole number of blocks or its padding is bad.
        ValueError: ``key`` is not an AES key size or ``iv`` is not 16 bytes.
    """
    if not ciphertext or len(ciphertext) % _BLOCK:
        raise InvalidMessage(f"ciphertext of {len(ciphertext)} bytes is not whole AES blocks")
    if len(iv) != _BLOCK:
        raise ValueError(f"an AES-CBC IV is {_BLOCK} bytes, got {len(iv)}")
    # Whole blocks and no padding mode in the context: update() returns every block.
    padded = _new_decryptor(algorithms.AES(key), modes.CBC(iv)).update(ciphertext)
    pad = padded[-1]
    if not 1 <= pad <= _BLOCK or padded[-pad:] != _COUNTERS[pad] * pad:
        raise InvalidMessage("ciphertext has invalid PKCS#7 padding")
    return padded[:-pad]
