"""The server certificate chain: issuing it, and every check of PROTOCOL.md §2.5."""

from __future__ import annotations

import os

import pytest

from botkit.core.noise.certs import (
    WA_ROOT_PUBLIC_KEY,
    create_cert_chain,
    issue_certificate,
    verify_cert_chain,
)
from botkit.core.signal import KeyPair, sign
from botkit.errors import CertificateError
from botkit.pb import cert_pb2

NOW = 1_800_000_000
ROOT = KeyPair.from_private(bytes([1]) * 32)
INTERMEDIATE = KeyPair.from_private(bytes([2]) * 32)
STATIC = KeyPair.from_private(bytes([3]) * 32)
OTHER = KeyPair.from_private(bytes([4]) * 32)


def build(
    *,
    root: KeyPair = ROOT,
    intermediate_signer: KeyPair | None = None,
    intermediate_key: bytes = INTERMEDIATE.public,
    intermediate_serial: int = 5,
    intermediate_issuer_serial: int = 0,
    intermediate_window: tuple[int, int] = (NOW - 100, NOW + 100),
    leaf_signer: KeyPair = INTERMEDIATE,
    leaf_key: bytes = STATIC.public,
    leaf_issuer_serial: int = 5,
    leaf_window: tuple[int, int] = (NOW - 100, NOW + 100),
    intermediate_signature: bytes | None = None,
    leaf_signature: bytes | None = None,
) -> bytes:
    intermediate = issue_certificate(
        intermediate_signer or root,
        serial=intermediate_serial,
        issuer_serial=intermediate_issuer_serial,
        key=intermediate_key,
        not_before=intermediate_window[0],
        not_after=intermediate_window[1],
        random=os.urandom(64),
    )
    leaf = issue_certificate(
        leaf_signer,
        serial=9,
        issuer_serial=leaf_issuer_serial,
        key=leaf_key,
        not_before=leaf_window[0],
        not_after=leaf_window[1],
        random=os.urandom(64),
    )
    if intermediate_signature is not None:
        intermediate.signature = intermediate_signature
    if leaf_signature is not None:
        leaf.signature = leaf_signature
    return bytes(cert_pb2.CertChain(leaf=leaf, intermediate=intermediate).SerializeToString())


def check(chain: bytes, *, now: float = NOW) -> None:
    verify_cert_chain(chain, static_key=STATIC.public, now=now, trust_root=ROOT.public)


def test_valid_chain_passes() -> None:
    check(build())


def test_create_cert_chain_builds_a_valid_chain() -> None:
    chain = create_cert_chain(
        root=ROOT,
        intermediate=INTERMEDIATE,
        leaf_key=STATIC.public,
        intermediate_serial=3,
        leaf_serial=4,
        not_before=NOW - 1,
        not_after=NOW + 1,
        rng=os.urandom,
    )
    check(chain)
    check(chain, now=NOW - 1)
    check(chain, now=NOW + 1)


def test_wa_root_key_is_the_default_trust_root() -> None:
    assert WA_ROOT_PUBLIC_KEY.hex() == (
        "142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b"
    )
    with pytest.raises(CertificateError, match="root key"):
        verify_cert_chain(build(), static_key=STATIC.public, now=NOW)


def test_bad_root_signature() -> None:
    with pytest.raises(CertificateError, match="intermediate signature does not verify"):
        check(build(intermediate_signer=OTHER))


def test_bad_leaf_signature() -> None:
    with pytest.raises(CertificateError, match="leaf signature does not verify"):
        check(build(leaf_signer=OTHER))


def test_wrong_intermediate_issuer_serial() -> None:
    with pytest.raises(CertificateError, match="intermediate issuer serial"):
        check(build(intermediate_issuer_serial=1))


def test_wrong_leaf_issuer_serial() -> None:
    with pytest.raises(CertificateError, match="leaf issuer serial"):
        check(build(leaf_issuer_serial=6))


def test_leaf_key_is_not_the_static_key() -> None:
    with pytest.raises(CertificateError, match="leaf key is not the server's Noise static key"):
        check(build(leaf_key=OTHER.public))


def test_intermediate_expired() -> None:
    with pytest.raises(CertificateError, match="intermediate certificate has expired"):
        check(build(intermediate_window=(NOW - 100, NOW - 1)))


def test_intermediate_not_yet_valid() -> None:
    with pytest.raises(CertificateError, match="intermediate certificate is not valid yet"):
        check(build(intermediate_window=(NOW + 1, NOW + 100)))


def test_leaf_expired() -> None:
    with pytest.raises(CertificateError, match="leaf certificate has expired"):
        check(build(leaf_window=(NOW - 100, NOW - 1)))


def test_leaf_not_yet_valid() -> None:
    with pytest.raises(CertificateError, match="leaf certificate is not valid yet"):
        check(build(leaf_window=(NOW + 1, NOW + 100)))


@pytest.mark.parametrize("length", [63, 65])
def test_intermediate_signature_not_64_bytes(length: int) -> None:
    with pytest.raises(CertificateError, match=f"intermediate signature is {length} bytes"):
        check(build(intermediate_signature=bytes(length)))


@pytest.mark.parametrize("length", [63, 65])
def test_leaf_signature_not_64_bytes(length: int) -> None:
    with pytest.raises(CertificateError, match=f"leaf signature is {length} bytes"):
        check(build(leaf_signature=bytes(length)))


def test_intermediate_key_not_32_bytes() -> None:
    with pytest.raises(CertificateError, match="intermediate key is 33 bytes"):
        check(build(intermediate_key=INTERMEDIATE.serialized_public))


def test_missing_leaf() -> None:
    chain = cert_pb2.CertChain()
    chain.ParseFromString(build())
    chain.ClearField("leaf")
    with pytest.raises(CertificateError, match="leaf certificate is missing"):
        check(chain.SerializeToString())


def test_garbage_is_not_a_chain() -> None:
    with pytest.raises(CertificateError, match="not a valid CertChain"):
        check(b"\xff\xff\xff")


def test_signed_garbage_details_are_rejected() -> None:
    garbage = b"\xff\xff"
    intermediate = cert_pb2.CertChain.NoiseCertificate(
        details=garbage, signature=sign(ROOT.private, garbage, bytes(64))
    )
    chain = cert_pb2.CertChain()
    chain.ParseFromString(build())
    chain.intermediate.CopyFrom(intermediate)
    with pytest.raises(CertificateError, match="intermediate details are not a valid"):
        check(chain.SerializeToString())
