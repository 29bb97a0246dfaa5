"""A client and a server Connection paired in memory: handshake, nodes, failures."""

from __future__ import annotations

import contextlib
import itertools
import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botkit.core.binary import Node
from botkit.core.connection import (
    Connection,
    ConnectionClosed,
    Event,
    HandshakeComplete,
    NodeReceived,
    Role,
    State,
    StreamError,
)
from botkit.core.noise.certs import create_cert_chain
from botkit.core.noise.framing import EDGE_ROUTING_MAGIC, INTRO_HEADER, encode_frame
from botkit.core.signal import KeyPair
from botkit.errors import (
    CertificateError,
    FrameTooLarge,
    HandshakeError,
    LocalProtocolError,
    RemoteProtocolError,
)
from botkit.pb import wa6_pb2

NOW = 1_800_000_000.0
ROOT = KeyPair.from_private(bytes([1]) * 32)
SERVER_STATIC = KeyPair.from_private(bytes([3]) * 32)
CLIENT_STATIC = KeyPair.from_private(bytes([5]) * 32)
PAYLOAD = wa6_pb2.ClientPayload(push_name="bot", passive=True, username=15550001)
PING = Node("iq", {"id": "1", "type": "get", "xmlns": "w:p"}, [Node("ping")])


def rng(seed: int) -> Callable[[int], bytes]:
    return random.Random(seed).randbytes


CHAIN = create_cert_chain(
    root=ROOT,
    intermediate=KeyPair.from_private(bytes([2]) * 32),
    leaf_key=SERVER_STATIC.public,
    intermediate_serial=1,
    leaf_serial=2,
    not_before=int(NOW) - 60,
    not_after=int(NOW) + 60,
    rng=rng(0),
)


def make_client(now: float = NOW, trust_root: bytes = ROOT.public) -> Connection:
    return Connection(
        Role.CLIENT,
        static_key=CLIENT_STATIC,
        client_payload=PAYLOAD.SerializeToString(),
        now=lambda: now,
        rng=rng(1),
        trust_root=trust_root,
    )


def make_server(**kwargs: int) -> Connection:
    return Connection(Role.SERVER, static_key=SERVER_STATIC, cert_chain=CHAIN, rng=rng(2), **kwargs)


def deliver(conn: Connection, data: bytes, *, chunk: int | None = None) -> list[Event]:
    """Feed ``data`` (in ``chunk``-byte pieces, or all at once) and collect every event."""
    events: list[Event] = []
    pieces = [data] if chunk is None else [data[i : i + chunk] for i in range(0, len(data), chunk)]
    for piece in pieces:
        conn.receive_data(piece)
        events += conn.events()
    return events


def handshake(
    client: Connection, server: Connection, *, chunk: int | None = None
) -> tuple[list[Event], list[Event]]:
    server_events = deliver(server, client.initiate(), chunk=chunk)
    client_events = deliver(client, server.data_to_send(), chunk=chunk)
    server_events += deliver(server, client.data_to_send(), chunk=chunk)
    return client_events, server_events


@pytest.fixture
def pair() -> tuple[Connection, Connection]:
    client, server = make_client(), make_server()
    handshake(client, server)
    return client, server


# -- handshake --------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [None, 1, 7])
def test_handshake_completes_with_the_payload_on_the_server(chunk: int | None) -> None:
    client, server = make_client(), make_server()
    client_events, server_events = handshake(client, server, chunk=chunk)
    assert client_events == [HandshakeComplete(peer_static_key=SERVER_STATIC.public)]
    [done] = server_events
    assert isinstance(done, HandshakeComplete)
    assert done.peer_static_key == CLIENT_STATIC.public
    assert done.client_payload == PAYLOAD
    assert client.state is State.OPEN
    assert server.state is State.OPEN


def test_states_follow_the_handshake() -> None:
    client, server = make_client(), make_server()
    assert (client.state, server.state) == (State.IDLE, State.AWAIT_CLIENT_HELLO)
    deliver(server, client.initiate())
    assert (client.state, server.state) == (State.AWAIT_SERVER_HELLO, State.AWAIT_CLIENT_FINISH)
    deliver(client, server.data_to_send())
    assert client.state is State.OPEN
    deliver(server, client.data_to_send())
    assert server.state is State.OPEN


def test_client_first_bytes_start_with_the_intro_header() -> None:
    assert make_client().initiate().startswith(INTRO_HEADER)


