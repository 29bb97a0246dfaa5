"""A real Baileys client (makeWASocket) against a server built on botkit's server-role Connection.

Baileys checks our certificate chain (with its root key set to our test root), completes the Noise
handshake, sends its registration ClientPayload, answers our ``pair-device`` IQ and shows a QR
code made from its own keys: every step is the real peer agreeing with our bytes.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from botkit.core.binary import Node
from botkit.core.noise import issue_certificate
from botkit.core.signal import KeyPair, xeddsa
from botkit.pb import cert_pb2, companion_reg_pb2, wa6_pb2
from botkit.server.wire import ServerKeys, SessionHandler, WireServer, WireSession
from botkit.types.jid import SERVER_JID

from .oracle import INTEROP_DIR

SERVER = SERVER_JID
REFS = [f"2@ref-{i}-{'x' * 20}" for i in range(6)]
TIMEOUT = 30.0


@dataclass
class PairingServer(SessionHandler):
    """Sends ``pair-device`` after the handshake and records what the client does."""

    hello: asyncio.Future[WireSession] = field(default_factory=asyncio.Future)
    pair_reply: asyncio.Future[Node] = field(default_factory=asyncio.Future)

    async def session_started(self, session: WireSession) -> None:
        self.hello.set_result(session)
        refs = [Node("ref", {}, ref.encode()) for ref in REFS]
        await session.send(
            Node(
                "iq",
                {"from": SERVER, "type": "set", "id": "pair-1", "xmlns": "md"},
                [Node("pair-device", {}, refs)],
            )
        )

    async def node_received(self, session: WireSession, node: Node) -> None:
        if node.tag == "iq" and node.attrs.get("id") == "pair-1" and not self.pair_reply.done():
            self.pair_reply.set_result(node)


class BaileysClient:
    """``node baileys_client.mjs``: a fresh Baileys socket reporting its events as JSON lines."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def next_event(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), TIMEOUT)
        if not line:
            stderr = b""
            if self.proc.stderr is not None:
                stderr = await self.proc.stderr.read()
            raise AssertionError(f"Baileys exited: {stderr.decode(errors='replace')[-2000:]}")
        event: dict[str, Any] = json.loads(line)
        return event

    async def next_matching(self, key: str) -> dict[str, Any]:
        while True:
            event = await self.next_event()
            if event.get(key):
                return event


@pytest.fixture
async def server_keys() -> ServerKeys:
    return ServerKeys.generate(now=time.time())


async def start_baileys(url: str, root_public: bytes) -> BaileysClient:
    node = shutil.which("node")
    assert node is not None, "the interop tests need Node 20 on PATH"
    proc = await asyncio.create_subprocess_exec(
        node,
        str(INTEROP_DIR / "baileys_client.mjs"),
        url,
        root_public.hex(),
        cwd=INTEROP_DIR,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    return BaileysClient(proc)


@pytest.fixture
async def pairing(server_keys: ServerKeys) -> AsyncIterator[tuple[PairingServer, BaileysClient]]:
    handler = PairingServer()
    async with WireServer(handler, keys=server_keys) as server:
        client = await start_baileys(server.url, server_keys.root.public)
        try:
            yield handler, client
        finally:
            if client.proc.returncode is None:
                client.proc.kill()
            await client.proc.wait()


async def test_baileys_completes_the_handshake_with_its_noise_key(
    pairing: tuple[PairingServer, BaileysClient],
) -> None:
    handler, client = pairing
    creds = await client.next_matching("noise_pub")
    session = await asyncio.wait_for(handler.hello, TIMEOUT)
    assert session.hello.peer_static_key.hex() == creds["noise_pub"]


async def test_baileys_registration_payload_decodes_with_its_keys(
    pairing: tuple[PairingServer, BaileysClient],
) -> None:
    handler, client = pairing
    creds = await client.next_matching("noise_pub")
    payload = (await asyncio.wait_for(handler.hello, TIMEOUT)).hello.client_payload
    assert payload is not None
    assert payload.HasField("passive") and not payload.passive
    assert not payload.HasField("username")
    assert payload.user_agent.platform == wa6_pb2.ClientPayload.UserAgent.WEB
    assert payload.user_agent.app_version.primary == 2
    assert payload.connect_type == wa6_pb2.ClientPayload.WIFI_UNKNOWN
    reg = payload.device_pairing_data
    assert reg.e_regid == creds["registration_id"].to_bytes(4, "big")
    assert reg.e_keytype == b"\x05"
    assert reg.e_ident.hex() == creds["identity_pub"]
    assert reg.e_skey_id == creds["signed_pre_key_id"].to_bytes(3, "big")
    assert reg.e_skey_val.hex() == creds["signed_pre_key_pub"]
    assert xeddsa.verify(reg.e_ident, b"\x05" + reg.e_skey_val, reg.e_skey_sig)
    assert len(reg.build_hash) == 16
    props = companion_reg_pb2.DeviceProps.FromString(reg.device_props)
    assert props.os and props.history_sync_config.storage_quota_mb > 0


async def test_baileys_answers_pair_device_and_shows_a_qr_of_its_keys(
    pairing: tuple[PairingServer, BaileysClient],
) -> None:
    handler, client = pairing
    creds = await client.next_matching("noise_pub")
    reply = await asyncio.wait_for(handler.pair_reply, TIMEOUT)
    assert reply.attrs.get("type") == "result"
    qr = (await client.next_matching("qr"))["qr"]
    prefix = "https://wa.me/settings/linked_devices#"
    assert qr.startswith(prefix)
    ref, noise_b64, identity_b64, adv_b64, _platform = qr[len(prefix) :].split(",")
    assert ref == REFS[0]
    assert base64.b64decode(noise_b64).hex() == creds["noise_pub"]
    assert base64.b64decode(identity_b64).hex() == creds["identity_pub"]
    assert base64.b64decode(adv_b64).hex() == creds["adv_secret"]


async def test_baileys_rejects_a_chain_with_a_wrong_issuer_serial(server_keys: ServerKeys) -> None:
    # Baileys' Curve.verify returns true for any well-formed 64-byte signature (libsignal-node's
    # verifySignature returns the result instead of throwing, and Baileys only catches throws), so
    # the intermediate's issuer serial is the chain check Baileys really makes. botkit's client
    # checks every signature (tests/core/noise and test_client_handshake_interop.py).
    now = int(time.time())
    intermediate = KeyPair.generate(os.urandom(32))
    certs = [
        issue_certificate(
            server_keys.root,
            serial=1,
            issuer_serial=7,
            key=intermediate.public,
            not_before=now - 60,
            not_after=now + 3600,
            random=os.urandom(64),
        ),
        issue_certificate(
            intermediate,
            serial=2,
            issuer_serial=1,
            key=server_keys.static.public,
            not_before=now - 60,
            not_after=now + 3600,
            random=os.urandom(64),
        ),
    ]
    chain = cert_pb2.CertChain(intermediate=certs[0], leaf=certs[1]).SerializeToString()
    bad_keys = ServerKeys(root=server_keys.root, static=server_keys.static, cert_chain=chain)
    handler = PairingServer()
    async with WireServer(handler, keys=bad_keys) as server:
        client = await start_baileys(server.url, bad_keys.root.public)
        try:
            closed = await client.next_matching("connection")
            while closed["connection"] != "close":
                closed = await client.next_matching("connection")
            assert "certification match failed" in (closed["error"] or "")
            assert not handler.hello.done()
        finally:
            if client.proc.returncode is None:
                client.proc.kill()
            await client.proc.wait()
