"""Transport ciphers: the IV layout, per-direction counters and failure behaviour."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from botkit.core.noise.cipher import TransportCipher, noise_iv
from botkit.errors import RemoteProtocolError

KEY = bytes(range(32))


def test_iv_is_8_zero_bytes_then_big_endian_counter() -> None:
    assert noise_iv(0x01020304) == bytes(8) + b"\x01\x02\x03\x04"


def test_frames_use_successive_counters_and_empty_aad() -> None:
    cipher = TransportCipher(KEY)
    for counter in range(3):
        assert cipher.counter == counter
        frame = cipher.encrypt(b"payload")
        assert AESGCM(KEY).decrypt(noise_iv(counter), frame, None) == b"payload"


def test_reader_and_writer_stay_in_step() -> None:
    writer, reader = TransportCipher(KEY), TransportCipher(KEY)
    for n in range(100):
        assert reader.decrypt(writer.encrypt(bytes([n]) * n)) == bytes([n]) * n


def test_failed_frame_advances_the_read_counter() -> None:
    writer, reader = TransportCipher(KEY), TransportCipher(KEY)
    bad = bytearray(writer.encrypt(b"first"))
    bad[0] ^= 1
    with pytest.raises(RemoteProtocolError):
        reader.decrypt(bytes(bad))
    assert reader.counter == 1
    assert reader.decrypt(writer.encrypt(b"second")) == b"second"


def test_short_frame_is_rejected() -> None:
    with pytest.raises(RemoteProtocolError):
        TransportCipher(KEY).decrypt(b"short")