def test_server_accepts_baileys_edge_routing_prefix() -> None:
    client, server = make_client(), make_server()
    hello = client.initiate()
    routing = b"\x08\x01"
    deliver(server, EDGE_ROUTING_MAGIC + len(routing).to_bytes(3, "big") + routing + hello)
    deliver(client, server.data_to_send())
    [done] = deliver(server, client.data_to_send())
    assert isinstance(done, HandshakeComplete)
    assert server.routing_info == routing


def test_nodes_sent_before_draining_the_client_finish_keep_wire_order() -> None:
    client, server = make_client(), make_server()
    deliver(server, client.initiate())
    deliver(client, server.data_to_send())
    events = deliver(server, client.send_node(PING))
    assert isinstance(events[0], HandshakeComplete)
    assert events[1:] == [NodeReceived(PING)]
    assert client.data_to_send() == b""


# -- transport --------------------------------------------------------------------------------


def test_nodes_flow_both_ways(pair: tuple[Connection, Connection]) -> None:
    client, server = pair
    assert deliver(server, client.send_node(PING)) == [NodeReceived(PING)]
    reply = Node("iq", {"id": "1", "type": "result"})
    assert deliver(client, server.send_node(reply)) == [NodeReceived(reply)]


def test_many_frames_advance_the_counters(pair: tuple[Connection, Connection]) -> None:
    client, server = pair
    nodes = [Node("n", {"i": str(i)}, str(i).encode() * (i % 50)) for i in range(600)]
    stream = b"".join(client.send_node(node) for node in nodes)
    assert deliver(server, stream) == [NodeReceived(node) for node in nodes]
    back = b"".join(server.send_node(node) for node in nodes)
    assert deliver(client, back, chunk=997) == [NodeReceived(node) for node in nodes]


def test_frames_split_byte_by_byte(pair: tuple[Connection, Connection]) -> None:
    client, server = pair
    data = client.send_node(PING) + client.send_node(Node("presence"))
    assert deliver(server, data, chunk=1) == [NodeReceived(PING), NodeReceived(Node("presence"))]


@settings(max_examples=30, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=15))
def test_any_split_of_a_whole_session_gives_the_same_events(cuts: list[int]) -> None:
    client, server = make_client(), make_server()
    hello = client.initiate()
    deliver(server, hello)
    deliver(client, server.data_to_send())
    stream = client.data_to_send() + client.send_node(PING) + client.send_node(Node("a"))
    bounds = sorted({0, len(stream), *(c for c in cuts if c < len(stream))})
    events: list[Event] = []
    for start, end in itertools.pairwise(bounds):
        events += deliver(server, stream[start:end])
    assert events[1:] == [NodeReceived(PING), NodeReceived(Node("a"))]


def test_stream_error_becomes_a_stream_error_event(pair: tuple[Connection, Connection]) -> None:
    client, server = pair
    node = Node("stream:error", {"code": "515"})
    assert deliver(client, server.send_node(node)) == [StreamError(515, None, node)]


def test_stream_error_with_conflict(pair: tuple[Connection, Connection]) -> None:
    client, server = pair
    node = Node("stream:error", {}, [Node("conflict", {"type": "replaced"})])
    assert deliver(client, server.send_node(node)) == [StreamError(None, "replaced", node)]


def test_tampered_ciphertext_raises_and_the_counter_advances(
    pair: tuple[Connection, Connection],
) -> None:
    client, server = pair
    bad = bytearray(client.send_node(PING))
    bad[-1] ^= 1
    server.receive_data(bytes(bad) + client.send_node(Node("after")))
    with pytest.raises(RemoteProtocolError, match="failed to decrypt"):
        server.next_event()
    assert server.next_event() == NodeReceived(Node("after"))
    assert server.state is State.OPEN


def test_frame_that_does_not_decode_raises(pair: tuple[Connection, Connection]) -> None:
    client, server = pair
    keys = client._keys  # a valid ciphertext of bytes that are not a node
    assert keys is not None
    server.receive_data(encode_frame(keys.write.encrypt(b"\x00\xff")))
    with pytest.raises(RemoteProtocolError):
        server.next_event()
    assert deliver(server, client.send_node(PING)) == [NodeReceived(PING)]


def test_frame_over_the_limit_is_fatal() -> None:
    server = make_server(max_frame_size=4096)
    server.receive_data(INTRO_HEADER + (4096).to_bytes(3, "big"))
    with pytest.raises(FrameTooLarge):
        server.next_event()
    assert server.state is State.ERROR
    with pytest.raises(RemoteProtocolError):
        server.next_event()


def test_node_too_large_for_a_frame_is_refused(pair: tuple[Connection, Connection]) -> None:
    client, _ = pair
    with pytest.raises(LocalProtocolError):
        client.send_node(Node("big", {}, bytes(1 << 24)))


