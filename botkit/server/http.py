"""A minimal HTTP/1.1 server for the sandbox's loopback APIs: one request per connection.

Subclasses implement :meth:`LoopbackHttpServer._respond`, which reads the request from the
stream and returns the complete response bytes; the connection closes after it. A request head
longer than the stream's limit (64 KiB) is answered ``431``. With a ``tls`` context the server
speaks HTTPS.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from types import TracebackType
from typing import Self

__all__ = ["LoopbackHttpServer"]

log = logging.getLogger(__name__)

_HEAD_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json\r\n"
    b"Content-Length: 42\r\nConnection: close\r\n\r\n"
    b'{"error": "the request head is too large"}'
)


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
