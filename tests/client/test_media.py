"""Media through the sandbox: media_conn, encrypted upload, download with every check."""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import urllib.error
import urllib.request

import pytest

from botkit.client import Client
from botkit.client.media import Media, parse_media_conn
from botkit.client.media import _http as media_http
from botkit.core.binary import Node
from botkit.core.media import MediaType
from botkit.errors import BadMac, DecodeError, MediaHashMismatch, MediaTransferFailed
from botkit.server import Sandbox
from botkit.store import AccountStore

from .helpers import PHONE, Events, FakeServer, pair_by_qr, sandbox_client

PHOTO = bytes(range(256)) * 40


async def _media(sandbox: Sandbox, store: AccountStore) -> tuple[Client, Media]:
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    return client, Media(client.requests, scheme="http")


async def test_upload_then_download_gives_the_file_back(
    sandbox: Sandbox, store: AccountStore
) -> None:
    client, media = await _media(sandbox, store)
    conn = await media.connection()
    assert conn.hosts == (sandbox.media_url.removeprefix("http://"),)
    uploaded = await media.upload(PHOTO, MediaType.IMAGE)
    assert uploaded.direct_path.startswith("/") and "?" in uploaded.direct_path
    assert uploaded.url.startswith(sandbox.media_url)
    assert uploaded.file_sha256 == hashlib.sha256(PHOTO).digest()
    assert uploaded.file_length == len(PHOTO)
    (blob,) = sandbox.media.blobs.values()
    assert PHOTO not in blob and hashlib.sha256(blob).digest() == uploaded.file_enc_sha256
    got = await media.download(
        uploaded.direct_path,
        MediaType.IMAGE,
        uploaded.media_key,
        file_enc_sha256=uploaded.file_enc_sha256,
        file_sha256=uploaded.file_sha256,
    )
    assert got == PHOTO
    await client.disconnect()


async def test_damaged_or_missing_media_gets_typed_errors(
    sandbox: Sandbox, store: AccountStore
) -> None:
    client, media = await _media(sandbox, store)
    uploaded = await media.upload(b"document body", MediaType.DOCUMENT)
    path = uploaded.direct_path.split("?")[0]
    args = (uploaded.direct_path, MediaType.DOCUMENT)
    with pytest.raises(BadMac):
        await media.download(*args, bytes(32), file_enc_sha256=uploaded.file_enc_sha256)
    sandbox.media.blobs[path] = sandbox.media.blobs[path][:-1] + b"\x00"
    with pytest.raises(MediaHashMismatch):
        await media.download(*args, uploaded.media_key, file_enc_sha256=uploaded.file_enc_sha256)
    del sandbox.media.blobs[path]
    with pytest.raises(MediaTransferFailed) as missing:
        await media.download(*args, uploaded.media_key, file_enc_sha256=uploaded.file_enc_sha256)
    assert missing.value.status == 404
    await client.disconnect()


async def _post(url: str, body: bytes) -> int:
    def call() -> int:
        request = urllib.request.Request(url, data=body, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    return await asyncio.to_thread(call)


async def test_uploads_need_the_auth_and_a_token_that_hashes_the_body(sandbox: Sandbox) -> None:
    token = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU="  # SHA-256 of b""
    base = f"{sandbox.media_url}/mms/image/{token}"
    assert await _post(f"{base}?auth=wrong", b"") == 401
    assert await _post(f"{base}?auth={sandbox.media.auth}", b"not empty") == 400
    assert (
        await _post(f"{sandbox.media_url}/mms/nonsense/{token}?auth={sandbox.media.auth}", b"")
        == 404
    )
    assert await _post(f"{base}?auth={sandbox.media.auth}", b"") == 200


def test_media_conn_needs_its_attributes_and_a_host() -> None:
    full = {"auth": "a", "ttl": "60", "auth_ttl": "60", "max_buckets": "1"}
    host = Node("host", {"hostname": "h:1"})
    conn = parse_media_conn(Node("iq", {}, [Node("media_conn", full, [host])]), now=10.0)
    assert (conn.hosts, conn.expires_at) == (("h:1",), 70.0)
    with pytest.raises(DecodeError):
        parse_media_conn(Node("iq", {}, [Node("media_conn", full)]), now=0.0)
    partial = {k: v for k, v in full.items() if k != "ttl"}
    with pytest.raises(DecodeError):
        parse_media_conn(Node("iq", {}, [Node("media_conn", partial, [host])]), now=0.0)


async def test_media_over_https_needs_the_sandbox_certificate(store: AccountStore) -> None:
    async with Sandbox(ref_timeouts=(10.0, 10.0), reply_timeout=5.0, media_tls=True) as sandbox:
        sandbox.create_user(PHONE, "Alice")
        assert sandbox.media_url.startswith("https://")
        assert sandbox.media.certificate is not None
        client, _ = await _media(sandbox, store)
        untrusting = Media(client.requests)
        with pytest.raises(MediaTransferFailed):
            await untrusting.upload(PHOTO, MediaType.IMAGE)
        trust = ssl.create_default_context(cadata=sandbox.media.certificate.cert_pem)
        media = Media(client.requests, tls=trust)
        uploaded = await media.upload(PHOTO, MediaType.IMAGE)
        assert uploaded.url.startswith(sandbox.media_url)
        got = await media.download(
            uploaded.direct_path,
            MediaType.IMAGE,
            uploaded.media_key,
            file_enc_sha256=uploaded.file_enc_sha256,
        )
        assert got == PHOTO
        await client.disconnect()


async def _serve_once(answer: list[bytes]) -> tuple[asyncio.Server, str]:
    """Serve one canned answer, written in the pieces given (the loop runs between them)."""

    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        for piece in answer:
            writer.write(piece)
            await writer.drain()
            for _ in range(20):  # let the client read this piece on its own
                await asyncio.sleep(0)
        writer.close()

    server = await asyncio.start_server(reply, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/blob"


async def test_a_body_without_content_length_is_read_until_the_host_closes() -> None:
    server, url = await _serve_once([b"HTTP/1.1 200 OK\r\n\r\nfirst half,", b" second half"])
    async with server:
        assert await media_http("GET", url, b"", None) == (200, b"first half, second half")


async def test_a_host_with_a_huge_head_is_a_typed_transfer_failure() -> None:
    server, url = await _serve_once([b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000 + b"\r\n\r\n"])
    media = Media(FakeServer(lambda iq: None).requests, scheme="http")
    async with server:
        with pytest.raises(MediaTransferFailed):
            await media._exchange("GET", url, b"")
