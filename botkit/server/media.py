"""The sandbox's media server (PROTOCOL.md §12.3-12.5, §15.9): ``media_conn``, upload, download.

It serves HTTP/1.1 on loopback (one request per connection), or HTTPS with a self-signed
certificate when asked to (:mod:`botkit.server.media_tls`)::

    POST /mms/<mms-type>/<token>?auth=<auth>&token=<token>   body: the encrypted blob
         -> 200 {"url", "direct_path", "handle", "object_id"}
            (401: bad auth; 400: the token is not base64url(SHA-256(body)); 404: unknown type)
    GET  <direct_path>&hash=...&mms-type=...&__wa-mms=        -> 200 the stored blob, or 404

With a ``blob_dir`` (the sandbox's ``<data dir>/media``) every blob is also written there, one
file each (atomically, 0600), and loaded again at the next start.

The server never decrypts: it stores the blob it was given under a fresh ``direct_path``
(``/v/t62.7118-24/<id>.enc?ccb=11-4&oh=...&oe=...``: it starts with ``/`` and holds a ``?``, since
clients append ``&hash=``). The ``media_conn`` IQ (``xmlns="w:m"``) answers with the auth token
and one ``<host hostname="127.0.0.1:<port>"/>``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from botkit.core.binary import Node
from botkit.core.stanza.iq import result_reply
from botkit.server.http import LoopbackHttpServer, http_response, read_head
from botkit.server.media_tls import SelfSigned
from botkit.server.persistence import private_dir, write_atomically

__all__ = ["MAX_UPLOAD", "MediaServer"]

log = logging.getLogger(__name__)

MAX_UPLOAD = 64 * 1024 * 1024
_MMS_TYPES = frozenset(
    {
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "md-msg-hist",
        "md-app-state",
        "sticker-pack",
        "thumbnail-link",
    }
)
_READ_TIMEOUT = 30.0
_PREFIX = "/v/t62.7118-24/"
_TTL = 300
_AUTH_TTL = 21600


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: bytes
    content_type: str = "application/json"

    @classmethod
    def json(cls, status: int, body: object) -> _Answer:
        return cls(status, json.dumps(body).encode())

    def encode(self) -> bytes:
        return http_response(self.status, self.body, self.content_type)


class MediaServer(LoopbackHttpServer):
    """Stores uploaded media blobs and serves them back; an async context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tls: bool = False,
        blob_dir: Path | None = None,
    ) -> None:
        self.certificate = SelfSigned.generate(host) if tls else None
        """The self-signed certificate served when ``tls`` (clients must trust its PEM)."""
        super().__init__(
            host=host,
            port=port,
            tls=None if self.certificate is None else self.certificate.context,
        )
        self.auth = secrets.token_urlsafe(24)
        """The upload auth token ``media_conn`` hands out."""
        self.blobs: dict[str, bytes] = {}
        """Stored blobs by path (the ``direct_path`` without its query)."""
        self._blob_dir = blob_dir
        if blob_dir is not None:
            private_dir(blob_dir)
            for stored in blob_dir.glob("*.enc"):
                self.blobs[_PREFIX + stored.name] = stored.read_bytes()

    def media_conn(self, iq: Node) -> Node:
        """Return the answer to a ``<iq xmlns="w:m"><media_conn/></iq>``."""
        attrs = {
            "auth": self.auth,
            "ttl": str(_TTL),
            "auth_ttl": str(_AUTH_TTL),
            "max_buckets": "12",
        }
        host = Node("host", {"hostname": self.hostname})
        return result_reply(iq, [Node("media_conn", attrs, [host])])

    async def _respond(self, reader: asyncio.StreamReader) -> bytes:
        return (await self._answer(reader)).encode()

    async def _answer(self, reader: asyncio.StreamReader) -> _Answer:
        try:
            head = await read_head(reader, _READ_TIMEOUT)
        except ValueError as exc:
            return _Answer.json(400, {"error": str(exc)})
        method, length = head.method, head.length
        if length > MAX_UPLOAD:
            return _Answer.json(413, {"error": "the file is too large"})
        url = urlsplit(head.target)
        if method == "POST" and url.path.startswith("/mms/"):
            refusal = self._refusal(url.path, parse_qs(url.query))
            if refusal is not None:  # before the body is read: a stranger's upload costs nothing
                return refusal
        body = await asyncio.wait_for(reader.readexactly(length), _READ_TIMEOUT)
        if method == "POST" and url.path.startswith("/mms/"):
            return await self._upload(url.path, body)
        if method == "GET":
            blob = self.blobs.get(url.path)
            if blob is None:
                return _Answer.json(404, {"error": "no such media"})
            return _Answer(200, blob, "application/octet-stream")
        return _Answer.json(405, {"error": f"{method} is not served here"})

    def _refusal(self, path: str, query: dict[str, list[str]]) -> _Answer | None:
        """Return the answer refusing an upload to ``path`` with ``query``, or None if allowed."""
        parts = path.split("/")
        if len(parts) != 4 or parts[2] not in _MMS_TYPES:
            return _Answer.json(404, {"error": "unknown media type"})
        if query.get("auth") != [self.auth]:
            return _Answer.json(401, {"error": "bad auth"})
        return None

    async def _upload(self, path: str, body: bytes) -> _Answer:
        """Store ``body`` uploaded to ``path`` (allowed by :meth:`_refusal`) if it hashes right."""
        parts = path.split("/")
        token = unquote(parts[3])
        try:
            digest = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            digest = b""
        if digest != hashlib.sha256(body).digest():
            return _Answer.json(400, {"error": "the token is not the SHA-256 of the body"})
        name = f"{secrets.token_hex(16)}.enc"
        stored = _PREFIX + name
        if self._blob_dir is not None:
            await asyncio.to_thread(write_atomically, self._blob_dir / name, body)
        self.blobs[stored] = body
        direct_path = f"{stored}?ccb=11-4&oh={secrets.token_hex(8)}&oe={secrets.token_hex(4)}"
        log.info("stored %d bytes of %s", len(body), parts[2])
        return _Answer.json(
            200,
            {
                "url": self.url + direct_path,
                "direct_path": direct_path,
                "handle": secrets.token_hex(8),
                "object_id": secrets.token_hex(8),
            },
        )
