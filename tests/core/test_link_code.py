"""Phone-code pairing crypto: the code, the wrapped keys, the key bundle, the ADV secret."""

from __future__ import annotations

import os

import pytest

from botkit.core import link_code
from botkit.core.signal import KeyPair, dh
from botkit.errors import BadMac, InvalidMessage


def test_codes_use_the_alphabet() -> None:
    assert link_code.encode_code(bytes(5)) == "11111111"
    assert link_code.encode_code(b"\xff" * 5) == "ZZZZZZZZ"
    assert set(link_code.encode_code(os.urandom(5))) <= set(link_code.CODE_ALPHABET)


def test_wrap_and_unwrap_round_trip() -> None:
    key = os.urandom(32)
    wrapped = link_code.wrap("ABCD1234", key, os.urandom)
    assert len(wrapped) == 80
    assert link_code.unwrap("ABCD1234", wrapped) == key
    assert link_code.unwrap("ABCD1235", wrapped) != key


def test_unwrap_refuses_short_input() -> None:
    with pytest.raises(InvalidMessage):
        link_code.unwrap("ABCD1234", bytes(79))


def test_the_phone_opens_the_companion_bundle_and_both_derive_one_secret() -> None:
    companion_eph, primary_eph = (KeyPair.generate(os.urandom(32)) for _ in range(2))
    companion_id, primary_id = (KeyPair.generate(os.urandom(32)) for _ in range(2))
    shared = dh(companion_eph.private, primary_eph.public)
    bundle = link_code.KeyBundle(companion_id.public, primary_id.public, os.urandom(32))
    sealed = link_code.seal_key_bundle(shared, bundle, os.urandom)
    opened = link_code.open_key_bundle(dh(primary_eph.private, companion_eph.public), sealed)
    ours = link_code.derive_adv_secret(
        shared, dh(companion_id.private, primary_id.public), bundle.adv_random
    )
    theirs = link_code.derive_adv_secret(
        dh(primary_eph.private, companion_eph.public),
        dh(primary_id.private, opened.companion_identity),
        opened.adv_random,
    )
    assert opened == bundle and ours == theirs


def test_a_tampered_bundle_does_not_open() -> None:
    shared = os.urandom(32)
    bundle = link_code.KeyBundle(bytes(32), bytes(32), bytes(32))
    sealed = bytearray(link_code.seal_key_bundle(shared, bundle, os.urandom))
    sealed[-1] ^= 1
    with pytest.raises(BadMac):
        link_code.open_key_bundle(shared, bytes(sealed))