# -- handshake failures -----------------------------------------------------------------------


def test_server_rejects_garbage_client_hello() -> None:
    server = make_server()
    server.receive_data(INTRO_HEADER + encode_frame(b"\xff\xfe\xfd"))
    with pytest.raises(HandshakeError):
        server.next_event()
    assert server.state is State.ERROR


def test_server_rejects_a_missing_intro_header() -> None:
    server = make_server()
    server.receive_data(encode_frame(b"hello"))
    with pytest.raises(RemoteProtocolError):
        server.next_event()


def test_server_rejects_a_payload_that_is_not_a_client_payload() -> None:
    client = Connection(
        Role.CLIENT,
        static_key=CLIENT_STATIC,
        client_payload=b"\xff\xff",
        now=lambda: NOW,
        rng=rng(1),
        trust_root=ROOT.public,
    )
    server = make_server()
    deliver(server, client.initiate())
    deliver(client, server.data_to_send())
    server.receive_data(client.data_to_send())
    with pytest.raises(HandshakeError, match="not a ClientPayload"):
        server.next_event()


def test_client_rejects_the_chain_under_the_wrong_root() -> None:
    client = make_client(trust_root=KeyPair.from_private(bytes([9]) * 32).public)
    server = make_server()
    deliver(server, client.initiate())
    client.receive_data(server.data_to_send())
    with pytest.raises(CertificateError):
        client.next_event()
    assert client.state is State.ERROR
    with pytest.raises(LocalProtocolError):
        client.send_node(PING)


def test_client_checks_validity_against_its_clock() -> None:
    client, server = make_client(now=NOW + 3600), make_server()
    deliver(server, client.initiate())
    client.receive_data(server.data_to_send())
    with pytest.raises(CertificateError, match="expired"):
        client.next_event()


def test_client_rejects_data_before_initiating() -> None:
    client = make_client()
    client.receive_data(encode_frame(b"x"))
    with pytest.raises(HandshakeError):
        client.next_event()


# -- local misuse and closing -----------------------------------------------------------------


def test_sending_before_the_handshake_raises() -> None:
    with pytest.raises(LocalProtocolError):
        make_client().send_node(PING)


def test_initiate_twice_raises() -> None:
    client = make_client()
    client.initiate()
    with pytest.raises(LocalProtocolError):
        client.initiate()


def test_server_cannot_initiate() -> None:
    with pytest.raises(LocalProtocolError):
        make_server().initiate()


def test_roles_need_their_parameters() -> None:
    with pytest.raises(ValueError):
        Connection(Role.SERVER, static_key=SERVER_STATIC, rng=rng(0))
    with pytest.raises(ValueError):
        Connection(Role.CLIENT, static_key=CLIENT_STATIC, rng=rng(0))


def test_end_of_stream_closes(pair: tuple[Connection, Connection]) -> None:
    client, server = pair
    assert deliver(server, client.send_node(PING)) == [NodeReceived(PING)]
    server.receive_data(b"")
    assert server.next_event() == ConnectionClosed()
    assert server.state is State.CLOSED
    with pytest.raises(LocalProtocolError):
        server.send_node(PING)
    with pytest.raises(LocalProtocolError):
        server.receive_data(b"more")


def test_end_of_stream_inside_a_frame_raises(pair: tuple[Connection, Connection]) -> None:
    client, server = pair
    server.receive_data(client.send_node(PING)[:-1])
    server.receive_data(b"")
    with pytest.raises(RemoteProtocolError, match="inside a frame"):
        server.next_event()


def test_end_of_stream_during_the_handshake_closes() -> None:
    client = make_client()
    client.initiate()
    client.receive_data(b"")
    assert client.next_event() == ConnectionClosed()


def test_sending_after_close_raises(pair: tuple[Connection, Connection]) -> None:
    client, _ = pair
    client.close()
    assert client.state is State.CLOSED
    with pytest.raises(LocalProtocolError):
        client.send_node(PING)
    client.receive_data(b"ignored")
    assert client.next_event() == ConnectionClosed()


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=200), intro=st.booleans())
def test_server_raises_only_remote_protocol_errors_on_any_input(data: bytes, intro: bool) -> None:
    server = make_server()
    server.receive_data((INTRO_HEADER if intro else b"") + data)
    with contextlib.suppress(RemoteProtocolError):
        list(server.events())


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=200))
def test_open_connection_raises_only_remote_protocol_errors_on_any_input(data: bytes) -> None:
    client, server = make_client(), make_server()
    handshake(client, server)
    server.receive_data(encode_frame(data) + data)
    with contextlib.suppress(RemoteProtocolError):
        list(server.events())
