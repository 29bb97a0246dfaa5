"""The sans-IO WhatsApp connection: one class for the client and the (sandbox) server role.

Bytes go in with :meth:`Connection.receive_data` (``b""`` means end of stream), typed events come
out of :meth:`Connection.next_event`, and every method that produces output returns the bytes to
write. Frames, the Noise handshake and the binary node codec all run inside; there is no socket,
clock or randomness here: the client gets ``now()`` and both roles get ``rng(n)`` as parameters.

States (one table, ``_TRANSITIONS``)::

    client: IDLE --initiate()--> AWAIT_SERVER_HELLO --ServerHello--> OPEN
    server: AWAIT_CLIENT_HELLO --ClientHello--> AWAIT_CLIENT_FINISH --ClientFinish--> OPEN
    any state --EOF / close()--> CLOSED;  a handshake or framing failure --> ERROR

Error policy: a handshake or framing failure is fatal (state ERROR; later calls raise). A
transport frame that fails to decrypt or to decode raises :class:`RemoteProtocolError` but is not
fatal: the frame is consumed and the read counter has advanced (as whatsmeow and Baileys do), so
the next frame decrypts normally. The caller may carry on or close.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from google.protobuf.message import DecodeError as ProtobufDecodeError

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.noise.certs import WA_ROOT_PUBLIC_KEY
from botkit.core.noise.cipher import TAG_SIZE
from botkit.core.noise.framing import INTRO_HEADER, MAX_FRAME_SIZE, FrameReader, encode_frame
from botkit.core.noise.handshake import ClientHandshake, ServerHandshake, TransportKeys
from botkit.core.signal.keys import KeyPair
from botkit.errors import HandshakeError, LocalProtocolError, ProtocolError, RemoteProtocolError
from botkit.pb import wa6_pb2

__all__ = [
    "Connection",
    "ConnectionClosed",
    "Event",
    "HandshakeComplete",
    "NodeReceived",
    "Role",
    "State",
    "StreamError",
]


class Role(enum.Enum):
    """Which end of the connection we are."""

    CLIENT = "client"
    SERVER = "server"


class State(enum.Enum):
    """Where the connection is; see ``_TRANSITIONS``."""

    IDLE = "idle"
    AWAIT_SERVER_HELLO = "await-server-hello"
    AWAIT_CLIENT_HELLO = "await-client-hello"
    AWAIT_CLIENT_FINISH = "await-client-finish"
    OPEN = "open"
    CLOSED = "closed"
    ERROR = "error"


class _Trigger(enum.Enum):
    INITIATE = "initiate"
    CLIENT_HELLO = "client-hello"
    SERVER_HELLO = "server-hello"
    CLIENT_FINISH = "client-finish"
    END = "end"  # end of stream received, or close() called
    FAIL = "fail"


_LIVE = (
    State.IDLE,
    State.AWAIT_SERVER_HELLO,
    State.AWAIT_CLIENT_HELLO,
    State.AWAIT_CLIENT_FINISH,
    State.OPEN,
)

_TRANSITIONS: dict[tuple[State, _Trigger], State] = {
    (State.IDLE, _Trigger.INITIATE): State.AWAIT_SERVER_HELLO,
    (State.AWAIT_SERVER_HELLO, _Trigger.SERVER_HELLO): State.OPEN,
    (State.AWAIT_CLIENT_HELLO, _Trigger.CLIENT_HELLO): State.AWAIT_CLIENT_FINISH,
    (State.AWAIT_CLIENT_FINISH, _Trigger.CLIENT_FINISH): State.OPEN,
    **{(state, _Trigger.END): State.CLOSED for state in (*_LIVE, State.ERROR)},
    **{(state, _Trigger.FAIL): State.ERROR for state in _LIVE},
}
"""Every allowed (state, trigger) -> next state; anything else is a protocol error."""

_INITIAL_STATE = {Role.CLIENT: State.IDLE, Role.SERVER: State.AWAIT_CLIENT_HELLO}


@dataclass(frozen=True, slots=True)
class HandshakeComplete:
    """The Noise handshake finished; nodes can flow.

    ``peer_static_key`` is the server's static key (client role, already checked against the
    certificate chain) or the client's static key (server role). ``client_payload`` is the
    decoded ``ClientPayload`` on the server role and None on the client role.
    """

    peer_static_key: bytes
    client_payload: wa6_pb2.ClientPayload | None = None


@dataclass(frozen=True, slots=True)
class NodeReceived:
    """A binary node arrived."""

    node: Node


@dataclass(frozen=True, slots=True)
class StreamError:
    """A ``<stream:error>`` node arrived (PROTOCOL.md §3.5).

    ``code`` is the ``code`` attribute as an int (None when absent or not a number);
    ``conflict_type`` is the ``type`` of a ``<conflict>`` child (``replaced``,
    ``device_removed``), if there is one.
    """

    code: int | None
    conflict_type: str | None
    node: Node


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """The peer ended the stream, or we closed the connection."""


Event = HandshakeComplete | NodeReceived | StreamError | ConnectionClosed


def _stream_error(node: Node) -> StreamError:
    """Return the :class:`StreamError` event for a ``<stream:error>`` node."""
    code = node.attrs.get("code")
    conflict = node.get_child("conflict")
    conflict_type = conflict.attrs.get("type") if conflict is not None else None
    return StreamError(
        code=int(code) if isinstance(code, str) and code.isascii() and code.isdigit() else None,
        conflict_type=conflict_type if isinstance(conflict_type, str) else None,
        node=node,
    )


class Connection:
    """One WhatsApp connection, client or server role, with no I/O of its own.

    Client role needs ``static_key`` (the Noise key), ``client_payload`` (serialized
    ``ClientPayload``), ``now`` and ``rng``; ``trust_root`` defaults to WhatsApp's root key.
    Server role needs ``static_key``, ``cert_chain`` (from :func:`create_cert_chain`) and ``rng``.

    Raises:
        ValueError: a parameter the role needs is missing.
    """

    def __init__(
        self,
        role: Role,
        *,
        static_key: KeyPair,
        rng: Callable[[int], bytes],
        client_payload: bytes | None = None,
        now: Callable[[], float] | None = None,
        trust_root: bytes = WA_ROOT_PUBLIC_KEY,
        cert_chain: bytes | None = None,
        max_frame_size: int = MAX_FRAME_SIZE,
    ) -> None:
        self.role = role
        self._static_key = static_key
        self._rng = rng
        self._state = _INITIAL_STATE[role]
        self._reader = FrameReader(expect_intro=role is Role.SERVER, max_frame_size=max_frame_size)
        self._outgoing = bytearray()
        self._eof = False
        self._failure = ""
        self._keys: TransportKeys | None = None
        self._client: ClientHandshake | None = None
        self._server: ServerHandshake | None = None
        if role is Role.CLIENT:
            if client_payload is None or now is None:
                raise ValueError("the client role needs client_payload and now")
            self._client_payload = client_payload
            self._now = now
            self._trust_root = trust_root
        elif cert_chain is None:
            raise ValueError("the server role needs cert_chain")
        else:
            self._cert_chain = cert_chain

    @property
    def state(self) -> State:
        """The current :class:`State`."""
        return self._state

    @property
    def routing_info(self) -> bytes | None:
        """Server role: the edge-routing info the client sent before its intro, if any."""
        return self._reader.routing_info

    def _go(self, trigger: _Trigger) -> None:
        """Move along ``_TRANSITIONS``.

        Raises:
            LocalProtocolError: ``trigger`` is not allowed in the current state.
        """
        try:
            self._state = _TRANSITIONS[self._state, trigger]
        except KeyError:
            raise LocalProtocolError(
                f"{trigger.value} is not allowed in state {self._state.value}"
            ) from None

    # -- output ------------------------------------------------------------------------------

    def initiate(self) -> bytes:
        """Client role: start the handshake; return the intro header and the ClientHello frame.

        Raises:
            LocalProtocolError: not a client, or already initiated.
        """
        if self.role is not Role.CLIENT:
            raise LocalProtocolError("only the client role initiates")
        self._go(_Trigger.INITIATE)
        self._client = ClientHandshake(
            static=self._static_key,
            ephemeral=KeyPair.generate(self._rng(32)),
            client_payload=self._client_payload,
            now=self._now,
            trust_root=self._trust_root,
        )
        return INTRO_HEADER + encode_frame(self._client.client_hello())

    def data_to_send(self) -> bytes:
        """Return (and forget) the bytes the handshake produced that must be written now.

        These are the ServerHello (server role) and the ClientFinish (client role).
        """
        data = bytes(self._outgoing)
        self._outgoing.clear()
        return data

    def send_node(self, node: Node) -> bytes:
        """Return the bytes that carry ``node``: one encrypted frame.

        Any bytes still waiting in :meth:`data_to_send` come first, so the wire order is right
        even if the caller has not drained them.

        Raises:
            LocalProtocolError: the connection is not open (handshake unfinished, closed or
                failed), or the encoded node does not fit in one frame.
        """
        if self._state is not State.OPEN or self._keys is None:
            raise LocalProtocolError(f"cannot send a node in state {self._state.value}")
        plaintext = encode_node(node)
        if len(plaintext) + TAG_SIZE >= MAX_FRAME_SIZE:
            raise LocalProtocolError(f"encoded node of {len(plaintext)} bytes does not fit a frame")
        return self.data_to_send() + encode_frame(self._keys.write.encrypt(plaintext))

    def close(self) -> None:
        """Mark the connection closed by us; later sends raise and received data is ignored."""
        if self._state is not State.CLOSED:
            self._go(_Trigger.END)

    # -- input -------------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Feed bytes read from the transport; ``b""`` means the peer ended the stream.

        Raises:
            LocalProtocolError: data after the end of the stream was already fed.
        """
        if self._eof:
            raise LocalProtocolError("receive_data() after the end of the stream")
        if self._state is State.CLOSED:
            return
        if data:
            self._reader.feed(data)
        else:
            self._eof = True

    def next_event(self) -> Event | None:
        """Return the next event, or None if more data is needed.

        Raises:
            RemoteProtocolError: the peer broke the protocol (subclasses: FrameTooLarge,
                HandshakeError, CertificateError, DecodeError). See the module docstring for
                which failures are fatal.
        """
        if self._state is State.ERROR:
            raise RemoteProtocolError(f"connection failed earlier: {self._failure}")
        if self._state is State.CLOSED:
            return ConnectionClosed()
        while True:
            try:
                frame = self._reader.next_frame()
                if frame is None:
                    return self._end_of_data()
                keys = self._keys
                if self._state is State.OPEN and keys is not None:
                    break
                event = self._handshake_frame(frame)
            except ProtocolError as exc:
                self._failure = str(exc)
                self._go(_Trigger.FAIL)
                raise
            if event is not None:
                return event
        # Outside the try: a bad transport frame is not fatal (see the module docstring).
        return self._transport_frame(frame, keys)

    def events(self) -> Iterator[Event]:
        """Yield events until more data is needed (or the connection closed).

        Raises:
            RemoteProtocolError: as :meth:`next_event`.
        """
        while (event := self.next_event()) is not None:
            yield event
            if isinstance(event, ConnectionClosed):
                return

    def _end_of_data(self) -> ConnectionClosed | None:
        """Return ConnectionClosed if the stream ended cleanly, None if we wait for more.

        Raises:
            RemoteProtocolError: the stream ended in the middle of a frame.
        """
        if not self._eof:
            return None
        if self._reader.buffered:
            raise RemoteProtocolError(
                f"stream ended inside a frame ({self._reader.buffered} bytes)"
            )
        self._go(_Trigger.END)
        return ConnectionClosed()

    def _handshake_frame(self, frame: bytes) -> HandshakeComplete | None:
        """Run one handshake step; return HandshakeComplete when the handshake ends.

        Raises:
            HandshakeError: the frame is not the expected handshake message.
            CertificateError: (client role) the server's certificate chain is not valid.
        """
        if self._state is State.AWAIT_CLIENT_HELLO:
            self._server = ServerHandshake(
                static=self._static_key,
                ephemeral=KeyPair.generate(self._rng(32)),
                cert_chain=self._cert_chain,
            )
            self._outgoing += encode_frame(self._server.read_client_hello(frame))
            self._go(_Trigger.CLIENT_HELLO)
            return None
        if self._state is State.AWAIT_CLIENT_FINISH and self._server is not None:
            client_static, payload_bytes, self._keys = self._server.read_client_finish(frame)
            payload = wa6_pb2.ClientPayload()
            try:
                payload.ParseFromString(payload_bytes)
            except ProtobufDecodeError as exc:
                raise HandshakeError("ClientFinish payload is not a ClientPayload") from exc
            self._go(_Trigger.CLIENT_FINISH)
            return HandshakeComplete(peer_static_key=client_static, client_payload=payload)
        if self._state is State.AWAIT_SERVER_HELLO and self._client is not None:
            server_static, finish, self._keys = self._client.read_server_hello(frame)
            self._outgoing += encode_frame(finish)
            self._go(_Trigger.SERVER_HELLO)
            return HandshakeComplete(peer_static_key=server_static)
        raise HandshakeError(f"unexpected frame in state {self._state.value}")

    def _transport_frame(self, frame: bytes, keys: TransportKeys) -> NodeReceived | StreamError:
        """Decrypt and decode one transport frame.

        Raises:
            RemoteProtocolError: the frame does not decrypt (read counter advanced) or does not
                decode as a node (DecodeError); the connection stays open.
        """
        node = decode_node(keys.read.decrypt(frame))
        if node.tag == "stream:error":
            return _stream_error(node)
        return NodeReceived(node)
