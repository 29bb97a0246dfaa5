"""Media upload and download (PROTOCOL.md §12.3-12.5), on top of :mod:`botkit.core.media`.

>>> media = Media(client.requests)
>>> uploaded = await media.upload(jpeg_bytes, MediaType.IMAGE)
>>> await media.download(uploaded.direct_path, MediaType.IMAGE, uploaded.media_key,
...                      file_enc_sha256=uploaded.file_enc_sha256,
...                      file_sha256=uploaded.file_sha256)

:class:`Media` asks the server for its media hosts and upload auth with the ``media_conn`` IQ
(cached for its ``ttl``), encrypts with a fresh media key, ``POST``\\ s the blob to
``/mms/<type>/<token>`` and returns what a media message must carry; a download fetches
``<direct_path>&hash=…&mms-type=…&__wa-mms=`` from each host in turn, then checks the blob's
SHA-256, the MAC and the plaintext's SHA-256 (:func:`~botkit.core.media.decrypt_media`). WhatsApp
serves HTTPS (``tls`` overrides the default context, e.g. to trust the sandbox's self-signed
certificate); ``scheme="http"`` is for a sandbox serving plain HTTP. HTTP is a one-request
HTTP/1.1 exchange.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from botkit.client.requests import Requests
from botkit.core.binary import AttrReader, Node
from botkit.core.media import MEDIA_KEY_SIZE, MediaType, decrypt_media, encrypt_media, upload_token
from botkit.errors import DecodeError, MediaTransferFailed

__all__ = ["Media", "MediaConn", "UploadedMedia", "parse_media_conn"]

_ORIGIN = "https://web.whatsapp.com"
_FINAL = frozenset({401, 403, 404, 410})
"""Statuses another host will not change (the sender must upload again)."""
_MAX_BODY = 128 * 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class MediaConn:
    """The answer to ``media_conn``: upload auth, hosts (``name[:port]``), and when it expires."""

    auth: str = field(repr=False)
    hosts: tuple[str, ...]
    expires_at: float


@dataclass(frozen=True, slots=True)
class UploadedMedia:
    """An uploaded file: where it is and the fields its message carries (§12.2)."""

    url: str
    direct_path: str
    media_key: bytes = field(repr=False)
    file_sha256: bytes
    file_enc_sha256: bytes
    file_length: int


def parse_media_conn(answer: Node, now: float) -> MediaConn:
    """Return the :class:`MediaConn` of a ``media_conn`` result IQ received at ``now``.

    Raises:
        DecodeError: ``<media_conn>`` or one of its four attributes is missing, or no host.
    """
    conn = answer.get_child("media_conn")
    if conn is None:
        raise DecodeError("the answer has no <media_conn>")
    reader = AttrReader(conn)
    auth = reader.string("auth")
    ttl = reader.int("ttl")
    reader.int("auth_ttl")
    reader.int("max_buckets")
    reader.raise_if_errors()
    hosts = tuple(
        str(h.attrs["hostname"]) for h in conn.get_children("host") if "hostname" in h.attrs
    )
    if not hosts:
        raise DecodeError("<media_conn> lists no host")
    return MediaConn(auth=auth, hosts=hosts, expires_at=now + ttl)


class Media:
    """Uploads and downloads encrypted media through the server of ``requests``."""

    def __init__(
        self,
        requests: Requests,
        *,
        scheme: str = "https",
        tls: ssl.SSLContext | None = None,
        timeout: float = 60.0,
        rng: Callable[[int], bytes] = os.urandom,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if scheme not in ("http", "https"):
            raise ValueError("scheme must be http or https")
        self._requests = requests
        self._scheme = scheme
        self._tls = tls
        self._timeout = timeout
        self._rng = rng
        self._clock = clock
        self._conn: MediaConn | None = None

    async def connection(self, *, refresh: bool = False) -> MediaConn:
        """Return the media hosts and auth, asking the server when not cached or expired.

        Raises:
            IQError, IQTimeout, NotConnected: the IQ failed.
            DecodeError: the answer is malformed.
        """
        now = self._clock()
        if refresh or self._conn is None or self._conn.expires_at <= now:
            answer = await self._requests.query("w:m", "set", [Node("media_conn")])
            self._conn = parse_media_conn(answer, now)
        return self._conn

    async def upload(self, data: bytes, media_type: MediaType) -> UploadedMedia:
        """Encrypt ``data`` with a fresh media key and upload it; return where it went.

        Raises:
            MediaTransferFailed: every host refused it or could not be reached.
            IQError, IQTimeout, NotConnected, DecodeError: ``media_conn`` failed.
        """
        sealed = encrypt_media(data, media_type, self._rng(MEDIA_KEY_SIZE))
        token = upload_token(sealed.file_enc_sha256)
        conn = await self.connection()
        failure = MediaTransferFailed("no media host")
        for host in conn.hosts:
            query = f"auth={quote(conn.auth, safe='')}&token={quote(token, safe='')}"
            url = f"{self._scheme}://{host}/mms/{media_type.mms_type}/{token}?{query}"
            try:
                status, body = await self._exchange("POST", url, sealed.blob)
            except MediaTransferFailed as exc:
                failure = exc
                continue
            if status != 200:
                failure = MediaTransferFailed(f"upload refused with HTTP {status}", status)
                continue
            try:
                answer = json.loads(body)
                url_field, direct_path = str(answer["url"]), str(answer["direct_path"])
            except (ValueError, KeyError, TypeError) as exc:
                raise MediaTransferFailed("the upload answer is not the expected JSON") from exc
            return UploadedMedia(
                url=url_field,
                direct_path=direct_path,
                media_key=sealed.media_key,
                file_sha256=sealed.file_sha256,
                file_enc_sha256=sealed.file_enc_sha256,
                file_length=sealed.file_length,
            )
        raise failure

    async def download(
        self,
        direct_path: str,
        media_type: MediaType,
        media_key: bytes,
        *,
        file_enc_sha256: bytes,
        file_sha256: bytes | None = None,
    ) -> bytes:
        """Download the blob at ``direct_path`` from the first host that has it; decrypt it.

        Raises:
            MediaTransferFailed: no host served it (``status`` of the last answer, 0 if none).
            MediaHashMismatch, BadMac, InvalidMessage: the blob or plaintext did not verify.
            IQError, IQTimeout, NotConnected, DecodeError: ``media_conn`` failed.
        """
        if not direct_path.startswith("/"):
            raise ValueError("a direct path starts with /")
        suffix = (
            f"&hash={quote(upload_token(file_enc_sha256), safe='')}"
            f"&mms-type={media_type.mms_type}&__wa-mms="
        )
        conn = await self.connection()
        failure = MediaTransferFailed("no media host")
        for host in conn.hosts:
            try:
                status, blob = await self._exchange(
                    "GET", f"{self._scheme}://{host}{direct_path}{suffix}", b""
                )
            except MediaTransferFailed as exc:
                failure = exc
                continue
            if status == 200:
                return decrypt_media(
                    blob,
                    media_type,
                    media_key,
                    file_enc_sha256=file_enc_sha256,
                    file_sha256=file_sha256,
                )
            failure = MediaTransferFailed(f"download failed with HTTP {status}", status)
            if status in _FINAL:
                break
        raise failure

    async def _exchange(self, method: str, url: str, body: bytes) -> tuple[int, bytes]:
        """Send one HTTP/1.1 request; return the status and the body.

        Raises:
            MediaTransferFailed: no connection, a timeout, or a malformed answer.
        """
        try:
            async with asyncio.timeout(self._timeout):
                return await _http(method, url, body, self._tls)
        except (
            OSError,
            TimeoutError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,  # a head or chunk-size line over 64 KiB
            ValueError,
        ) as exc:
            raise MediaTransferFailed(f"{method} {urlsplit(url).netloc} failed: {exc}") from exc


async def _http(
    method: str, url: str, body: bytes, tls: ssl.SSLContext | None
) -> tuple[int, bytes]:
    parts = urlsplit(url)
    if parts.hostname is None:
        raise ValueError(f"no host in {url!r}")
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    context = (tls or ssl.create_default_context()) if secure else None
    reader, writer = await asyncio.open_connection(parts.hostname, port, ssl=context)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        head = (
            f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Origin: {_ORIGIN}\r\nReferer: {_ORIGIN}/\r\n"
            "Content-Type: application/octet-stream\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode("latin-1") + body)
        await writer.drain()
        status_line, headers = _parse_head(await reader.readuntil(b"\r\n\r\n"))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return status_line, await _read_chunked(reader)
        length = headers.get("content-length")
        if length is None:  # the body ends with the connection
            return status_line, await _read_to_end(reader)
        if not length.isdigit() or int(length) > _MAX_BODY:
            raise ValueError("bad Content-Length")
        return status_line, await reader.readexactly(int(length))
    finally:
        writer.close()


async def _read_to_end(reader: asyncio.StreamReader) -> bytes:
    """Return everything until the peer closes (at most ``_MAX_BODY`` bytes).

    Raises:
        ValueError: the body is longer.
    """
    chunks: list[bytes] = []
    total = 0
    while chunk := await reader.read(_CHUNK):  # one read returns what has arrived so far
        total += len(chunk)
        if total > _MAX_BODY:
            raise ValueError("the body is too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    status_line, *lines = head.decode("latin-1").split("\r\n")
    fields = status_line.split(" ", 2)
    if len(fields) < 2 or not fields[1].isdigit():
        raise ValueError(f"bad status line {status_line!r}")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(fields[1]), headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
        if size == 0:
            return b"".join(chunks)
        total += size
        if total > _MAX_BODY:
            raise ValueError("the body is too large")
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
