"""The symmetric primitives Signal uses, from ``cryptography`` (PROTOCOL.md §8.3, §8.5).

HKDF-SHA256, HMAC-SHA256 and AES-256-CBC with PKCS#7 padding, in one place so the pairwise
ratchet and the sender-key chain share them.
"""

from __future__ import annotations

import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from botkit.errors import InvalidMessage

__all__ = ["aes_cbc_decrypt", "aes_cbc_encrypt", "hkdf", "hmac_sha256"]

_BLOCK = 16


def hkdf(ikm: bytes, *, salt: bytes | None, info: bytes, length: int) -> bytes:
    """Return ``length`` bytes of HKDF-SHA256 (RFC 5869); ``salt=None`` means no salt."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def hmac_sha256(key: bytes, data: bytes) -> bytes:
    """Return the 32-byte HMAC-SHA256 of ``data`` under ``key``."""
    # hmac.digest is OpenSSL's one-shot HMAC: several times cheaper than an hmac.new object.
    return hmac.digest(key, data, "sha256")


def aes_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """Return AES-256-CBC of ``plaintext`` with PKCS#7 padding."""
    # PKCS#7 is plain byte framing (not a cryptographic primitive), done inline because the
    # padding context objects cost more than the encryption of a typical message.
    pad = _BLOCK - len(plaintext) % _BLOCK
    padded = plaintext + bytes((pad,)) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def aes_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """Return the plaintext of AES-256-CBC ``ciphertext`` with PKCS#7 padding removed.

    Raises:
        InvalidMessage: the ciphertext is not a whole number of blocks or its padding is bad.
    """
    if not ciphertext or len(ciphertext) % _BLOCK:
        raise InvalidMessage(f"ciphertext of {len(ciphertext)} bytes is not whole AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    pad = padded[-1]
    if not 1 <= pad <= _BLOCK or padded[-pad:] != bytes((pad,)) * pad:
        raise InvalidMessage("ciphertext has invalid PKCS#7 padding")
    return padded[:-pad]
