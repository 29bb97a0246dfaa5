"""ADV device identities (PROTOCOL.md §6.3): what the companion checks and signs at pairing.

The phone proves a new companion belongs to the account: it signs ``06 00 ‖ details ‖ companion
identity`` with the account key, wraps that in an ``ADVSignedDeviceIdentity`` and HMACs the result
with the ADV secret the companion showed in its QR code. The companion checks both, then signs
``06 01 ‖ details ‖ companion identity ‖ account key`` with its own identity key. Pure functions;
the random bytes a signature needs are parameters.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from google.protobuf.message import DecodeError as ProtobufDecodeError

from botkit.core.signal import sign, verify
from botkit.core.signal.keys import KeyPair
from botkit.core.signal.primitives import hmac_sha256
from botkit.errors import BadMac, DecodeError, InvalidSignature
from botkit.pb import adv_pb2

__all__ = [
    "ACCOUNT_SIGNATURE_PREFIX",
    "DEVICE_SIGNATURE_PREFIX",
    "HOSTED_ACCOUNT_SIGNATURE_PREFIX",
    "HOSTED_DEVICE_SIGNATURE_PREFIX",
    "DeviceIdentity",
    "account_signature_message",
    "device_signature_message",
    "open_device_identity",
    "sign_device_identity",
]

ACCOUNT_SIGNATURE_PREFIX = b"\x06\x00"
DEVICE_SIGNATURE_PREFIX = b"\x06\x01"
HOSTED_ACCOUNT_SIGNATURE_PREFIX = b"\x06\x05"
HOSTED_DEVICE_SIGNATURE_PREFIX = b"\x06\x06"


def account_signature_message(details: bytes, companion_identity: bytes, *, hosted: bool) -> bytes:
    """Return what the account key signs for a companion: ``06 00|06 05 ‖ details ‖ identity``."""
    prefix = HOSTED_ACCOUNT_SIGNATURE_PREFIX if hosted else ACCOUNT_SIGNATURE_PREFIX
    return prefix + details + companion_identity


def device_signature_message(
    details: bytes, companion_identity: bytes, account_signature_key: bytes
) -> bytes:
    """Return what the companion signs: ``06 01 ‖ details ‖ identity ‖ account key``."""
    return DEVICE_SIGNATURE_PREFIX + details + companion_identity + account_signature_key


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """A verified ``ADVSignedDeviceIdentity`` of ``pair-success`` (not yet device-signed)."""

    details: bytes
    """The serialized ADVDeviceIdentity the account signed."""
    account_signature_key: bytes
    account_signature: bytes = field(repr=False)
    key_index: int
    device_id: int
    hosted: bool


def open_device_identity(
    container: bytes, adv_secret: bytes, companion_identity: bytes
) -> DeviceIdentity:
    """Check the ``<device-identity>`` of ``pair-success`` (§6.3 steps 1-4); return it.

    Raises:
        DecodeError: a protobuf does not parse, or a key or signature has the wrong size.
        BadMac: the HMAC does not match ``adv_secret`` (``401 hmac-mismatch``).
        InvalidSignature: the account signature does not verify (``401 signature-mismatch``).
    """
    try:
        wrapper = adv_pb2.ADVSignedDeviceIdentityHMAC.FromString(container)
        signed = adv_pb2.ADVSignedDeviceIdentity.FromString(wrapper.details)
        details = adv_pb2.ADVDeviceIdentity.FromString(signed.details)
    except ProtobufDecodeError as exc:
        raise DecodeError("the device identity is not an ADV protobuf") from exc
    hosted_account = wrapper.account_type == adv_pb2.HOSTED
    mac_input = (HOSTED_ACCOUNT_SIGNATURE_PREFIX if hosted_account else b"") + wrapper.details
    if not hmac.compare_digest(hmac_sha256(adv_secret, mac_input), wrapper.hmac):
        raise BadMac("the device identity HMAC does not match the ADV secret")
    if len(signed.account_signature_key) != 32 or len(signed.account_signature) != 64:
        raise DecodeError("the account signature key or signature has the wrong size")
    hosted = details.device_type == adv_pb2.HOSTED
    message = account_signature_message(signed.details, companion_identity, hosted=hosted)
    if not verify(signed.account_signature_key, message, signed.account_signature):
        raise InvalidSignature("the account signature of the device identity does not verify")
    return DeviceIdentity(
        details=signed.details,
        account_signature_key=signed.account_signature_key,
        account_signature=signed.account_signature,
        key_index=details.key_index,
        device_id=details.raw_id,
        hosted=hosted,
    )


def sign_device_identity(
    identity: DeviceIdentity, companion: KeyPair, random: bytes
) -> tuple[bytes, bytes]:
    """Sign ``identity`` with the companion's identity key (§6.3 steps 5-8).

    ``random`` is the 64 random bytes of the XEdDSA signature. Returns the full signed
    ``ADVSignedDeviceIdentity`` to keep (sent later as ``<device-identity>``) and the same
    without the account signature key, which answers ``pair-success``.
    """
    message = device_signature_message(
        identity.details, companion.public, identity.account_signature_key
    )
    signed = adv_pb2.ADVSignedDeviceIdentity(
        details=identity.details,
        account_signature=identity.account_signature,
        device_signature=sign(companion.private, message, random),
    )
    reply = signed.SerializeToString()
    signed.account_signature_key = identity.account_signature_key
    return signed.SerializeToString(), reply
