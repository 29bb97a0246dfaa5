"""Linking a companion (PROTOCOL.md §6.2-6.3): the QR the phone scans, ``pair-success`` and the
companion's ``pair-device-sign`` answer, as the server and the primary phone see them.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass, field

from google.protobuf.message import DecodeError as ProtobufDecodeError

from botkit.core.adv import device_signature_message
from botkit.core.binary import Node
from botkit.core.signal import verify
from botkit.core.signal.primitives import hmac_sha256
from botkit.errors import DecodeError, InvalidSignature, RemoteProtocolError
from botkit.pb import adv_pb2
from botkit.server.phones import SimulatedPhone
from botkit.types.jid import JID, SERVER_JID

__all__ = ["QR_PREFIX", "PairOffer", "QrCode", "check_pair_device_sign", "offer_identity"]

QR_PREFIX = "https://wa.me/settings/linked_devices#"


@dataclass(frozen=True, slots=True)
class QrCode:
    """What a companion's QR code says: the ref and its Noise, identity and ADV keys."""

    ref: str
    noise_key: bytes = field(repr=False)
    identity: bytes = field(repr=False)
    adv_secret: bytes = field(repr=False)
    platform: str = ""

    @classmethod
    def parse(cls, text: str) -> QrCode:
        """Parse ``https://wa.me/settings/linked_devices#ref,noise,identity,adv[,platform]``.

        The older form without the URL prefix and platform is accepted too.

        Raises:
            ValueError: ``text`` is not a QR string of that form with 32-byte keys.
        """
        body = text.removeprefix(QR_PREFIX)
        fields = body.split(",")
        if len(fields) not in (4, 5) or not fields[0]:
            raise ValueError("a QR string has a ref, three base64 keys and a platform")
        try:
            keys = [base64.b64decode(part, validate=True) for part in fields[1:4]]
        except (binascii.Error, ValueError) as exc:
            raise ValueError("a QR key is not base64") from exc
        if any(len(key) != 32 for key in keys):
            raise ValueError("the QR keys must be 32 bytes each")
        platform = fields[4] if len(fields) == 5 else ""
        return cls(fields[0], keys[0], keys[1], keys[2], platform)


@dataclass(frozen=True, slots=True)
class PairOffer:
    """The signed device identity the phone offers a companion in ``pair-success``."""

    details: bytes
    """The serialized ADVDeviceIdentity."""
    account_signature_key: bytes
    account_signature: bytes
    key_index: int
    hmac_container: bytes
    """The ADVSignedDeviceIdentityHMAC sent as ``<device-identity>``."""

    def pair_success(self, iq_id: str, *, device: JID, lid: JID, platform: str, now: int) -> Node:
        """Return the ``pair-success`` IQ that links ``device`` (and its LID twin)."""
        return Node(
            "iq",
            {"from": SERVER_JID, "type": "set", "id": iq_id, "t": str(now)},
            [
                Node(
                    "pair-success",
                    {},
                    [
                        Node("device-identity", {}, self.hmac_container),
                        Node("device", {"jid": device, "lid": lid}),
                        Node("platform", {"name": platform}),
                    ],
                )
            ],
        )


def offer_identity(
    phone: SimulatedPhone,
    *,
    device_id: int,
    key_index: int,
    companion_identity: bytes,
    adv_secret: bytes,
    now: int,
) -> PairOffer:
    """Return the identity ``phone`` signs for a new companion, HMACed with ``adv_secret``."""
    details = adv_pb2.ADVDeviceIdentity(
        raw_id=device_id,
        timestamp=now,
        key_index=key_index,
        account_type=adv_pb2.E2EE,
        device_type=adv_pb2.E2EE,
    ).SerializeToString()
    signature = phone.sign_companion(details, companion_identity)
    signed = adv_pb2.ADVSignedDeviceIdentity(
        details=details,
        account_signature_key=phone.identity.public,
        account_signature=signature,
    ).SerializeToString()
    container = adv_pb2.ADVSignedDeviceIdentityHMAC(
        details=signed, hmac=hmac_sha256(adv_secret, signed), account_type=adv_pb2.E2EE
    ).SerializeToString()
    return PairOffer(details, phone.identity.public, signature, key_index, container)


def check_pair_device_sign(reply: Node, offer: PairOffer, companion_identity: bytes) -> bytes:
    """Check the companion's answer to ``pair-success``; return the identity it signed.

    The returned ADVSignedDeviceIdentity carries the account signature key again (the
    companion strips it before sending), so it is the full record of the link.

    Raises:
        RemoteProtocolError: the companion answered with an IQ error (it rejected the link).
        DecodeError: the answer is not a ``pair-device-sign`` with a signed device identity.
        InvalidSignature: the identity is not the one offered, or the device signature does
            not verify with the companion's identity key.
    """
    if reply.attrs.get("type") == "error":
        error = reply.get_child("error")
        detail = "" if error is None else f"{error.attrs.get('code')} {error.attrs.get('text')}"
        raise RemoteProtocolError(f"the companion rejected the link: {detail}")
    node = reply.get_path("pair-device-sign", "device-identity")
    if node is None or not isinstance(node.content, bytes):
        raise DecodeError("the pair-success answer has no pair-device-sign/device-identity")
    signed = adv_pb2.ADVSignedDeviceIdentity()
    try:
        signed.ParseFromString(node.content)
    except ProtobufDecodeError as exc:
        raise DecodeError("device-identity is not an ADVSignedDeviceIdentity") from exc
    if signed.details != offer.details or not hmac.compare_digest(
        signed.account_signature, offer.account_signature
    ):
        raise InvalidSignature("the companion signed a different device identity")
    message = device_signature_message(
        offer.details, companion_identity, offer.account_signature_key
    )
    if not verify(companion_identity, message, signed.device_signature):
        raise InvalidSignature("the companion's device signature does not verify")
    signed.account_signature_key = offer.account_signature_key
    return signed.SerializeToString()
