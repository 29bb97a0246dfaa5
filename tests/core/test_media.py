"""Media encryption (PROTOCOL.md §12.2): round trips, and every kind of damage is refused."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from botkit.core.media import (
    MAC_SIZE,
    MediaKeys,
    MediaType,
    decrypt_media,
    encrypt_media,
    upload_token,
)
from botkit.errors import BadMac, InvalidMessage, MediaHashMismatch

KEY = bytes(range(32))
keys = st.binary(min_size=32, max_size=32)
types = st.sampled_from(list(MediaType))


@given(st.binary(max_size=4096), types, keys)
def test_round_trip_checks_every_hash(plaintext: bytes, kind: MediaType, key: bytes) -> None:
    sealed = encrypt_media(plaintext, kind, key)
    opened = decrypt_media(
        sealed.blob,
        kind,
        key,
        file_enc_sha256=sealed.file_enc_sha256,
        file_sha256=sealed.file_sha256,
    )
    assert opened == plaintext
    assert sealed.file_length == len(plaintext)
    assert sealed.file_sha256 == hashlib.sha256(plaintext).digest()
    assert sealed.file_enc_sha256 == hashlib.sha256(sealed.blob).digest()
    assert len(sealed.blob) == (len(plaintext) // 16 + 1) * 16 + MAC_SIZE


@given(st.binary(min_size=1, max_size=512), st.data())
def test_any_flipped_bit_is_caught(plaintext: bytes, data: st.DataObject) -> None:
    blob = bytearray(encrypt_media(plaintext, MediaType.IMAGE, KEY).blob)
    index = data.draw(st.integers(0, len(blob) - 1))
    blob[index] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(BadMac):
        decrypt_media(bytes(blob), MediaType.IMAGE, KEY)


def test_the_blob_hash_is_checked_before_anything_else() -> None:
    sealed = encrypt_media(b"photo", MediaType.IMAGE, KEY)
    with pytest.raises(MediaHashMismatch):
        decrypt_media(sealed.blob, MediaType.IMAGE, KEY, file_enc_sha256=bytes(32))


def test_a_plaintext_that_is_not_the_announced_file_is_refused() -> None:
    sealed = encrypt_media(b"photo", MediaType.IMAGE, KEY)
    with pytest.raises(MediaHashMismatch):
        decrypt_media(sealed.blob, MediaType.IMAGE, KEY, file_sha256=hashlib.sha256(b"x").digest())


def test_the_media_type_is_part_of_the_keys() -> None:
    sealed = encrypt_media(b"photo", MediaType.IMAGE, KEY)
    with pytest.raises(BadMac):
        decrypt_media(sealed.blob, MediaType.DOCUMENT, KEY)


@pytest.mark.parametrize("size", [0, 10, 25])
def test_a_truncated_blob_is_invalid(size: int) -> None:
    with pytest.raises(InvalidMessage):
        decrypt_media(bytes(size), MediaType.IMAGE, KEY)


@pytest.mark.parametrize("key", [b"", bytes(31), bytes(33)])
def test_media_keys_are_32_bytes(key: bytes) -> None:
    with pytest.raises(ValueError):
        MediaKeys.derive(key, MediaType.IMAGE)


def test_key_expansion_is_hkdf_of_the_type_info() -> None:
    expanded = MediaKeys.derive(KEY, MediaType.AUDIO)
    assert MediaType.AUDIO.info == b"WhatsApp Audio Keys"
    assert len({expanded.iv, expanded.cipher_key, expanded.mac_key, expanded.ref_key}) == 4
    assert (len(expanded.iv), len(expanded.cipher_key), len(expanded.mac_key)) == (16, 32, 32)


@given(st.binary(min_size=32, max_size=32))
def test_upload_token_is_padded_url_safe_base64(digest: bytes) -> None:
    token = upload_token(digest)
    assert token.endswith("=") and not set(token) & set("+/")
    assert base64.urlsafe_b64decode(token) == digest
