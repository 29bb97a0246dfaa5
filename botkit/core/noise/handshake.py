"""Noise_XX_25519_AESGCM_SHA256 exactly as WhatsApp runs it (PROTOCOL.md §2.1-2.6).

:class:`SymmetricState` holds ``h``, ``ck`` and the handshake cipher. :class:`ClientHandshake`
and :class:`ServerHandshake` drive the three messages for each role; they take and return the
serialized ``HandshakeMessage`` protobufs and know nothing about frames or sockets. Both end in
a pair of :class:`TransportCipher` (our write key, our read key).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from google.protobuf.message import DecodeError as ProtobufDecodeError

from botkit.core.noise.certs import WA_ROOT_PUBLIC_KEY, verify_cert_chain
from botkit.core.noise.cipher import TransportCipher, noise_iv
from botkit.core.noise.framing import INTRO_HEADER
from botkit.core.signal.keys import KEY_SIZE, KeyPair, dh
from botkit.errors import CryptoError, HandshakeError
from botkit.pb import wa6_pb2

__all__ = [
    "NOISE_PROTOCOL_NAME",
    "ClientHandshake",
    "ServerHandshake",
    "SymmetricState",
    "TransportKeys",
]

NOISE_PROTOCOL_NAME = b"Noise_XX_25519_AESGCM_SHA256\x00\x00\x00\x00"


def _hkdf64(ikm: bytes, salt: bytes) -> tuple[bytes, bytes]:
    """Return the two 32-byte halves of HKDF-SHA256(ikm, salt, info=empty, 64)."""
    out = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=b"").derive(ikm)
    return out[:32], out[32:]


@dataclass(frozen=True, slots=True)
class TransportKeys:
    """The transport ciphers one side ends the handshake with."""

    write: TransportCipher
    read: TransportCipher


class SymmetricState:
    """The Noise symmetric state: hash ``h``, chaining key ``ck``, cipher key and nonce."""

    def __init__(self, prologue: bytes = INTRO_HEADER) -> None:
        name = NOISE_PROTOCOL_NAME
        self.h = name if len(name) == 32 else hashlib.sha256(name).digest()
        self.ck = self.h
        self._key = self.h
        self._counter = 0
        self.mix_hash(prologue)

    def mix_hash(self, data: bytes) -> None:
        """Set ``h = SHA256(h || data)``."""
        self.h = hashlib.sha256(self.h + data).digest()

    def mix_key(self, ikm: bytes) -> None:
        """Derive a new chaining key and cipher key from ``ikm``; reset the nonce to 0."""
        self.ck, self._key = _hkdf64(ikm, self.ck)
        self._counter = 0

    def encrypt_and_hash(self, plaintext: bytes) -> bytes:
        """Return ``plaintext`` sealed with AAD ``h``, and mix the ciphertext into ``h``."""
        ciphertext = AESGCM(self._key).encrypt(noise_iv(self._counter), plaintext, self.h)
        self._counter += 1
        self.mix_hash(ciphertext)
        return ciphertext

    def decrypt_and_hash(self, ciphertext: bytes) -> bytes:
        """Return the plaintext of ``ciphertext`` (AAD ``h``) and mix the ciphertext into ``h``.

        Raises:
            HandshakeError: the ciphertext does not authenticate (the nonce still advances).
        """
        iv = noise_iv(self._counter)
        self._counter += 1
        try:
            plaintext = AESGCM(self._key).decrypt(iv, ciphertext, self.h)
        except InvalidTag as exc:
            raise HandshakeError("handshake message failed to decrypt") from exc
        self.mix_hash(ciphertext)
        return plaintext

    def split(self, *, initiator: bool) -> TransportKeys:
        """Return the transport ciphers: the initiator writes with the first key."""
        first, second = _hkdf64(b"", self.ck)
        if initiator:
            return TransportKeys(write=TransportCipher(first), read=TransportCipher(second))
        return TransportKeys(write=TransportCipher(second), read=TransportCipher(first))


def _agree(private_key: bytes, public_key: bytes) -> bytes:
    """Return X25519(private, public) for the handshake.

    Raises:
        HandshakeError: the peer's key is a low-order point.
    """
    try:
        return dh(private_key, public_key)
    except CryptoError as exc:
        raise HandshakeError(f"key agreement failed: {exc}") from exc


def _parse_handshake(data: bytes, field: str) -> wa6_pb2.HandshakeMessage:
    """Return the parsed HandshakeMessage, which must carry ``field``.

    Raises:
        HandshakeError: ``data`` is not a HandshakeMessage or lacks ``field``.
    """
    message = wa6_pb2.HandshakeMessage()
    try:
        message.ParseFromString(data)
    except ProtobufDecodeError as exc:
        raise HandshakeError(f"handshake frame is not a HandshakeMessage: {exc}") from exc
    if not message.HasField(field):
        raise HandshakeError(f"handshake message has no {field}")
    return message


class ClientHandshake:
    """The initiator's side: ClientHello out, ServerHello in, ClientFinish out."""

    def __init__(
        self,
        *,
        static: KeyPair,
        ephemeral: KeyPair,
        client_payload: bytes,
        now: Callable[[], float],
        trust_root: bytes = WA_ROOT_PUBLIC_KEY,
    ) -> None:
        self._static = static
        self._ephemeral = ephemeral
        self._payload = client_payload
        self._now = now
        self._trust_root = trust_root
        self._state = SymmetricState()

    def client_hello(self) -> bytes:
        """Return the serialized ``HandshakeMessage{clientHello}`` (§2.3)."""
        self._state.mix_hash(self._ephemeral.public)
        message = wa6_pb2.HandshakeMessage()
        message.client_hello.ephemeral = self._ephemeral.public
        return bytes(message.SerializeToString())

    def read_server_hello(self, data: bytes) -> tuple[bytes, bytes, TransportKeys]:
        """Process the ServerHello (§2.4-2.5) and build the ClientFinish (§2.6).

        Returns:
            (server static public key, serialized ``HandshakeMessage{clientFinish}``,
            transport keys).

        Raises:
            HandshakeError: the message is malformed or does not decrypt.
            CertificateError: the certificate chain fails a check of §2.5.
        """
        hello = _parse_handshake(data, "server_hello").server_hello
        if len(hello.ephemeral) != KEY_SIZE or not hello.static or not hello.payload:
            raise HandshakeError("ServerHello needs a 32-byte ephemeral, a static and a payload")
        state = self._state
        state.mix_hash(hello.ephemeral)
        state.mix_key(_agree(self._ephemeral.private, hello.ephemeral))
        server_static = state.decrypt_and_hash(hello.static)
        if len(server_static) != KEY_SIZE:
            raise HandshakeError(f"server static key is {len(server_static)} bytes, not 32")
        state.mix_key(_agree(self._ephemeral.private, server_static))
        cert_chain = state.decrypt_and_hash(hello.payload)
        verify_cert_chain(
            cert_chain, static_key=server_static, now=self._now(), trust_root=self._trust_root
        )

        finish = wa6_pb2.HandshakeMessage()
        finish.client_finish.static = state.encrypt_and_hash(self._static.public)
        state.mix_key(_agree(self._static.private, hello.ephemeral))
        finish.client_finish.payload = state.encrypt_and_hash(self._payload)
        keys = state.split(initiator=True)
        return server_static, bytes(finish.SerializeToString()), keys


