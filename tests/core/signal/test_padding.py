"""The plaintext padding of PROTOCOL.md §8.6: lengths, round trips and malformed padding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from botkit.core.signal.padding import pad, unpad
from botkit.errors import BadPadding


@pytest.mark.parametrize("random_byte", range(256))
def test_pad_appends_low_nibble_bytes_or_fifteen(random_byte: int) -> None:
    length = random_byte & 0x0F or 15
    assert pad(b"message", random_byte) == b"message" + bytes([length]) * length


@given(plaintext=st.binary(max_size=64), random_byte=st.integers(0, 255))
def test_unpad_reverses_pad_for_every_random_byte(plaintext: bytes, random_byte: int) -> None:
    assert unpad(pad(plaintext, random_byte)) == plaintext


def test_unpad_accepts_sixteen_bytes_of_padding_as_baileys_writes() -> None:
    assert unpad(b"hi" + b"\x10" * 16) == b"hi"


def test_unpad_accepts_padding_that_fills_the_data() -> None:
    assert unpad(b"\x03\x03\x03") == b""


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"abc\x00", id="length-zero"),
        pytest.param(b"\x05\x05\x05\x05", id="longer-than-data"),
        pytest.param(b"abc\x02\x03", id="bytes-differ"),
        pytest.param(b"abc\x01\x03\x03", id="one-byte-differs"),
    ],
)
def test_unpad_rejects_malformed_padding(data: bytes) -> None:
    with pytest.raises(BadPadding):
        unpad(data)


@pytest.mark.parametrize("random_byte", [-1, 256])
def test_pad_rejects_a_random_byte_out_of_range(random_byte: int) -> None:
    with pytest.raises(ValueError):
        pad(b"x", random_byte)
