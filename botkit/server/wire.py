"""Serve the WhatsApp wire protocol over WebSocket: one server-role Connection per socket.

This is the seed of the sandbox server: it accepts WebSocket connections on ``/ws/chat``, runs the
Noise handshake in the server role with its own certificate chain (root -> intermediate -> leaf
on the static key), and hands every session to a :class:`SessionHandler`. Clients trust the
server by its root public key (``ServerKeys.root.public``), which the sandbox prints.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from types import TracebackType

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed as WebSocketClosed

from botkit.core.binary import Node
from botkit.core.connection import (
    Connection,
    ConnectionClosed,
    HandshakeComplete,
    NodeReceived,
    Role,
    State,
    StreamError,
)
from botkit.core.noise import create_cert_chain
from botkit.core.signal import KeyPair
from botkit.errors import RemoteProtocolError

__all__ = ["CHAT_PATH", "ServerKeys", "SessionHandler", "WireServer", "WireSession"]

log = logging.getLogger(__name__)

CHAT_PATH = "/ws/chat"
_TEN_YEARS = 10 * 365 * 24 * 3600
_MAX_MESSAGE = 32 * 1024 * 1024  # a WebSocket message may carry several 16 MiB frames' worth


@dataclass(frozen=True, slots=True)
class ServerKeys:
    """The server's trust root, Noise static key and the certificate chain binding them."""

    root: KeyPair = field(repr=False)
    static: KeyPair = field(repr=False)
    cert_chain: bytes = field(repr=False)

    @classmethod
    def generate(cls, *, now: float, lifetime: int = _TEN_YEARS) -> ServerKeys:
        """Return fresh keys and a chain valid from an hour before ``now`` for ``lifetime`` s."""
        root = KeyPair.generate(os.urandom(32))
        intermediate = KeyPair.generate(os.urandom(32))
        static = KeyPair.generate(os.urandom(32))
        start = int(now) - 3600
        chain = create_cert_chain(
            root=root,
            intermediate=intermediate,
            leaf_key=static.public,
            intermediate_serial=1,
            leaf_serial=2,
            not_before=start,
            not_after=start + lifetime,
            rng=os.urandom,
        )
        return cls(root=root, static=static, cert_chain=chain)


class WireSession:
    """One client connection as the server sees it, after a completed handshake."""

    def __init__(self, ws: ServerConnection, connection: Connection, hello: HandshakeComplete):
        self._ws = ws
        self._connection = connection
        self.hello = hello
        """The handshake result: the client's static key and its decoded ClientPayload."""

    async def send(self, node: Node) -> None:
        """Encrypt and send ``node``; once the session is closing, the node is dropped."""
        if self._connection.state is not State.OPEN:
            log.debug("send on a closed session dropped")
            return
        try:
            await self._ws.send(self._connection.send_node(node))
        except WebSocketClosed:
            log.debug("send on a closed session dropped")

    async def close(self) -> None:
        """Close the connection and the socket."""
        self._connection.close()
        await self._ws.close()


class SessionHandler:
    """What a server does with its sessions; override the methods you need."""

    async def session_started(self, session: WireSession) -> None:
        """Called once the handshake of ``session`` is complete."""

    async def node_received(self, session: WireSession, node: Node) -> None:
        """Called for every node the client sends."""

    async def session_ended(self, session: WireSession) -> None:
        """Called once when the session's socket has closed."""


class WireServer:
    """A WebSocket server speaking the WhatsApp wire protocol; an async context manager.

    ``url`` is known once the server has started (``port=0`` picks a free port).
    """

    def __init__(
        self,
        handler: SessionHandler,
        *,
        keys: ServerKeys,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._handler = handler
        self.keys = keys
        self._host = host
        self._port = port
        self._server: Server | None = None

    @property
    def url(self) -> str:
        """The WebSocket URL clients connect to.

        Raises:
            RuntimeError: the server has not started.
        """
        if self._server is None:
            raise RuntimeError("the server has not started")
        port = self._server.sockets[0].getsockname()[1]
        return f"ws://{self._host}:{port}{CHAT_PATH}"

    async def __aenter__(self) -> WireServer:
        self._server = await serve(
            self._serve, self._host, self._port, compression=None, max_size=_MAX_MESSAGE
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

    async def _serve(self, ws: ServerConnection) -> None:
        if ws.request is None or ws.request.path != CHAT_PATH:
            await ws.close(code=1008, reason="unknown path")
            return
        connection = Connection(
            Role.SERVER,
            static_key=self.keys.static,
            rng=os.urandom,
            cert_chain=self.keys.cert_chain,
        )
        session: WireSession | None = None
        try:
            async for message in ws:
                if isinstance(message, str):
                    log.debug("text WebSocket message ignored")
                    continue
                connection.receive_data(message)
                session = await self._dispatch(ws, connection, session)
        except WebSocketClosed:
            pass
        except RemoteProtocolError as exc:
            log.info("closing a connection that broke the protocol: %s", exc)
            await ws.close(code=1002, reason="protocol error")
        finally:
            if session is not None:
                await self._handler.session_ended(session)

    async def _dispatch(
        self, ws: ServerConnection, connection: Connection, session: WireSession | None
    ) -> WireSession | None:
        """Handle every event the data received so far produced; return the session.

        Raises:
            RemoteProtocolError: the handshake or the framing failed (fatal: an oversized
                frame, say); frames that do not decrypt or decode after the handshake are
                logged and skipped, so the rest of the stream is kept.
        """
        while True:
            try:
                event = connection.next_event()
            except RemoteProtocolError as exc:
                if session is None or connection.state is State.ERROR:
                    raise
                log.warning("dropped an undecodable frame: %s", exc)
                continue
            if event is None:
                break
            if isinstance(event, HandshakeComplete):
                session = WireSession(ws, connection, event)
                await self._handler.session_started(session)
            elif isinstance(event, NodeReceived | StreamError) and session is not None:
                await self._handler.node_received(session, event.node)
            elif isinstance(event, ConnectionClosed):
                break
        pending = connection.data_to_send()
        if pending:
            await ws.send(pending)
        return session
