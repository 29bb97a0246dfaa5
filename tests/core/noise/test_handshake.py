"""Noise_XX as WhatsApp runs it: both roles, message by message."""

from __future__ import annotations

import contextlib
import hashlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botkit.core.noise.certs import create_cert_chain
from botkit.core.noise.framing import INTRO_HEADER
from botkit.core.noise.handshake import (
    NOISE_PROTOCOL_NAME,
    ClientHandshake,
    ServerHandshake,
    SymmetricState,
)
from botkit.core.signal import KeyPair
from botkit.errors import CertificateError, HandshakeError
from botkit.pb import wa6_pb2

NOW = 1_800_000_000.0
ROOT = KeyPair.from_private(bytes([1]) * 32)
SERVER_STATIC = KeyPair.from_private(bytes([3]) * 32)
CLIENT_STATIC = KeyPair.from_private(bytes([5]) * 32)
PAYLOAD = wa6_pb2.ClientPayload(push_name="bot", passive=True).SerializeToString()


def chain_for(leaf_key: bytes) -> bytes:
    return create_cert_chain(
        root=ROOT,
        intermediate=KeyPair.from_private(bytes([2]) * 32),
        leaf_key=leaf_key,
        intermediate_serial=1,
        leaf_serial=2,
        not_before=int(NOW) - 60,
        not_after=int(NOW) + 60,
        rng=os.urandom,
    )


def make_client() -> ClientHandshake:
    return ClientHandshake(
        static=CLIENT_STATIC,
        ephemeral=KeyPair.generate(os.urandom(32)),
        client_payload=PAYLOAD,
        now=lambda: NOW,
        trust_root=ROOT.public,
    )


def make_server(cert_chain: bytes | None = None) -> ServerHandshake:
    return ServerHandshake(
        static=SERVER_STATIC,
        ephemeral=KeyPair.generate(os.urandom(32)),
        cert_chain=cert_chain if cert_chain is not None else chain_for(SERVER_STATIC.public),
    )


def edit(message: bytes, field: str, attr: str, value: bytes) -> bytes:
    parsed = wa6_pb2.HandshakeMessage()
    parsed.ParseFromString(message)
    setattr(getattr(parsed, field), attr, value)
    return bytes(parsed.SerializeToString())


def flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def test_protocol_name_is_used_as_the_initial_hash() -> None:
    assert len(NOISE_PROTOCOL_NAME) == 32
    state = SymmetricState()
    assert state.h == hashlib.sha256(NOISE_PROTOCOL_NAME + INTRO_HEADER).digest()
    assert state.ck == NOISE_PROTOCOL_NAME


def test_client_hello_carries_the_ephemeral_key() -> None:
    ephemeral = KeyPair.generate(bytes(range(32)))
    client = ClientHandshake(
        static=CLIENT_STATIC, ephemeral=ephemeral, client_payload=b"", now=lambda: NOW
    )
    hello = wa6_pb2.HandshakeMessage()
    hello.ParseFromString(client.client_hello())
    assert hello.client_hello.ephemeral == ephemeral.public


def test_full_handshake_agrees_on_keys_and_identities() -> None:
    client, server = make_client(), make_server()
    server_hello = server.read_client_hello(client.client_hello())
    server_static, finish, client_keys = client.read_server_hello(server_hello)
    client_static, payload, server_keys = server.read_client_finish(finish)
    assert server_static == SERVER_STATIC.public
    assert client_static == CLIENT_STATIC.public
    assert payload == PAYLOAD
    assert server_keys.read.decrypt(client_keys.write.encrypt(b"c2s")) == b"c2s"
    assert client_keys.read.decrypt(server_keys.write.encrypt(b"s2c")) == b"s2c"


def test_server_hello_ciphertexts_have_tags() -> None:
    client, server = make_client(), make_server()
    hello = wa6_pb2.HandshakeMessage()
    hello.ParseFromString(server.read_client_hello(client.client_hello()))
    assert len(hello.server_hello.ephemeral) == 32
    assert len(hello.server_hello.static) == 48


@pytest.mark.parametrize("attr", ["static", "payload"])
def test_client_rejects_tampered_server_hello(attr: str) -> None:
    client, server = make_client(), make_server()
    hello = server.read_client_hello(client.client_hello())
    parsed = wa6_pb2.HandshakeMessage()
    parsed.ParseFromString(hello)
    tampered = edit(hello, "server_hello", attr, flip_last_byte(getattr(parsed.server_hello, attr)))
    with pytest.raises(HandshakeError, match="failed to decrypt"):
        client.read_server_hello(tampered)


def test_client_rejects_short_server_ephemeral() -> None:
    client, server = make_client(), make_server()
    hello = server.read_client_hello(client.client_hello())
    with pytest.raises(HandshakeError, match="32-byte ephemeral"):
        client.read_server_hello(edit(hello, "server_hello", "ephemeral", bytes(31)))


def test_client_rejects_a_chain_for_another_key() -> None:
    client = make_client()
    server = make_server(chain_for(CLIENT_STATIC.public))
    hello = server.read_client_hello(client.client_hello())
    with pytest.raises(CertificateError, match="leaf key"):
        client.read_server_hello(hello)


def test_client_rejects_a_client_hello_instead_of_server_hello() -> None:
    client = make_client()
    hello = client.client_hello()
    with pytest.raises(HandshakeError, match="no server_hello"):
        client.read_server_hello(hello)


@pytest.mark.parametrize(
    "message",
    [
        b"\xff\xff\xff",
        b"",
        wa6_pb2.HandshakeMessage(
            client_hello=wa6_pb2.HandshakeMessage.ClientHello(ephemeral=bytes(31))
        ).SerializeToString(),
        wa6_pb2.HandshakeMessage(
            client_hello=wa6_pb2.HandshakeMessage.ClientHello(ephemeral=bytes(32))
        ).SerializeToString(),  # the zero key is a low-order point
    ],
)
def test_server_rejects_garbage_client_hello(message: bytes) -> None:
    with pytest.raises(HandshakeError):
        make_server().read_client_hello(message)


@settings(max_examples=200, deadline=None)
@given(message=st.binary(max_size=80))
def test_server_raises_only_handshake_error_on_any_client_hello(message: bytes) -> None:
    with contextlib.suppress(HandshakeError):
        make_server().read_client_hello(message)


@pytest.mark.parametrize("attr", ["static", "payload"])
def test_server_rejects_tampered_client_finish(attr: str) -> None:
    client, server = make_client(), make_server()
    _, finish, _ = client.read_server_hello(server.read_client_hello(client.client_hello()))
    parsed = wa6_pb2.HandshakeMessage()
    parsed.ParseFromString(finish)
    tampered = edit(
        finish, "client_finish", attr, flip_last_byte(getattr(parsed.client_finish, attr))
    )
    with pytest.raises(HandshakeError, match="failed to decrypt"):
        server.read_client_finish(tampered)


def test_server_rejects_client_finish_without_payload() -> None:
    client, server = make_client(), make_server()
    _, finish, _ = client.read_server_hello(server.read_client_hello(client.client_hello()))
    with pytest.raises(HandshakeError, match="needs a static key and a payload"):
        server.read_client_finish(edit(finish, "client_finish", "payload", b""))
