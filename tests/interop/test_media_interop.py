"""Media crypto: botkit.core.media and Baileys' messages-media.js open each other's files."""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.request
from collections.abc import Iterator

import pytest

from botkit.core.media import MediaType, decrypt_media, encrypt_media, upload_token
from botkit.server import Sandbox

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


async def _upload(sandbox: Sandbox, kind: MediaType, blob: bytes, token: str) -> str:
    url = f"{sandbox.media_url}/mms/{kind.mms_type}/{token}?auth={sandbox.media.auth}"

    def call() -> str:
        request = urllib.request.Request(url, data=blob, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return str(json.loads(response.read())["url"])

    return await asyncio.to_thread(call)


async def test_baileys_downloads_from_the_sandbox_media_server(media_oracle: Oracle) -> None:
    plaintext = _plaintext(70_000)
    sealed = encrypt_media(plaintext, MediaType.VIDEO, bytes(range(2, 34)))
    async with Sandbox() as sandbox:
        url = await _upload(
            sandbox, MediaType.VIDEO, sealed.blob, upload_token(sealed.file_enc_sha256)
        )
        opened = await asyncio.to_thread(
            media_oracle.request,
            "download",
            url=url,
            type="video",
            media_key=sealed.media_key.hex(),
        )
    assert bytes.fromhex(opened) == plaintext
