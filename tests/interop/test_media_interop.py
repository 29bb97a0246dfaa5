"""Media crypto: botkit.core.media and Baileys' messages-media.js open each other's files."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import urllib.request
from collections.abc import Iterator
from pathlib import Path

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


async def _upload(
    sandbox: Sandbox,
    kind: MediaType,
    blob: bytes,
    token: str,
    trust: ssl.SSLContext | None = None,
) -> str:
    url = f"{sandbox.media_url}/mms/{kind.mms_type}/{token}?auth={sandbox.media.auth}"

    def call() -> str:
        request = urllib.request.Request(url, data=blob, method="POST")
        with urllib.request.urlopen(request, timeout=10, context=trust) as response:
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


async def _fetch(url: str, trust: ssl.SSLContext) -> bytes:
    def call() -> bytes:
        with urllib.request.urlopen(url, timeout=10, context=trust) as response:
            return bytes(response.read())

    return await asyncio.to_thread(call)


async def test_baileys_and_botkit_exchange_media_through_the_https_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plaintext = _plaintext(50_000)
    async with Sandbox(media_tls=True) as sandbox:
        assert sandbox.media.certificate is not None
        pem = sandbox.media.certificate.cert_pem
        (tmp_path / "sandbox.pem").write_text(pem)
        monkeypatch.setenv("NODE_EXTRA_CA_CERTS", str(tmp_path / "sandbox.pem"))
        trust = ssl.create_default_context(cadata=pem)
        with start_or_fail(INTEROP_DIR / "media_oracle.mjs") as baileys:
            hostname = sandbox.media_url.removeprefix("https://")
            up = await asyncio.to_thread(
                baileys.request,
                "upload",
                type="image",
                plaintext=plaintext.hex(),
                hostname=hostname,
                auth=sandbox.media.auth,
            )
            assert up["url"] == sandbox.media_url + up["direct_path"]
            blob = await _fetch(up["url"], trust)
            assert plaintext == decrypt_media(
                blob,
                MediaType.IMAGE,
                bytes.fromhex(up["media_key"]),
                file_enc_sha256=bytes.fromhex(up["file_enc_sha256"]),
                file_sha256=bytes.fromhex(up["file_sha256"]),
            )
            sealed = encrypt_media(plaintext, MediaType.AUDIO, bytes(range(3, 35)))
            token = upload_token(sealed.file_enc_sha256)
            url = await _upload(sandbox, MediaType.AUDIO, sealed.blob, token, trust)
            opened = await asyncio.to_thread(
                baileys.request, "download", url=url, type="audio", media_key=sealed.media_key.hex()
            )
    assert bytes.fromhex(opened) == plaintext
