"""The wire server: a server-role Connection per WebSocket, robust against bad input."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed as WebSocketClosed

from botkit.core.binary import Node
from botkit.core.connection import Connection, HandshakeComplete, Role
from botkit.core.signal import KeyPair
from botkit.pb import wa6_pb2
from botkit.server.wire import ServerKeys, SessionHandler, WireServer, WireSession

PAYLOAD = wa6_pb2.ClientPayload(username=1, device=1, passive=True).SerializeToString()


@dataclass
class Recorder(SessionHandler):
    started: list[WireSession] = field(default_factory=list)
    nodes: asyncio.Queue[Node] = field(default_factory=asyncio.Queue)

    async def session_started(self, session: WireSession) -> None:
        self.started.append(session)

    async def node_received(self, session: WireSession, node: Node) -> None:
        await self.nodes.put(node)


@pytest.fixture
def keys() -> ServerKeys:
    return ServerKeys.generate(now=time.time())


@pytest.fixture
async def served(keys: ServerKeys) -> AsyncIterator[tuple[WireServer, Recorder]]:
    recorder = Recorder()
    async with WireServer(recorder, keys=keys) as server:
        yield server, recorder


async def handshake(ws: ClientConnection, keys: ServerKeys) -> Connection:
    """Complete the client side of the handshake by hand over ``ws``."""
    conn = Connection(
        Role.CLIENT,
        static_key=KeyPair.generate(os.urandom(32)),
        client_payload=PAYLOAD,
        now=time.time,
        rng=os.urandom,
        trust_root=keys.root.public,
    )
    await ws.send(conn.initiate())
    conn.receive_data(await ws.recv(decode=False))
    assert isinstance(conn.next_event(), HandshakeComplete)
    await ws.send(conn.data_to_send())
    return conn


async def test_garbage_client_hello_closes_the_socket_with_a_protocol_error(
    served: tuple[WireServer, Recorder],
) -> None:
    server, recorder = served
    async with connect(server.url, compression=None, proxy=None) as ws:
        await ws.send(b"WA\x06\x03\x00\x00\x05garba")
        with pytest.raises(WebSocketClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1002
    assert recorder.started == []


async def test_a_corrupted_frame_is_skipped_and_the_stream_goes_on(
    served: tuple[WireServer, Recorder], keys: ServerKeys
) -> None:
    server, recorder = served
    async with connect(server.url, compression=None, proxy=None) as ws:
        conn = await handshake(ws, keys)
        spoiled = bytearray(conn.send_node(Node("first", {})))
        spoiled[-1] ^= 0x01
        await ws.send(bytes(spoiled))
        await ws.send(conn.send_node(Node("second", {})))
        node = await asyncio.wait_for(recorder.nodes.get(), 10)
    assert node.tag == "second"
    assert recorder.nodes.empty()


async def test_frames_split_and_coalesced_across_messages_all_arrive(
    served: tuple[WireServer, Recorder], keys: ServerKeys
) -> None:
    server, recorder = served
    async with connect(server.url, compression=None, proxy=None) as ws:
        conn = await handshake(ws, keys)
        stream = b"".join(conn.send_node(Node("n", {"i": str(i)})) for i in range(20))
        for start in range(0, len(stream), 7):
            await ws.send(stream[start : start + 7])
        got = [(await asyncio.wait_for(recorder.nodes.get(), 10)).attrs["i"] for _ in range(20)]
    assert got == [str(i) for i in range(20)]


async def test_unknown_path_is_refused(served: tuple[WireServer, Recorder]) -> None:
    server, recorder = served
    async with connect(
        server.url.replace("/ws/chat", "/other"), compression=None, proxy=None
    ) as ws:
        with pytest.raises(WebSocketClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert recorder.started == []
