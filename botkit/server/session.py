"""One client connection's state in the sandbox: who it is, and the IQs we wait answers for."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import DecodeError as ProtobufDecodeError

from botkit.core.binary import Node
from botkit.errors import DecodeError
from botkit.pb import companion_reg_pb2, wa6_pb2
from botkit.server.wire import WireSession
from botkit.server.world import Device, SignedKey

__all__ = ["ChatSession", "Registration"]

_ids = itertools.count(1)


def _iq_id(iq: Node) -> str:
    value = iq.attrs.get("id", "")
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True, slots=True)
class Registration:
    """The keys a new companion sent in its registration ClientPayload (PROTOCOL.md §3.3)."""

    noise_key: bytes = field(repr=False)
    identity: bytes = field(repr=False)
    registration_id: int
    signed_pre_key: SignedKey = field(repr=False)
    platform: str

    @classmethod
    def from_payload(cls, noise_key: bytes, payload: wa6_pb2.ClientPayload) -> Registration:
        """Read the registration data of ``payload``.

        Raises:
            DecodeError: a field is missing or has the wrong size.
        """
        data = payload.device_pairing_data
        if (
            len(data.e_regid) != 4
            or data.e_keytype != b"\x05"
            or len(data.e_ident) != 32
            or len(data.e_skey_id) != 3
            or len(data.e_skey_val) != 32
            or len(data.e_skey_sig) != 64
        ):
            raise DecodeError("devicePairingData is incomplete or has wrong sizes")
        props = companion_reg_pb2.DeviceProps()
        try:
            props.ParseFromString(data.device_props)
        except ProtobufDecodeError as exc:
            raise DecodeError("deviceProps is not a DeviceProps message") from exc
        return cls(
            noise_key=noise_key,
            identity=data.e_ident,
            registration_id=int.from_bytes(data.e_regid, "big"),
            signed_pre_key=SignedKey(
                int.from_bytes(data.e_skey_id, "big"), data.e_skey_val, data.e_skey_sig
            ),
            platform=props.os or "unknown",
        )


class ChatSession:
    """A handshaken connection: a registering companion, or a logged-in ``device``."""

    def __init__(self, wire: WireSession) -> None:
        self.wire = wire
        self.device: Device | None = None
        """The logged-in device; None until login succeeds (and while registering)."""
        self.registration: Registration | None = None
        """The registering companion's keys; None for a login."""
        self.refs: list[str] = []
        """The pairing refs sent to a registering companion, oldest first."""
        self.current_ref: str | None = None
        self._waiting: dict[str, asyncio.Future[Node]] = {}
        self.closed = asyncio.Event()

    @property
    def noise_key(self) -> bytes:
        """The Noise static key the client proved it holds."""
        return self.wire.hello.peer_static_key

    @staticmethod
    def next_id() -> str:
        """Return a fresh id for a server-initiated stanza."""
        return f"srv-{next(_ids)}"

    async def send(self, node: Node) -> None:
        """Send ``node`` to the client (dropped if the socket is gone)."""
        await self.wire.send(node)

    async def request(self, iq: Node, timeout: float) -> Node:
        """Send a server IQ and return the client's answer (a result or an error IQ).

        Raises:
            TimeoutError: no answer within ``timeout`` seconds, or the connection closed.
        """
        iq_id = _iq_id(iq)
        waiter: asyncio.Future[Node] = asyncio.get_running_loop().create_future()
        self._waiting[iq_id] = waiter
        try:
            await self.send(iq)
            closed = asyncio.ensure_future(self.closed.wait())
            either: set[asyncio.Future[Any]] = {waiter, closed}
            try:
                done, _ = await asyncio.wait(
                    either, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                closed.cancel()
            if waiter not in done:
                raise TimeoutError(f"no answer to IQ {iq_id}")
            return waiter.result()
        finally:
            self._waiting.pop(iq_id, None)

    def answer_received(self, node: Node) -> bool:
        """Hand a client IQ result/error to the request waiting for it; True if one was."""
        waiter = self._waiting.get(_iq_id(node))
        if waiter is None or waiter.done():
            return False
        waiter.set_result(node)
        return True

    async def end(self, last: Node | None = None) -> None:
        """Send ``last`` (a stream error or failure) if given, then close the connection."""
        if last is not None:
            await self.send(last)
        await self.wire.close()
        self.ended()

    def ended(self) -> None:
        """Mark the session over, waking any request still waiting for an answer."""
        self.closed.set()
