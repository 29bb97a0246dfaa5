"""The cryptography of pairing with a phone-number code (PROTOCOL.md §6.4), for both sides.

The companion shows an 8-character code and wraps its ephemeral key with a key derived from that
code (PBKDF2, then AES-CTR); the phone, told the code by its user, wraps its own ephemeral key the
same way. The companion then seals a key bundle (both identities and 32 random bytes) under a key
from the ephemeral agreement; both sides derive the ADV secret from the two agreements and the
random bytes. Pure functions: randomness is the ``rng(n)`` parameter.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from botkit.core.signal.prekeys import Rng
from botkit.core.signal.primitives import hkdf
from botkit.errors import BadMac, InvalidMessage

__all__ = [
    "CODE_ALPHABET",
    "KeyBundle",
    "derive_adv_secret",
    "encode_code",
    "open_key_bundle",
    "seal_key_bundle",
    "unwrap",
    "wrap",
]

CODE_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"
_BASE32 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CODE_ALPHABET)
_ITERATIONS = 2 << 16
_WRAPPED_SIZE = 32 + 16 + 32
_BUNDLE_SIZE = 32 + 12 + 96 + 16
_BUNDLE_INFO = b"link_code_pairing_key_bundle_encryption_key"
_ADV_INFO = b"adv_secret"


def encode_code(random: bytes) -> str:
    """Return the 8-character code of 5 random bytes (base32, WhatsApp's alphabet).

    Raises:
        ValueError: ``random`` is not 5 bytes.
    """
    if len(random) != 5:
        raise ValueError("a link code is made of 5 random bytes")
    return base64.b32encode(random).decode("ascii").translate(_BASE32)


def _code_key(code: str, salt: bytes) -> bytes:
    kdf = PBKDF2HMAC(algorithm=SHA256(), length=32, salt=salt, iterations=_ITERATIONS)
    return kdf.derive(code.encode("ascii"))


def _ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def wrap(code: str, public_key: bytes, rng: Rng) -> bytes:
    """Return ``salt(32) ‖ iv(16) ‖ AES-256-CTR(PBKDF2(code, salt), iv, public_key)``.

    Slow on purpose (131,072 PBKDF2 rounds): run it off the event loop.
    """
    salt, iv = rng(32), rng(16)
    return salt + iv + _ctr(_code_key(code, salt), iv, public_key)


def unwrap(code: str, wrapped: bytes) -> bytes:
    """Return the 32-byte public key :func:`wrap` wrapped (at least 80 bytes are read).

    A wrong code yields a wrong key, not an error: CTR has no integrity (the key bundle's GCM
    tag catches it later). Slow on purpose, like :func:`wrap`.

    Raises:
        InvalidMessage: ``wrapped`` is shorter than 80 bytes or ``code`` is not 8 ASCII
            characters.
    """
    if len(wrapped) < _WRAPPED_SIZE or len(code) != 8 or not code.isascii():
        raise InvalidMessage("a wrapped link-code key is 80 bytes and the code 8 characters")
    salt, iv, sealed = wrapped[:32], wrapped[32:48], wrapped[48:_WRAPPED_SIZE]
    return _ctr(_code_key(code, salt), iv, sealed)


@dataclass(frozen=True, slots=True)
class KeyBundle:
    """What the companion seals in ``companion_finish``."""

    companion_identity: bytes = field(repr=False)
    primary_identity: bytes = field(repr=False)
    adv_random: bytes = field(repr=False)


def seal_key_bundle(ephemeral_shared: bytes, bundle: KeyBundle, rng: Rng) -> bytes:
    """Return ``salt(32) ‖ nonce(12) ‖ AES-256-GCM(bundle)`` under a key from the agreement."""
    salt, nonce = rng(32), rng(12)
    key = hkdf(ephemeral_shared, salt=salt, info=_BUNDLE_INFO, length=32)
    plain = bundle.companion_identity + bundle.primary_identity + bundle.adv_random
    return salt + nonce + AESGCM(key).encrypt(nonce, plain, None)


def open_key_bundle(ephemeral_shared: bytes, wrapped: bytes) -> KeyBundle:
    """Open what :func:`seal_key_bundle` sealed.

    Raises:
        InvalidMessage: the bundle has the wrong size.
        BadMac: the GCM tag does not verify (a wrong code, or tampering).
    """
    if len(wrapped) != _BUNDLE_SIZE:
        raise InvalidMessage("a link-code key bundle is 156 bytes")
    salt, nonce, sealed = wrapped[:32], wrapped[32:44], wrapped[44:]
    key = hkdf(ephemeral_shared, salt=salt, info=_BUNDLE_INFO, length=32)
    try:
        plain = AESGCM(key).decrypt(nonce, sealed, None)
    except InvalidTag as exc:
        raise BadMac("the link-code key bundle does not decrypt") from exc
    return KeyBundle(plain[:32], plain[32:64], plain[64:])


def derive_adv_secret(ephemeral_shared: bytes, identity_shared: bytes, adv_random: bytes) -> bytes:
    """Return the ADV secret both sides derive (§6.4 step 6) from the two X25519 agreements."""
    return hkdf(
        ephemeral_shared + identity_shared + adv_random, salt=None, info=_ADV_INFO, length=32
    )
