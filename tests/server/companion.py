"""A hand-driven companion for sandbox tests: real keys, a real Transport, explicit steps."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from botkit.client.transport import Transport
from botkit.core.binary import Node
from botkit.core.connection import ConnectionClosed, Event, NodeReceived, StreamError
from botkit.core.signal import (
    KeyPair,
    SignedPreKey,
    dh,
    generate_registration_id,
    generate_signed_prekey,
    sign,
    verify,
)
from botkit.core.signal.primitives import hkdf, hmac_sha256
from botkit.pb import adv_pb2, companion_reg_pb2, wa6_pb2
from botkit.server.app import Sandbox
from botkit.types.jid import JID, SERVER_JID

TIMEOUT = 10.0
QR_PREFIX = "https://wa.me/settings/linked_devices#"


class Connected:
    """An open transport with helpers to wait for nodes and to ask IQs."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._ids = 0

    async def event(self) -> Event:
        return await asyncio.wait_for(self.transport.receive(), TIMEOUT)

    async def node(self, tag: str) -> Node:
        """Return the next node with ``tag``, skipping others; fail on a close or stream error."""
        while True:
            event = await self.event()
            if isinstance(event, NodeReceived) and event.node.tag == tag:
                return event.node
            assert not isinstance(event, ConnectionClosed | StreamError), event

    async def closing_node(self) -> Node | None:
        """Return the stream error or failure before the close (None if none), then the close."""
        last: Node | None = None
        while True:
            event = await self.event()
            if isinstance(event, ConnectionClosed):
                return last
            if isinstance(event, StreamError) or (
                isinstance(event, NodeReceived) and event.node.tag == "failure"
            ):
                last = event.node

    async def send(self, node: Node) -> None:
        await self.transport.send(node)

    async def iq(self, xmlns: str, kind: str, content: list[Node] | None = None) -> Node:
        """Send an IQ to the server and return its answer."""
        self._ids += 1
        iq_id = f"t-{self._ids}"
        attrs: dict[str, str | JID] = {"id": iq_id, "xmlns": xmlns, "type": kind, "to": SERVER_JID}
        await self.send(Node("iq", attrs, content))
        while True:
            answer = await self.node("iq")
            if answer.attrs.get("id") == iq_id:
                return answer

    async def close(self) -> None:
        await self.transport.close()


@dataclass
class Companion:
    """A companion's key material, as a fresh client generates it (PROTOCOL.md §6.1)."""

    noise: KeyPair = field(default_factory=lambda: KeyPair.generate(os.urandom(32)))
    identity: KeyPair = field(default_factory=lambda: KeyPair.generate(os.urandom(32)))
    registration_id: int = field(default_factory=lambda: generate_registration_id(os.urandom))
    adv_secret: bytes = field(default_factory=lambda: os.urandom(32))
    signed_pre_key: SignedPreKey = field(init=False)
    jid: JID | None = None

    def __post_init__(self) -> None:
        self.signed_pre_key = generate_signed_prekey(self.identity, 1, os.urandom)

    def registration_payload(self) -> bytes:
        spk = self.signed_pre_key
        props = companion_reg_pb2.DeviceProps(os="botkit-test")
        return wa6_pb2.ClientPayload(
            passive=False,
            device_pairing_data=wa6_pb2.ClientPayload.DevicePairingRegistrationData(
                e_regid=self.registration_id.to_bytes(4, "big"),
                e_keytype=b"\x05",
                e_ident=self.identity.public,
                e_skey_id=spk.key_id.to_bytes(3, "big"),
                e_skey_val=spk.key_pair.public,
                e_skey_sig=spk.signature,
                build_hash=bytes(16),
                device_props=props.SerializeToString(),
            ),
        ).SerializeToString()

    def login_payload(self, jid: JID | None = None) -> bytes:
        jid = jid or self.jid
        assert jid is not None
        return wa6_pb2.ClientPayload(
            username=int(jid.user), device=jid.device, passive=True
        ).SerializeToString()

    async def connect(self, sandbox: Sandbox, payload: bytes) -> Connected:
        return await self.connect_to(sandbox.ws_url, sandbox.keys.root.public, payload)

    async def connect_to(self, url: str, trust_root: bytes, payload: bytes) -> Connected:
        transport = await Transport.open(
            noise_key=self.noise, client_payload=payload, url=url, trust_root=trust_root
        )
        return Connected(transport)

    async def register(self, sandbox: Sandbox) -> tuple[Connected, list[str]]:
        """Connect with a registration payload; answer pair-device; return the refs."""
        conn = await self.connect(sandbox, self.registration_payload())
        iq = await conn.node("iq")
        pair_device = iq.get_child("pair-device")
        assert pair_device is not None and iq.attrs["from"] == SERVER_JID
        await conn.send(Node("iq", {"to": SERVER_JID, "type": "result", "id": iq.attrs["id"]}))
        refs = [bytes(ref.content).decode() for ref in pair_device.get_children("ref")]  # type: ignore[arg-type]
        return conn, refs

    def qr(self, ref: str) -> str:
        keys = (self.noise.public, self.identity.public, self.adv_secret)
        return QR_PREFIX + ",".join([ref, *(base64.b64encode(k).decode() for k in keys), "1"])

    def answer_pair_success(self, iq: Node, *, spoil_signature: bool = False) -> Node:
        """Verify ``pair-success`` as a client must (§6.3) and return the pair-device-sign answer.

        Raises AssertionError when the HMAC or the account signature is wrong.
        """
        success = iq.get_child("pair-success")
        assert success is not None
        container = adv_pb2.ADVSignedDeviceIdentityHMAC.FromString(
            success.get_child("device-identity").content  # type: ignore[arg-type, union-attr]
        )
        assert container.hmac == hmac_sha256(self.adv_secret, container.details), "HMAC"
        signed = adv_pb2.ADVSignedDeviceIdentity.FromString(container.details)
        account_message = b"\x06\x00" + signed.details + self.identity.public
        assert verify(signed.account_signature_key, account_message, signed.account_signature)
        device_message = (
            b"\x06\x01" + signed.details + self.identity.public + signed.account_signature_key
        )
        signature = sign(self.identity.private, device_message, os.urandom(64))
        if spoil_signature:
            signature = bytes([signature[0] ^ 1]) + signature[1:]
        signed.device_signature = signature
        key_index = adv_pb2.ADVDeviceIdentity.FromString(signed.details).key_index
        signed.ClearField("account_signature_key")
        device = success.get_child("device")
        assert device is not None
        self.jid = device.attrs["jid"]  # type: ignore[assignment]
        return Node(
            "iq",
            {"to": SERVER_JID, "type": "result", "id": iq.attrs["id"]},
            [
                Node(
                    "pair-device-sign",
                    {},
                    [
                        Node(
                            "device-identity",
                            {"key-index": str(key_index)},
                            signed.SerializeToString(),
                        )
                    ],
                )
            ],
        )


