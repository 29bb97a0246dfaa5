"""ADV device identities: the companion's checks of pair-success and its device signature."""

from __future__ import annotations

import os

import pytest

from botkit.core.adv import (
    account_signature_message,
    device_signature_message,
    open_device_identity,
    sign_device_identity,
)
from botkit.core.binary import Node
from botkit.core.signal import KeyPair, sign, verify
from botkit.core.signal.primitives import hmac_sha256
from botkit.errors import BadMac, DecodeError, InvalidSignature
from botkit.pb import adv_pb2
from botkit.server.pairing import check_pair_device_sign, offer_identity
from botkit.server.phones import SimulatedPhone

ADV_SECRET = bytes(range(32))


def _key() -> KeyPair:
    return KeyPair.generate(os.urandom(32))


def _container(
    account: KeyPair,
    companion: bytes,
    *,
    hosted: bool = False,
    spoil_signature: bool = False,
    secret: bytes = ADV_SECRET,
) -> bytes:
    """Return a pair-success device identity crafted by hand (§6.3)."""
    kind = adv_pb2.HOSTED if hosted else adv_pb2.E2EE
    details = adv_pb2.ADVDeviceIdentity(
        raw_id=3, timestamp=1_700_000_000, key_index=7, account_type=kind, device_type=kind
    ).SerializeToString()
    message = account_signature_message(details, companion, hosted=hosted)
    signature = sign(account.private, message, os.urandom(64))
    if spoil_signature:
        signature = bytes([signature[0] ^ 0x01]) + signature[1:]
    signed = adv_pb2.ADVSignedDeviceIdentity(
        details=details, account_signature_key=account.public, account_signature=signature
    ).SerializeToString()
    mac = hmac_sha256(secret, (b"\x06\x05" if hosted else b"") + signed)
    return adv_pb2.ADVSignedDeviceIdentityHMAC(
        details=signed, hmac=mac, account_type=kind
    ).SerializeToString()


def test_a_genuine_identity_opens() -> None:
    account, companion = _key(), _key()
    identity = open_device_identity(
        _container(account, companion.public), ADV_SECRET, companion.public
    )
    assert (identity.key_index, identity.device_id, identity.hosted) == (7, 3, False)
    assert identity.account_signature_key == account.public


def test_a_hosted_identity_uses_the_hosted_prefixes() -> None:
    account, companion = _key(), _key()
    container = _container(account, companion.public, hosted=True)
    assert open_device_identity(container, ADV_SECRET, companion.public).hosted


def test_a_wrong_adv_secret_is_an_hmac_mismatch() -> None:
    account, companion = _key(), _key()
    container = _container(account, companion.public, secret=bytes(32))
    with pytest.raises(BadMac):
        open_device_identity(container, ADV_SECRET, companion.public)


def test_a_bad_account_signature_is_rejected() -> None:
    account, companion = _key(), _key()
    container = _container(account, companion.public, spoil_signature=True)
    with pytest.raises(InvalidSignature):
        open_device_identity(container, ADV_SECRET, companion.public)


def test_an_identity_signed_for_another_companion_is_rejected() -> None:
    account, companion = _key(), _key()
    container = _container(account, _key().public)
    with pytest.raises(InvalidSignature):
        open_device_identity(container, ADV_SECRET, companion.public)


def test_garbage_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        open_device_identity(b"\xff\xff\xff", ADV_SECRET, bytes(32))


def test_the_device_signature_verifies_and_the_reply_drops_the_account_key() -> None:
    account, companion = _key(), _key()
    identity = open_device_identity(
        _container(account, companion.public), ADV_SECRET, companion.public
    )
    full, reply = sign_device_identity(identity, companion, os.urandom(64))
    kept = adv_pb2.ADVSignedDeviceIdentity.FromString(full)
    sent = adv_pb2.ADVSignedDeviceIdentity.FromString(reply)
    assert kept.account_signature_key == account.public and not sent.account_signature_key
    message = device_signature_message(kept.details, companion.public, account.public)
    assert verify(companion.public, message, kept.device_signature)


def test_the_sandbox_phone_and_the_companion_agree() -> None:
    phone, companion = SimulatedPhone.generate(os.urandom), _key()
    offer = offer_identity(
        phone,
        device_id=4,
        key_index=2,
        companion_identity=companion.public,
        adv_secret=ADV_SECRET,
        now=1_700_000_000,
    )
    identity = open_device_identity(offer.hmac_container, ADV_SECRET, companion.public)
    full, reply = sign_device_identity(identity, companion, os.urandom(64))
    answer = Node("iq", {}, [Node("pair-device-sign", {}, [Node("device-identity", {}, reply)])])
    assert check_pair_device_sign(answer, offer, companion.public) == full