class ServerHandshake:
    """The responder's side: ClientHello in, ServerHello out, ClientFinish in."""

    def __init__(self, *, static: KeyPair, ephemeral: KeyPair, cert_chain: bytes) -> None:
        self._static = static
        self._ephemeral = ephemeral
        self._cert_chain = cert_chain
        self._state = SymmetricState()
        self._client_ephemeral = b""

    def read_client_hello(self, data: bytes) -> bytes:
        """Process the ClientHello and return the serialized ``HandshakeMessage{serverHello}``.

        Raises:
            HandshakeError: the message is malformed (no 32-byte ephemeral key).
        """
        hello = _parse_handshake(data, "client_hello").client_hello
        if len(hello.ephemeral) != KEY_SIZE:
            raise HandshakeError("ClientHello needs a 32-byte ephemeral key")
        self._client_ephemeral = hello.ephemeral
        state = self._state
        state.mix_hash(hello.ephemeral)
        reply = wa6_pb2.HandshakeMessage()
        reply.server_hello.ephemeral = self._ephemeral.public
        state.mix_hash(self._ephemeral.public)
        state.mix_key(_agree(self._ephemeral.private, hello.ephemeral))
        reply.server_hello.static = state.encrypt_and_hash(self._static.public)
        state.mix_key(_agree(self._static.private, hello.ephemeral))
        reply.server_hello.payload = state.encrypt_and_hash(self._cert_chain)
        return bytes(reply.SerializeToString())

    def read_client_finish(self, data: bytes) -> tuple[bytes, bytes, TransportKeys]:
        """Process the ClientFinish.

        Returns:
            (client static public key, ClientPayload bytes, transport keys).

        Raises:
            HandshakeError: the message is malformed or does not decrypt.
        """
        finish = _parse_handshake(data, "client_finish").client_finish
        if not finish.static or not finish.payload:
            raise HandshakeError("ClientFinish needs a static key and a payload")
        state = self._state
        client_static = state.decrypt_and_hash(finish.static)
        if len(client_static) != KEY_SIZE:
            raise HandshakeError(f"client static key is {len(client_static)} bytes, not 32")
        state.mix_key(_agree(self._ephemeral.private, client_static))
        payload = state.decrypt_and_hash(finish.payload)
        return client_static, payload, state.split(initiator=False)
