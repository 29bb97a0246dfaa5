"""The client's WebSocket transport: a client-role Connection driven over asyncio.

It owns the socket and nothing else: it completes the Noise handshake, encrypts nodes out, and
yields typed events in. What the nodes mean is for the client services above it.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from types import TracebackType

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed as WebSocketClosed
from websockets.exceptions import InvalidHandshake, InvalidURI
from websockets.typing import Origin

from botkit.core.binary import Node
from botkit.core.connection import (
    Connection,
    ConnectionClosed,
    Event,
    HandshakeComplete,
    Role,
    State,
)
from botkit.core.noise import WA_ROOT_PUBLIC_KEY
from botkit.core.signal import KeyPair
from botkit.errors import NotConnected, RemoteProtocolError

__all__ = ["WA_ORIGIN", "WA_URL", "Transport"]

log = logging.getLogger(__name__)

WA_URL = "wss://web.whatsapp.com/ws/chat"
WA_ORIGIN = "https://web.whatsapp.com"
_MAX_MESSAGE = 32 * 1024 * 1024


class Transport:
    """An open, handshaken connection to a WhatsApp (or sandbox) server.

    Use :meth:`open`; then :meth:`send` nodes and :meth:`receive` events; :meth:`close` when done
    (or use it as an async context manager).
    """

    def __init__(self, ws: ClientConnection, connection: Connection, hello: HandshakeComplete):
        self._ws = ws
        self._connection = connection
        self._pending: deque[Event] = deque()
        self.hello = hello
        """The handshake result: the server's static key, checked against its certificates."""

    @classmethod
    async def open(
        cls,
        *,
        noise_key: KeyPair,
        client_payload: bytes,
        url: str = WA_URL,
        trust_root: bytes = WA_ROOT_PUBLIC_KEY,
        open_timeout: float = 20.0,
    ) -> Transport:
        """Connect to ``url`` and complete the handshake; return the open transport.

        Raises:
            NotConnected: the socket could not be opened or closed during the handshake.
            RemoteProtocolError: the server broke the protocol (``CertificateError`` when its
                chain does not verify against ``trust_root``).
        """
        connection = Connection(
            Role.CLIENT,
            static_key=noise_key,
            client_payload=client_payload,
            trust_root=trust_root,
            now=time.time,
            rng=os.urandom,
        )
        try:
            ws = await connect(
                url,
                origin=Origin(WA_ORIGIN),
                compression=None,
                max_size=_MAX_MESSAGE,
                open_timeout=open_timeout,
                proxy=None,
            )
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            raise NotConnected(f"cannot connect to {url}: {exc}") from exc
        try:
            await ws.send(connection.initiate())
            while True:
                connection.receive_data(await ws.recv(decode=False))
                event = connection.next_event()
                if isinstance(event, HandshakeComplete):
                    await ws.send(connection.data_to_send())
                    return cls(ws, connection, event)
                if event is not None:
                    raise RemoteProtocolError(f"unexpected {type(event).__name__} in handshake")
        except WebSocketClosed as exc:
            raise NotConnected(f"the server closed the socket during the handshake: {exc}") from exc
        except BaseException:
            await ws.close()
            raise

    async def send(self, node: Node) -> None:
        """Encrypt and send ``node``.

        Raises:
            NotConnected: the socket is closed.
        """
        try:
            await self._ws.send(self._connection.send_node(node))
        except WebSocketClosed as exc:
            raise NotConnected("the connection is closed") from exc

    async def receive(self) -> Event:
        """Return the next event: NodeReceived, StreamError, or ConnectionClosed at the end.

        A frame that does not decrypt or decode is logged and skipped, so one bad frame never
        drops the rest of the stream.
        """
        while not self._pending:
            if self._connection.state in (State.CLOSED, State.ERROR):
                return ConnectionClosed()
            try:
                data = await self._ws.recv(decode=False)
            except WebSocketClosed:
                data = b""
            self._connection.receive_data(data)
            self._drain()
        return self._pending.popleft()

    def _drain(self) -> None:
        while True:
            try:
                event = self._connection.next_event()
            except RemoteProtocolError as exc:
                if self._connection.state is State.ERROR:
                    self._pending.append(ConnectionClosed())
                    log.warning("connection failed: %s", exc)
                    return
                log.warning("dropped an undecodable frame: %s", exc)
                continue
            if event is None:
                return
            self._pending.append(event)
            if isinstance(event, ConnectionClosed):
                return

    async def close(self) -> None:
        """Close the connection and its socket."""
        self._connection.close()
        await self._ws.close()

    async def __aenter__(self) -> Transport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
