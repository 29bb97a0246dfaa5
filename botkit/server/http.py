"""A minimal HTTP/1.1 server for the sandbox's loopback APIs: one request per connection.

Subclasses implement :meth:`LoopbackHttpServer._respond`, which reads the request from the
stream (its head with :func:`read_head`) and returns the complete response bytes
(:func:`http_response`, :func:`json_response`); the connection closes after it. A request head
longer than the stream's limit (64 KiB) is answered ``431``. With a ``tls`` context the server
speaks HTTPS.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from dataclasses import dataclass
from types import TracebackType
from typing import Self

__all__ = ["LoopbackHttpServer", "RequestHead", "http_response", "json_response", "read_head"]

log = logging.getLogger(__name__)

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    504: "Gateway Timeout",
}


def http_response(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    """Return the full HTTP/1.1 response bytes (the connection closes after it)."""
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def json_response(status: int, body: object) -> bytes:
    """Return the full HTTP/1.1 response carrying ``body`` as JSON."""
    return http_response(status, json.dumps(body).encode())


_HEAD_TOO_LARGE = json_response(431, {"error": "the request head is too large"})


@dataclass(frozen=True, slots=True)
class RequestHead:
    """What a server needs of a request head, as :func:`read_head` read it."""

    method: str
    target: str
    length: int
    """The ``Content-Length`` (0 without one)."""


async def read_head(reader: asyncio.StreamReader, timeout: float) -> RequestHead:
    """Read a request head from ``reader`` within ``timeout`` seconds.

    Raises:
        ValueError: the request line is malformed or the ``Content-Length`` is not a number.
        TimeoutError: the head did not arrive in time.
        asyncio.LimitOverrunError: the head is longer than the stream's limit.
    """
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3:
        raise ValueError("malformed request line")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = headers.get("content-length", "0")
    if not (length.isascii() and length.isdigit()):
        raise ValueError("bad Content-Length")
    return RequestHead(parts[0], parts[1], int(length))


class LoopbackHttpServer:
    """Serves ``_respond`` on ``host:port`` (0: any free port); an async context manager."""

    def __init__(self, *, host: str, port: int, tls: ssl.SSLContext | None = None) -> None:
        self._host = host
        self._port = port
        self._tls = tls
        self._server: asyncio.Server | None = None

    @property
    def hostname(self) -> str:
        """``host:port`` as bound.

        Raises:
            RuntimeError: the server has not started.
        """
        if self._server is None:
            raise RuntimeError(f"the {type(self).__name__} has not started")
        port = self._server.sockets[0].getsockname()[1]
        return f"{self._host}:{port}"

    @property
    def url(self) -> str:
        """The base URL, ``http://host:port`` (``https://`` when serving TLS).

        Raises:
            RuntimeError: the server has not started.
        """
        return f"{'https' if self._tls else 'http'}://{self.hostname}"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(
            self._serve, self._host, self._port, ssl=self._tls
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                answer = await self._respond(reader)
            except asyncio.LimitOverrunError:  # the head is longer than the stream's limit
                answer = _HEAD_TOO_LARGE
            writer.write(answer)
            await writer.drain()
        except (
            ConnectionError,
            asyncio.IncompleteReadError,
            TimeoutError,
            ssl.SSLError,
        ) as exc:
            log.debug("%s connection dropped: %s", type(self).__name__, exc)
        finally:
            writer.close()

    async def _respond(self, reader: asyncio.StreamReader) -> bytes:
        """Read one request from ``reader``; return the whole response."""
        raise NotImplementedError
