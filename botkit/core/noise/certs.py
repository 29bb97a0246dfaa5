"""The server's Noise certificate chain: issuing it (server side) and checking it (client side).

The chain (PROTOCOL.md §2.5) is a ``CertChain`` protobuf of two ``NoiseCertificate`` s: an
intermediate signed by the root key (``issuerSerial`` 0) and a leaf signed by the intermediate,
whose key is the server's Noise static key. Signatures are XEdDSA over the exact serialized
``Details`` bytes. The client verifies every check whatsmeow makes, in whatsmeow's order.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from google.protobuf.message import DecodeError as ProtobufDecodeError

from botkit.core.signal.keys import KEY_SIZE, KeyPair
from botkit.core.signal.xeddsa import RANDOM_SIZE, SIGNATURE_SIZE, sign, verify
from botkit.errors import CertificateError
from botkit.pb import cert_pb2

__all__ = [
    "INTERMEDIATE_ISSUER_SERIAL",
    "WA_ROOT_PUBLIC_KEY",
    "create_cert_chain",
    "issue_certificate",
    "verify_cert_chain",
]

WA_ROOT_PUBLIC_KEY = bytes.fromhex(
    "142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b"
)
INTERMEDIATE_ISSUER_SERIAL = 0


def issue_certificate(
    signer: KeyPair,
    *,
    serial: int,
    issuer_serial: int,
    key: bytes,
    not_before: int,
    not_after: int,
    random: bytes,
) -> cert_pb2.CertChain.NoiseCertificate:
    """Return a ``NoiseCertificate`` for ``key`` signed by ``signer``.

    ``random`` is the 64 random bytes the XEdDSA signature needs.

    Raises:
        ValueError: ``random`` is not 64 bytes.
    """
    details = cert_pb2.CertChain.NoiseCertificate.Details(
        serial=serial,
        issuer_serial=issuer_serial,
        key=key,
        not_before=not_before,
        not_after=not_after,
    ).SerializeToString()
    return cert_pb2.CertChain.NoiseCertificate(
        details=details, signature=sign(signer.private, details, random)
    )


def create_cert_chain(
    *,
    root: KeyPair,
    intermediate: KeyPair,
    leaf_key: bytes,
    intermediate_serial: int,
    leaf_serial: int,
    not_before: int,
    not_after: int,
    rng: Callable[[int], bytes],
) -> bytes:
    """Return a serialized ``CertChain``: root -> intermediate -> leaf for ``leaf_key``.

    ``leaf_key`` is the server's Noise static public key; both certificates get the validity
    window ``[not_before, not_after]`` (unix seconds); ``rng(n)`` returns ``n`` random bytes.

    Raises:
        ValueError: ``rng`` returned the wrong number of bytes.
    """
    intermediate_cert = issue_certificate(
        root,
        serial=intermediate_serial,
        issuer_serial=INTERMEDIATE_ISSUER_SERIAL,
        key=intermediate.public,
        not_before=not_before,
        not_after=not_after,
        random=rng(RANDOM_SIZE),
    )
    leaf_cert = issue_certificate(
        intermediate,
        serial=leaf_serial,
        issuer_serial=intermediate_serial,
        key=leaf_key,
        not_before=not_before,
        not_after=not_after,
        random=rng(RANDOM_SIZE),
    )
    chain = cert_pb2.CertChain(leaf=leaf_cert, intermediate=intermediate_cert)
    return bytes(chain.SerializeToString())


def _parse_details(
    cert: cert_pb2.CertChain.NoiseCertificate, name: str
) -> cert_pb2.CertChain.NoiseCertificate.Details:
    """Return the parsed details of ``cert``.

    Raises:
        CertificateError: the details bytes are not a ``Details`` protobuf.
    """
    details = cert_pb2.CertChain.NoiseCertificate.Details()
    try:
        details.ParseFromString(cert.details)
    except ProtobufDecodeError as exc:
        raise CertificateError(f"{name} details are not a valid Details protobuf") from exc
    return details


def _check_validity(
    details: cert_pb2.CertChain.NoiseCertificate.Details, now: float, name: str
) -> None:
    """Raise unless ``not_before <= now <= not_after``.

    Raises:
        CertificateError: ``now`` is outside the certificate's validity window.
    """
    if now < details.not_before:
        raise CertificateError(
            f"{name} certificate is not valid yet (not_before {details.not_before})"
        )
    if now > details.not_after:
        raise CertificateError(f"{name} certificate has expired (not_after {details.not_after})")


def verify_cert_chain(
    data: bytes, *, static_key: bytes, now: float, trust_root: bytes = WA_ROOT_PUBLIC_KEY
) -> None:
    """Check the serialized ``CertChain`` ``data`` against the server's static key.

    ``now`` is the current unix time in seconds; ``trust_root`` is the 32-byte root public key.

    Raises:
        CertificateError: a check of PROTOCOL.md §2.5 fails; the message names the check.
    """
    chain = cert_pb2.CertChain()
    try:
        chain.ParseFromString(data)
    except ProtobufDecodeError as exc:
        raise CertificateError("certificate chain is not a valid CertChain protobuf") from exc
    for name in ("intermediate", "leaf"):
        cert = getattr(chain, name)
        if not chain.HasField(name) or not cert.details or not cert.signature:
            raise CertificateError(f"{name} certificate is missing its details or signature")
        if len(cert.signature) != SIGNATURE_SIZE:
            raise CertificateError(
                f"{name} signature is {len(cert.signature)} bytes, not {SIGNATURE_SIZE}"
            )
    intermediate, leaf = chain.intermediate, chain.leaf

    if not verify(trust_root, intermediate.details, intermediate.signature):
        raise CertificateError("intermediate signature does not verify under the root key")
    intermediate_details = _parse_details(intermediate, "intermediate")
    if intermediate_details.issuer_serial != INTERMEDIATE_ISSUER_SERIAL:
        raise CertificateError(
            f"intermediate issuer serial is {intermediate_details.issuer_serial}, "
            f"not {INTERMEDIATE_ISSUER_SERIAL}"
        )
    if len(intermediate_details.key) != KEY_SIZE:
        raise CertificateError(
            f"intermediate key is {len(intermediate_details.key)} bytes, not {KEY_SIZE}"
        )
    if not verify(intermediate_details.key, leaf.details, leaf.signature):
        raise CertificateError("leaf signature does not verify under the intermediate key")
    _check_validity(intermediate_details, now, "intermediate")

    leaf_details = _parse_details(leaf, "leaf")
    if leaf_details.issuer_serial != intermediate_details.serial:
        raise CertificateError(
            f"leaf issuer serial {leaf_details.issuer_serial} does not match the intermediate "
            f"serial {intermediate_details.serial}"
        )
    if not hmac.compare_digest(leaf_details.key, static_key):
        raise CertificateError("leaf key is not the server's Noise static key")
    _check_validity(leaf_details, now, "leaf")
