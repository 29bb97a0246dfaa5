"""Message ids and request ids (PROTOCOL.md §9.1)."""

from __future__ import annotations

import hashlib

import pytest

from botkit.core.stanza import is_message_id, message_id, request_id, request_id_prefix


def test_message_id_is_3eb0_and_18_uppercase_hex() -> None:
    made = message_id(timestamp=1_700_000_000, random_bytes=bytes(16), own_user="15550001111")
    assert len(made) == 22 and made.startswith("3EB0") and is_message_id(made)
    assert made[4:] == made[4:].upper()


def test_message_id_hashes_the_fixed_44_byte_buffer() -> None:
    random_bytes = bytes(range(16))
    buffer = (1234).to_bytes(8, "big") + b"15550001111@c.us".ljust(20, b"\0") + random_bytes
    expected = "3EB0" + hashlib.sha256(buffer).hexdigest().upper()[:18]
    assert message_id(timestamp=1234, random_bytes=random_bytes, own_user="15550001111") == expected


def test_message_id_without_a_user_leaves_the_user_field_zero() -> None:
    buffer = (5).to_bytes(8, "big") + bytes(20) + bytes(16)
    expected = "3EB0" + hashlib.sha256(buffer).hexdigest().upper()[:18]
    assert message_id(timestamp=5, random_bytes=bytes(16)) == expected


def test_message_ids_differ_with_the_random_bytes() -> None:
    ids = {message_id(timestamp=1, random_bytes=bytes([i]) * 16) for i in range(50)}
    assert len(ids) == 50


@pytest.mark.parametrize("bad", [b"", bytes(15), bytes(17)])
def test_message_id_needs_16_random_bytes(bad: bytes) -> None:
    with pytest.raises(ValueError):
        message_id(timestamp=1, random_bytes=bad)


@pytest.mark.parametrize("text", ["3EB0ABC", "3eb0" + "A" * 18, "ABCD" + "A" * 18, ""])
def test_is_message_id_rejects_other_forms(text: str) -> None:
    assert not is_message_id(text)


def test_request_ids_are_prefix_and_counter() -> None:
    prefix = request_id_prefix(bytes([183, 52]))
    assert prefix == "183.52-"
    assert request_id(prefix, 17) == "183.52-17"
    with pytest.raises(ValueError):
        request_id_prefix(b"\x01")
