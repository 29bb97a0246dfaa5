"""Media crypto: botkit.core.media and Baileys' messages-media.js open each other's files."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from botkit.core.media import MediaType, decrypt_media, encrypt_media

from .oracle import INTEROP_DIR, Oracle, start_or_fail

SIZES = [0, 1, 15, 16, 17, 1000, 65_537]
KINDS = {
    "image": MediaType.IMAGE,
    "video": MediaType.VIDEO,
    "audio": MediaType.AUDIO,
    "document": MediaType.DOCUMENT,
}


@pytest.fixture(scope="module")
def media_oracle() -> Iterator[Oracle]:
    with start_or_fail(INTEROP_DIR / "media_oracle.mjs") as running:
        yield running


def _plaintext(size: int) -> bytes:
    return bytes((i * 7 + 3) % 256 for i in range(size))


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("size", SIZES)
def test_botkit_opens_what_baileys_encrypts(media_oracle: Oracle, kind: str, size: int) -> None:
    sealed = media_oracle.request("encrypt", type=kind, plaintext=_plaintext(size).hex())
    opened = decrypt_media(
        bytes.fromhex(sealed["blob"]),
        KINDS[kind],
        bytes.fromhex(sealed["media_key"]),
        file_enc_sha256=bytes.fromhex(sealed["file_enc_sha256"]),
        file_sha256=bytes.fromhex(sealed["file_sha256"]),
    )
    assert opened == _plaintext(size)
    assert sealed["file_length"] == size


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("size", SIZES)
def test_baileys_opens_what_botkit_encrypts(media_oracle: Oracle, kind: str, size: int) -> None:
    sealed = encrypt_media(_plaintext(size), KINDS[kind], bytes(range(1, 33)))
    url = "data:application/octet-stream;base64," + base64.b64encode(sealed.blob).decode()
    opened = media_oracle.request("download", url=url, type=kind, media_key=sealed.media_key.hex())
    assert bytes.fromhex(opened) == _plaintext(size)