async def http(
    sandbox: Sandbox, method: str, path: str, body: Any = None, raw: bytes | None = None
) -> tuple[int, Any]:
    """Call the control API; return the status and the decoded JSON body."""
    host_port = sandbox.control_url.removeprefix("http://")
    host, _, port = host_port.partition(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    writer.write(
        f"{method} {path} HTTP/1.1\r\nHost: {host_port}\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n".encode()
        + payload
    )
    response = await asyncio.wait_for(reader.read(), TIMEOUT)
    writer.close()
    head, _, data = response.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(data)


async def pair(sandbox: Sandbox, phone: str, companion: Companion) -> JID:
    """Link ``companion`` to ``phone``'s account by QR, through the control API."""
    conn, refs = await companion.register(sandbox)
    call = asyncio.create_task(
        http(sandbox, "POST", "/control/pair", {"phone": phone, "qr": companion.qr(refs[0])})
    )
    await conn.send(companion.answer_pair_success(await conn.node("iq")))
    closing = await conn.closing_node()
    assert closing is not None and closing.attrs.get("code") == "515"
    status, body = await call
    assert status == 200, body
    return JID.parse(body["device_jid"])


def _code_cipher(code: str, salt: bytes, iv: bytes, data: bytes) -> bytes:
    key = PBKDF2HMAC(algorithm=SHA256(), length=32, salt=salt, iterations=2 << 16).derive(
        code.encode()
    )
    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


@dataclass
class CodeCompanion:
    """The companion side of phone-code linking (§6.4), written from the description."""

    companion: Companion
    code: str = "ABCD1234"
    ephemeral: KeyPair = field(default_factory=lambda: KeyPair.generate(os.urandom(32)))

    def hello(self, phone: str) -> Node:
        salt, iv = os.urandom(32), os.urandom(16)
        wrapped = salt + iv + _code_cipher(self.code, salt, iv, self.ephemeral.public)
        stage = Node(
            "link_code_companion_reg",
            {"jid": JID(phone, "s.whatsapp.net"), "stage": "companion_hello"},
            [
                Node("link_code_pairing_wrapped_companion_ephemeral_pub", {}, wrapped),
                Node("companion_server_auth_key_pub", {}, self.companion.noise.public),
                Node("companion_platform_id", {}, b"1"),
                Node("companion_platform_display", {}, b"Chrome (Linux)"),
                Node("link_code_pairing_nonce", {}, b"\x00"),
            ],
        )
        return stage

    def finish(self, phone: str, notification: Node) -> Node:
        """Open the phone's notification and return the companion_finish stage (new ADV secret)."""
        reg = notification.get_child("link_code_companion_reg")
        assert reg is not None

        def content(tag: str) -> bytes:
            child = reg.get_child(tag)
            assert child is not None and isinstance(child.content, bytes)
            return child.content

        wrapped = content("link_code_pairing_wrapped_primary_ephemeral_pub")
        primary_ephemeral = _code_cipher(self.code, wrapped[:32], wrapped[32:48], wrapped[48:80])
        primary_identity = content("primary_identity_pub")
        shared = dh(self.ephemeral.private, primary_ephemeral)
        salt, nonce, adv_random = os.urandom(32), os.urandom(12), os.urandom(32)
        key = hkdf(
            shared, salt=salt, info=b"link_code_pairing_key_bundle_encryption_key", length=32
        )
        identity = self.companion.identity
        sealed = AESGCM(key).encrypt(nonce, identity.public + primary_identity + adv_random, None)
        identity_shared = dh(identity.private, primary_identity)
        self.companion.adv_secret = hkdf(
            shared + identity_shared + adv_random, salt=None, info=b"adv_secret", length=32
        )
        return Node(
            "link_code_companion_reg",
            {"jid": JID(phone, "s.whatsapp.net"), "stage": "companion_finish"},
            [
                Node("link_code_pairing_wrapped_key_bundle", {}, salt + nonce + sealed),
                Node("companion_identity_public", {}, identity.public),
                Node("link_code_pairing_ref", {}, content("link_code_pairing_ref")),
            ],
        )
