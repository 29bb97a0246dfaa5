"""The two pairwise Signal wire formats: SignalMessage ("msg") and PreKeySignalMessage ("pkmsg").

PROTOCOL.md §8.4::

    msg   = 0x33 || protobuf SignalMessage || MAC[8]
    MAC   = HMAC-SHA256(macKey, senderIdentity33 || receiverIdentity33 || 0x33 || protobuf)[:8]
    pkmsg = 0x33 || protobuf PreKeySignalMessage   (its ``message`` field is a whole msg)

The high nibble of the version byte is the message version; only 3 is spoken. Parsers raise
:class:`~botkit.errors.UnsupportedVersion` for another version and
:class:`~botkit.errors.InvalidMessage` for truncated input, invalid protobuf or missing fields.
Public keys are held raw (32 bytes) and written in their 33-byte ``0x05`` form.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import NamedTuple

from google.protobuf.message import DecodeError as ProtobufDecodeError

from botkit.core.signal.keys import KEY_SIZE, KEY_TYPE_DJB, parse_public_key, serialize_public_key
from botkit.core.signal.primitives import hmac_sha256
from botkit.errors import BadMac, DecodeError, InvalidMessage, UnsupportedVersion
from botkit.pb import signal_wire_pb2 as pb

__all__ = [
    "CURRENT_VERSION",
    "MAC_SIZE",
    "PreKeySignalMessage",
    "SignalMessage",
    "check_version",
    "encode_prekey_message",
    "encode_signal_message",
    "parse_prekey_message",
    "parse_signal_message",
]

CURRENT_VERSION = 3
MAC_SIZE = 8
_VERSION_BYTE = bytes([(CURRENT_VERSION << 4) | CURRENT_VERSION])
_KEY_TYPE = bytes([KEY_TYPE_DJB])
# SignalMessage's protobuf tags (field number << 3 | wire type): ratchet_key (1, bytes),
# counter (2, varint), previous_counter (3, varint), ciphertext (4, bytes).
_SIGNAL_MESSAGE_PREFIX = _VERSION_BYTE + b"\x0a" + bytes([KEY_SIZE + 1]) + _KEY_TYPE
_COUNTER_TAG = b"\x10"
_PREVIOUS_COUNTER_TAG = b"\x18"
_CIPHERTEXT_TAG = b"\x22"
_SMALL_VARINTS = [bytes((i,)) for i in range(0x80)]
_UINT32_MAX = 0xFFFFFFFF


class SignalMessage(NamedTuple):
    """A parsed SignalMessage; ``ratchet_key`` is raw, ``serialized`` the whole wire form.

    A named tuple rather than a frozen dataclass: one is built for every message received, and a
    tuple is built in less than half the time.
    """

    ratchet_key: bytes
    counter: int
    previous_counter: int
    ciphertext: bytes
    serialized: bytes

    def verify_mac(self, mac_key: bytes, sender_identity: bytes, receiver_identity: bytes) -> None:
        """Check the trailing MAC; identities are raw 32-byte keys.

        Raises:
            BadMac: the MAC does not match.
        """
        body = self.serialized[:-MAC_SIZE]
        expected = _mac(mac_key, sender_identity, receiver_identity, body)
        if not hmac.compare_digest(expected, self.serialized[-MAC_SIZE:]):
            raise BadMac("SignalMessage MAC does not match")


@dataclass(frozen=True, slots=True)
class PreKeySignalMessage:
    """A parsed PreKeySignalMessage; keys are raw, ``prekey_id`` is None when none was used."""

    registration_id: int
    prekey_id: int | None
    signed_prekey_id: int
    base_key: bytes
    identity_key: bytes
    message: SignalMessage


def _mac(mac_key: bytes, sender_identity: bytes, receiver_identity: bytes, body: bytes) -> bytes:
    data = _KEY_TYPE + sender_identity + _KEY_TYPE + receiver_identity + body
    return hmac_sha256(mac_key, data)[:MAC_SIZE]


def check_version(data: bytes, what: str) -> None:
    """Raise unless ``data`` starts with a version byte of the version we speak (3).

    Raises:
        InvalidMessage: ``data`` is empty.
        UnsupportedVersion: the high nibble of the first byte is not 3.
    """
    if not data:
        raise InvalidMessage(f"empty {what}")
    version = data[0] >> 4
    if version != CURRENT_VERSION:
        raise UnsupportedVersion(f"{what} version {version} (only {CURRENT_VERSION} is supported)")


def _key(data: bytes, what: str) -> bytes:
    try:
        return parse_public_key(data)
    except DecodeError as exc:
        raise InvalidMessage(f"invalid {what}: {exc}") from exc


def _varint(value: int) -> bytes:
    """Return the protobuf varint of an unsigned 32-bit ``value``.

    Raises:
        ValueError: ``value`` is outside 0 .. 2**32 - 1 (as protobuf's uint32 setter raises).
    """
    if 0 <= value < 0x80:
        return _SMALL_VARINTS[value]
    if 0 < value < 0x4000:  # two bytes: ciphertext lengths of typical messages
        return bytes(((value & 0x7F) | 0x80, value >> 7))
    if not 0 <= value <= _UINT32_MAX:
        raise ValueError(f"{value} is not a uint32")
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_signal_message(
    *,
    mac_key: bytes,
    ratchet_key: bytes,
    counter: int,
    previous_counter: int,
    ciphertext: bytes,
    sender_identity: bytes,
    receiver_identity: bytes,
) -> bytes:
    """Return the wire bytes of a SignalMessage, MAC included; keys are raw 32-byte keys.

    The protobuf is written by hand, byte-identical to ``SerializeToString`` of the message with
    all four fields set (fields in number order; a test compares them): this is done once per
    message sent, where building a protobuf object costs more than the rest of the framing.

    Raises:
        ValueError: ``ratchet_key`` is not 32 bytes, or a counter is not a uint32.
    """
    if len(ratchet_key) != KEY_SIZE:
        raise ValueError(f"a Curve25519 public key is 32 bytes, got {len(ratchet_key)}")
    body = b"".join(
        (
            _SIGNAL_MESSAGE_PREFIX,
            ratchet_key,
            _COUNTER_TAG,
            _varint(counter),
            _PREVIOUS_COUNTER_TAG,
            _varint(previous_counter),
            _CIPHERTEXT_TAG,
            _varint(len(ciphertext)),
            ciphertext,
        )
    )
    return body + _mac(mac_key, sender_identity, receiver_identity, body)


def parse_signal_message(data: bytes) -> SignalMessage:
    """Parse the wire bytes of a SignalMessage (the MAC is checked later, with the keys).

    Raises:
        UnsupportedVersion: the version is not 3.
        InvalidMessage: the message is truncated, its protobuf is invalid or a field is missing.
    """
    check_version(data, "SignalMessage")
    if len(data) <= 1 + MAC_SIZE:
        raise InvalidMessage(f"SignalMessage of {len(data)} bytes is truncated")
    try:
        proto = pb.SignalMessage.FromString(data[1:-MAC_SIZE])
    except ProtobufDecodeError as exc:
        raise InvalidMessage(f"invalid SignalMessage protobuf: {exc}") from exc
    if not (
        proto.HasField("ratchet_key") and proto.HasField("counter") and proto.HasField("ciphertext")
    ):
        raise InvalidMessage("SignalMessage lacks ratchet key, counter or ciphertext")
    ratchet_key = proto.ratchet_key
    if len(ratchet_key) == KEY_SIZE + 1 and ratchet_key[0] == KEY_TYPE_DJB:
        ratchet_key = ratchet_key[1:]  # the usual 33-byte form, without _key()'s call overhead
    else:
        ratchet_key = _key(ratchet_key, "ratchet key")
    return SignalMessage(
        ratchet_key, proto.counter, proto.previous_counter, proto.ciphertext, bytes(data)
    )


def encode_prekey_message(
    *,
    registration_id: int,
    prekey_id: int | None,
    signed_prekey_id: int,
    base_key: bytes,
    identity_key: bytes,
    message: bytes,
) -> bytes:
    """Return the wire bytes of a PreKeySignalMessage wrapping the SignalMessage ``message``."""
    proto = pb.PreKeySignalMessage(
        registration_id=registration_id,
        signed_pre_key_id=signed_prekey_id,
        base_key=serialize_public_key(base_key),
        identity_key=serialize_public_key(identity_key),
        message=message,
    )
    if prekey_id is not None:
        proto.pre_key_id = prekey_id
    return _VERSION_BYTE + proto.SerializeToString()


def parse_prekey_message(data: bytes) -> PreKeySignalMessage:
    """Parse the wire bytes of a PreKeySignalMessage and the SignalMessage inside it.

    A ``preKeyId`` of 0 counts as absent.

    Raises:
        UnsupportedVersion: the outer or inner version is not 3.
        InvalidMessage: the message is truncated, a protobuf is invalid or a field is missing.
    """
    check_version(data, "PreKeySignalMessage")
    try:
        proto = pb.PreKeySignalMessage.FromString(data[1:])
    except ProtobufDecodeError as exc:
        raise InvalidMessage(f"invalid PreKeySignalMessage protobuf: {exc}") from exc
    if not (
        proto.HasField("signed_pre_key_id")
        and proto.HasField("base_key")
        and proto.HasField("identity_key")
        and proto.HasField("message")
    ):
        raise InvalidMessage("PreKeySignalMessage lacks a signed pre-key id, key or message")
    return PreKeySignalMessage(
        registration_id=proto.registration_id,
        prekey_id=proto.pre_key_id or None,
        signed_prekey_id=proto.signed_pre_key_id,
        base_key=_key(proto.base_key, "base key"),
        identity_key=_key(proto.identity_key, "identity key"),
        message=parse_signal_message(proto.message),
    )
