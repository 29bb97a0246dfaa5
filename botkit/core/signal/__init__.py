"""Signal-protocol building blocks: Curve25519 key pairs, X25519 and XEdDSA signatures."""

from botkit.core.signal.keys import (
    KEY_TYPE_DJB,
    KeyPair,
    clamp_private_key,
    dh,
    parse_public_key,
    public_key_from_private,
    serialize_public_key,
)
from botkit.core.signal.xeddsa import sign, verify

__all__ = [
    "KEY_TYPE_DJB",
    "KeyPair",
    "clamp_private_key",
    "dh",
    "parse_public_key",
    "public_key_from_private",
    "serialize_public_key",
    "sign",
    "verify",
]
