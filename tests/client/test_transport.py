"""botkit's client transport against the wire server over a real loopback WebSocket.

The handshake completes and nodes flow both ways; a server whose certificate chain is wrong in any
of the ways PROTOCOL.md §2.5 lists is refused before a single node is sent.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

import pytest

from botkit.client.transport import Transport
from botkit.core.binary import Node
from botkit.core.connection import ConnectionClosed, NodeReceived, StreamError
from botkit.core.noise import issue_certificate
from botkit.core.signal import KeyPair
from botkit.errors import CertificateError, NotConnected
from botkit.pb import cert_pb2, wa6_pb2
from botkit.server.wire import ServerKeys, SessionHandler, WireServer, WireSession
from botkit.types.jid import SERVER_JID

SERVER = SERVER_JID
PAYLOAD = wa6_pb2.ClientPayload(username=15550001111, device=3, passive=True).SerializeToString()


@dataclass
class EchoServer(SessionHandler):
    """Answers every IQ with a result carrying the same id; records sessions."""

    sessions: list[WireSession] = field(default_factory=list)
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    async def session_started(self, session: WireSession) -> None:
        self.sessions.append(session)

    async def node_received(self, session: WireSession, node: Node) -> None:
        if node.tag == "iq":
            await session.send(Node("iq", {"id": node.attrs["id"], "type": "result"}))
        elif node.tag == "bye":
            await session.send(Node("stream:error", {"code": "515"}))
            await session.close()

    async def session_ended(self, session: WireSession) -> None:
        self.ended.set()


@pytest.fixture
def keys() -> ServerKeys:
    return ServerKeys.generate(now=time.time())


@pytest.fixture
async def server(keys: ServerKeys) -> AsyncIterator[tuple[WireServer, EchoServer]]:
    handler = EchoServer()
    async with WireServer(handler, keys=keys) as running:
        yield running, handler


async def open_client(url: str, root: bytes) -> Transport:
    return await Transport.open(
        url=url,
        noise_key=KeyPair.generate(os.urandom(32)),
        client_payload=PAYLOAD,
        trust_root=root,
        open_timeout=10,
    )


async def test_handshake_carries_keys_and_payload_both_ways(
    server: tuple[WireServer, EchoServer], keys: ServerKeys
) -> None:
    wire, handler = server
    noise_key = KeyPair.generate(os.urandom(32))
    async with await Transport.open(
        url=wire.url, noise_key=noise_key, client_payload=PAYLOAD, trust_root=keys.root.public
    ) as transport:
        assert transport.hello.peer_static_key == keys.static.public
        await transport.send(Node("iq", {"id": "1", "type": "get", "xmlns": "w:p", "to": SERVER}))
        await asyncio.wait_for(transport.receive(), 10)
    (session,) = handler.sessions
    assert session.hello.peer_static_key == noise_key.public
    assert session.hello.client_payload is not None
    assert session.hello.client_payload.username == 15550001111


async def test_many_nodes_round_trip_in_order(
    server: tuple[WireServer, EchoServer], keys: ServerKeys
) -> None:
    wire, _ = server
    async with await open_client(wire.url, keys.root.public) as transport:
        for i in range(200):
            await transport.send(Node("iq", {"id": str(i), "type": "get"}, b"x" * i))
        ids = []
        for _ in range(200):
            event = await asyncio.wait_for(transport.receive(), 10)
            assert isinstance(event, NodeReceived)
            ids.append(event.node.attrs["id"])
    assert ids == [str(i) for i in range(200)]


async def test_stream_error_then_close_reach_the_client(
    server: tuple[WireServer, EchoServer], keys: ServerKeys
) -> None:
    wire, handler = server
    async with await open_client(wire.url, keys.root.public) as transport:
        await transport.send(Node("bye", {}))
        event = await asyncio.wait_for(transport.receive(), 10)
        assert isinstance(event, StreamError) and event.code == 515
        assert isinstance(await asyncio.wait_for(transport.receive(), 10), ConnectionClosed)
    await asyncio.wait_for(handler.ended.wait(), 10)


async def test_connect_to_a_closed_port_raises_not_connected() -> None:
    with pytest.raises(NotConnected):
        await open_client("ws://127.0.0.1:1/ws/chat", os.urandom(32))


# -- certificate chains wrong in each way of PROTOCOL.md §2.5 ------------------------------------

NOW = int(time.time())


@dataclass(frozen=True)
class ChainSpec:
    """What goes into the chain; every default makes a valid one."""

    root_signs: bool = True  # False: another key signs the intermediate
    intermediate_signs: bool = True  # False: another key signs the leaf
    intermediate_issuer_serial: int = 0
    leaf_issuer_serial: int = 1
    leaf_is_static: bool = True
    intermediate_window: tuple[int, int] = (NOW - 60, NOW + 3600)
    leaf_window: tuple[int, int] = (NOW - 60, NOW + 3600)
    leaf_signature_size: int = 64
    intermediate_key_size: int = 32


def build_chain(keys: ServerKeys, spec: ChainSpec) -> bytes:
    intermediate = KeyPair.generate(os.urandom(32))
    stranger = KeyPair.generate(os.urandom(32))
    inter_cert = issue_certificate(
        keys.root if spec.root_signs else stranger,
        serial=1,
        issuer_serial=spec.intermediate_issuer_serial,
        key=intermediate.public[: spec.intermediate_key_size],
        not_before=spec.intermediate_window[0],
        not_after=spec.intermediate_window[1],
        random=os.urandom(64),
    )
    leaf_cert = issue_certificate(
        intermediate if spec.intermediate_signs else stranger,
        serial=2,
        issuer_serial=spec.leaf_issuer_serial,
        key=keys.static.public if spec.leaf_is_static else stranger.public,
        not_before=spec.leaf_window[0],
        not_after=spec.leaf_window[1],
        random=os.urandom(64),
    )
    leaf_cert.signature = leaf_cert.signature[: spec.leaf_signature_size]
    return cert_pb2.CertChain(intermediate=inter_cert, leaf=leaf_cert).SerializeToString()


WRONG_CHAINS: dict[str, tuple[ChainSpec, str]] = {
    "root signature": (ChainSpec(root_signs=False), "intermediate signature"),
    "leaf signature": (ChainSpec(intermediate_signs=False), "leaf signature"),
    "intermediate issuer serial": (ChainSpec(intermediate_issuer_serial=5), "issuer serial"),
    "leaf issuer serial": (ChainSpec(leaf_issuer_serial=9), "leaf issuer serial"),
    "leaf key is not the static key": (ChainSpec(leaf_is_static=False), "static key"),
    "intermediate expired": (ChainSpec(intermediate_window=(NOW - 7200, NOW - 3600)), "expired"),
    "intermediate not yet valid": (
        ChainSpec(intermediate_window=(NOW + 3600, NOW + 7200)),
        "not valid yet",
    ),
    "leaf expired": (ChainSpec(leaf_window=(NOW - 7200, NOW - 3600)), "expired"),
    "leaf signature not 64 bytes": (ChainSpec(leaf_signature_size=63), "not 64"),
    "intermediate key not 32 bytes": (ChainSpec(intermediate_key_size=31), "not 32"),
}


@pytest.mark.parametrize("case", sorted(WRONG_CHAINS))
async def test_client_refuses_a_wrong_chain(keys: ServerKeys, case: str) -> None:
    spec, message = WRONG_CHAINS[case]
    bad = replace(keys, cert_chain=build_chain(keys, spec))
    handler = EchoServer()
    async with WireServer(handler, keys=bad) as wire:
        with pytest.raises(CertificateError, match=message):
            await open_client(wire.url, keys.root.public)
    assert handler.sessions == []


async def test_the_valid_spec_builds_an_accepted_chain(keys: ServerKeys) -> None:
    good = replace(keys, cert_chain=build_chain(keys, ChainSpec()))
    async with WireServer(EchoServer(), keys=good) as wire:
        transport = await open_client(wire.url, keys.root.public)
        await transport.close()
    assert transport.hello.peer_static_key == keys.static.public
