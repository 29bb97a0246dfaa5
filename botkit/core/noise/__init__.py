"""The Noise layer: frames, the XX handshake, transport ciphers and the server certificate chain."""

from botkit.core.noise.certs import (
    INTERMEDIATE_ISSUER_SERIAL,
    WA_ROOT_PUBLIC_KEY,
    create_cert_chain,
    issue_certificate,
    verify_cert_chain,
)
from botkit.core.noise.cipher import TransportCipher
from botkit.core.noise.framing import (
    INTRO_HEADER,
    MAX_FRAME_SIZE,
    FrameReader,
    encode_frame,
)
from botkit.core.noise.handshake import (
    NOISE_PROTOCOL_NAME,
    ClientHandshake,
    ServerHandshake,
    SymmetricState,
    TransportKeys,
)

__all__ = [
    "INTERMEDIATE_ISSUER_SERIAL",
    "INTRO_HEADER",
    "MAX_FRAME_SIZE",
    "NOISE_PROTOCOL_NAME",
    "WA_ROOT_PUBLIC_KEY",
    "ClientHandshake",
    "FrameReader",
    "ServerHandshake",
    "SymmetricState",
    "TransportCipher",
    "TransportKeys",
    "create_cert_chain",
    "encode_frame",
    "issue_certificate",
    "verify_cert_chain",
]
