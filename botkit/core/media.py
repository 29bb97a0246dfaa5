"""Media encryption, sans-IO (PROTOCOL.md §12.1, §12.2).

A media file is encrypted with a fresh 32-byte **media key**, expanded by HKDF-SHA256 (no salt,
the media type's info string, 112 bytes) into IV (16), cipher key (32), MAC key (32) and a ref
key (32, unused). The blob that is uploaded is ``AES-256-CBC(PKCS#7(plaintext)) ‖ mac`` where
``mac = HMAC-SHA256(mac key, IV ‖ ciphertext)[:10]``; the message carries the media key,
``SHA-256(plaintext)``, ``SHA-256(blob)`` and the plaintext length.

>>> sealed = encrypt_media(b"hello", MediaType.IMAGE, media_key=bytes(32))
>>> decrypt_media(sealed.blob, MediaType.IMAGE, bytes(32), file_enc_sha256=sealed.file_enc_sha256)
b'hello'

Randomness is the caller's: pass the media key in.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
from dataclasses import dataclass, field

from botkit.core.signal.primitives import aes_cbc_decrypt, aes_cbc_encrypt, hkdf, hmac_sha256
from botkit.errors import BadMac, InvalidMessage, MediaHashMismatch

__all__ = [
    "MAC_SIZE",
    "MEDIA_KEY_SIZE",
    "EncryptedMedia",
    "MediaKeys",
    "MediaType",
    "decrypt_media",
    "encrypt_media",
    "upload_token",
]

MEDIA_KEY_SIZE = 32
MAC_SIZE = 10


class MediaType(enum.Enum):
    """A kind of media: its HKDF info string and its ``mms-type`` (URL path segment)."""

    IMAGE = ("WhatsApp Image Keys", "image")
    VIDEO = ("WhatsApp Video Keys", "video")
    AUDIO = ("WhatsApp Audio Keys", "audio")
    DOCUMENT = ("WhatsApp Document Keys", "document")
    HISTORY = ("WhatsApp History Keys", "md-msg-hist")
    APP_STATE = ("WhatsApp App State Keys", "md-app-state")
    STICKER_PACK = ("WhatsApp Sticker Pack Keys", "sticker-pack")
    LINK_THUMBNAIL = ("WhatsApp Link Thumbnail Keys", "thumbnail-link")

    @property
    def info(self) -> bytes:
        """The HKDF info string."""
        return self.value[0].encode()

    @property
    def mms_type(self) -> str:
        """The ``mms-type`` used in upload and download URLs."""
        return self.value[1]


@dataclass(frozen=True, slots=True)
class MediaKeys:
    """The keys a media key expands to."""

    iv: bytes = field(repr=False)
    cipher_key: bytes = field(repr=False)
    mac_key: bytes = field(repr=False)
    ref_key: bytes = field(repr=False)

    @classmethod
    def derive(cls, media_key: bytes, media_type: MediaType) -> MediaKeys:
        """Return the keys of ``media_key`` for ``media_type``.

        Raises:
            ValueError: ``media_key`` is not 32 bytes.
        """
        if len(media_key) != MEDIA_KEY_SIZE:
            raise ValueError(f"a media key is {MEDIA_KEY_SIZE} bytes, got {len(media_key)}")
        out = hkdf(media_key, salt=None, info=media_type.info, length=112)
        return cls(iv=out[:16], cipher_key=out[16:48], mac_key=out[48:80], ref_key=out[80:])

    def mac(self, ciphertext: bytes) -> bytes:
        """Return the 10-byte MAC of ``ciphertext``."""
        return hmac_sha256(self.mac_key, self.iv + ciphertext)[:MAC_SIZE]


@dataclass(frozen=True, slots=True)
class EncryptedMedia:
    """An encrypted file: the blob to upload and what its message must carry."""

    blob: bytes = field(repr=False)
    media_key: bytes = field(repr=False)
    file_sha256: bytes
    file_enc_sha256: bytes
    file_length: int


def encrypt_media(plaintext: bytes, media_type: MediaType, media_key: bytes) -> EncryptedMedia:
    """Return ``plaintext`` encrypted under ``media_key`` (32 fresh random bytes).

    Raises:
        ValueError: ``media_key`` is not 32 bytes.
    """
    keys = MediaKeys.derive(media_key, media_type)
    ciphertext = aes_cbc_encrypt(keys.cipher_key, keys.iv, plaintext)
    blob = ciphertext + keys.mac(ciphertext)
    return EncryptedMedia(
        blob=blob,
        media_key=media_key,
        file_sha256=hashlib.sha256(plaintext).digest(),
        file_enc_sha256=hashlib.sha256(blob).digest(),
        file_length=len(plaintext),
    )


def decrypt_media(
    blob: bytes,
    media_type: MediaType,
    media_key: bytes,
    *,
    file_enc_sha256: bytes | None = None,
    file_sha256: bytes | None = None,
) -> bytes:
    """Return the plaintext of a downloaded ``blob``, checking every hash and MAC given.

    Raises:
        MediaHashMismatch: the blob's or the plaintext's SHA-256 is not the expected one.
        BadMac: the blob's MAC does not verify (wrong key, or tampered).
        InvalidMessage: the blob is too short or its padding is bad.
        ValueError: ``media_key`` is not 32 bytes.
    """
    if file_enc_sha256 is not None and not hmac.compare_digest(
        hashlib.sha256(blob).digest(), file_enc_sha256
    ):
        raise MediaHashMismatch("the encrypted file's SHA-256 does not match")
    if len(blob) < MAC_SIZE + 16:
        raise InvalidMessage(f"a media blob of {len(blob)} bytes is too short")
    keys = MediaKeys.derive(media_key, media_type)
    ciphertext, mac = blob[:-MAC_SIZE], blob[-MAC_SIZE:]
    if not hmac.compare_digest(keys.mac(ciphertext), mac):
        raise BadMac("the media MAC does not verify")
    plaintext = aes_cbc_decrypt(keys.cipher_key, keys.iv, ciphertext)
    if file_sha256 is not None and not hmac.compare_digest(
        hashlib.sha256(plaintext).digest(), file_sha256
    ):
        raise MediaHashMismatch("the decrypted file's SHA-256 does not match")
    return plaintext


def upload_token(file_enc_sha256: bytes) -> str:
    """Return the upload token of a blob: URL-safe base64 of its SHA-256, with padding."""
    return base64.urlsafe_b64encode(file_enc_sha256).decode("ascii")
