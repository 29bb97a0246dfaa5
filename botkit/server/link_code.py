"""The primary phone's side of phone-number code linking (PROTOCOL.md §6.4).

The companion shows an 8-character code and sends its ephemeral key wrapped with a key derived
from that code; the phone, told the code by its user, unwraps it, answers with its own wrapped
ephemeral and identity key, and finally opens the companion's key bundle, which yields the ADV
secret that the rest of the link (``pair-success``) is HMACed with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from botkit.core.signal import KeyPair, dh
from botkit.core.signal.primitives import hkdf
from botkit.errors import BadMac, InvalidMessage

__all__ = ["CODE_ALPHABET", "KeyBundle", "derive_adv_secret", "open_key_bundle", "unwrap", "wrap"]

CODE_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"
_ITERATIONS = 2 << 16
_WRAPPED_SIZE = 32 + 16 + 32
_BUNDLE_INFO = b"link_code_pairing_key_bundle_encryption_key"
_ADV_INFO = b"adv_secret"


def _code_key(code: str, salt: bytes) -> bytes:
    kdf = PBKDF2HMAC(algorithm=SHA256(), length=32, salt=salt, iterations=_ITERATIONS)
    return kdf.derive(code.encode("ascii"))


def _ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def unwrap(code: str, wrapped: bytes) -> bytes:
    """Return the 32-byte public key in ``salt(32) ‖ iv(16) ‖ AES-CTR(key)(32)``.

    A wrong code yields a wrong key, not an error: CTR has no integrity (the key bundle's
    GCM tag catches it later).

    Raises:
        InvalidMessage: ``wrapped`` is not 80 bytes or ``code`` is not 8 ASCII characters.
    """
    if len(wrapped) != _WRAPPED_SIZE or len(code) != 8 or not code.isascii():
        raise InvalidMessage("a wrapped link-code key is 80 bytes and the code 8 characters")
    salt, iv, sealed = wrapped[:32], wrapped[32:48], wrapped[48:]
    return _ctr(_code_key(code, salt), iv, sealed)


def wrap(code: str, public_key: bytes, rng: Callable[[int], bytes]) -> bytes:
    """Return ``public_key`` wrapped with ``code`` as :func:`unwrap` reads it."""
    salt, iv = rng(32), rng(16)
    return salt + iv + _ctr(_code_key(code, salt), iv, public_key)


@dataclass(frozen=True, slots=True)
class KeyBundle:
    """What the companion seals in ``companion_finish``."""

    companion_identity: bytes = field(repr=False)
    primary_identity: bytes = field(repr=False)
    adv_random: bytes = field(repr=False)


def open_key_bundle(ephemeral_shared: bytes, wrapped: bytes) -> KeyBundle:
    """Open ``salt(32) ‖ nonce(12) ‖ AES-GCM(bundle)``, the companion's sealed key bundle.

    Raises:
        InvalidMessage: the bundle has the wrong size.
        BadMac: the GCM tag does not verify (a wrong code, or tampering).
    """
    if len(wrapped) != 32 + 12 + 96 + 16:
        raise InvalidMessage("a link-code key bundle is 156 bytes")
    salt, nonce, sealed = wrapped[:32], wrapped[32:44], wrapped[44:]
    key = hkdf(ephemeral_shared, salt=salt, info=_BUNDLE_INFO, length=32)
    try:
        plain = AESGCM(key).decrypt(nonce, sealed, None)
    except InvalidTag as exc:
        raise BadMac("the link-code key bundle does not decrypt") from exc
    return KeyBundle(plain[:32], plain[32:64], plain[64:])


def derive_adv_secret(
    primary_ephemeral: KeyPair,
    companion_ephemeral: bytes,
    primary_identity: KeyPair,
    bundle: KeyBundle,
) -> bytes:
    """Return the ADV secret both sides derive once the bundle is open (§6.4 step 6)."""
    ephemeral_shared = dh(primary_ephemeral.private, companion_ephemeral)
    identity_shared = dh(primary_identity.private, bundle.companion_identity)
    material = ephemeral_shared + identity_shared + bundle.adv_random
    return hkdf(material, salt=None, info=_ADV_INFO, length=32)
