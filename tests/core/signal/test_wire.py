"""SignalMessage and PreKeySignalMessage: encoding, parsing and typed errors."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from botkit.core.signal.primitives import hmac_sha256
from botkit.core.signal.wire import (
    encode_prekey_message,
    encode_signal_message,
    parse_prekey_message,
    parse_signal_message,
)
from botkit.errors import BadMac, InvalidMessage, UnsupportedVersion
from botkit.pb import signal_wire_pb2 as pb

SENDER = b"\x11" * 32
RECEIVER = b"\x22" * 32
MAC_KEY = b"\x33" * 32


def _message(
    counter: int = 7,
    *,
    ratchet_key: bytes = b"\x44" * 32,
    previous_counter: int = 3,
    ciphertext: bytes = b"c" * 32,
) -> bytes:
    return encode_signal_message(
        mac_key=MAC_KEY,
        ratchet_key=ratchet_key,
        counter=counter,
        previous_counter=previous_counter,
        ciphertext=ciphertext,
        sender_identity=SENDER,
        receiver_identity=RECEIVER,
    )


def test_signal_message_layout() -> None:
    data = _message()
    assert data[0] == 0x33
    proto = pb.SignalMessage.FromString(data[1:-8])
    assert proto.ratchet_key == b"\x05" + b"\x44" * 32
    assert (proto.counter, proto.previous_counter, proto.ciphertext) == (7, 3, b"c" * 32)
    mac_input = b"\x05" + SENDER + b"\x05" + RECEIVER + data[:-8]
    assert data[-8:] == hmac_sha256(MAC_KEY, mac_input)[:8]


def test_signal_message_round_trip_and_mac() -> None:
    message = parse_signal_message(_message())
    assert (message.ratchet_key, message.counter, message.previous_counter) == (b"\x44" * 32, 7, 3)
    message.verify_mac(MAC_KEY, SENDER, RECEIVER)
    with pytest.raises(BadMac):
        message.verify_mac(MAC_KEY, RECEIVER, SENDER)


@pytest.mark.parametrize("version", [0x13, 0x23, 0x43, 0xF3])
def test_other_versions_are_unsupported(version: int) -> None:
    with pytest.raises(UnsupportedVersion):
        parse_signal_message(bytes([version]) + _message()[1:])


@pytest.mark.parametrize("data", [b"", b"\x33", b"\x33" + b"\x00" * 8])
def test_truncated_messages_are_invalid(data: bytes) -> None:
    with pytest.raises(InvalidMessage):
        parse_signal_message(data)


def test_missing_fields_are_invalid() -> None:
    body = pb.SignalMessage(counter=1, ciphertext=b"x").SerializeToString()
    with pytest.raises(InvalidMessage):
        parse_signal_message(b"\x33" + body + b"m" * 8)


def test_a_bad_ratchet_key_is_invalid() -> None:
    body = pb.SignalMessage(ratchet_key=b"\x07" * 33, counter=1, ciphertext=b"x")
    with pytest.raises(InvalidMessage):
        parse_signal_message(b"\x33" + body.SerializeToString() + b"m" * 8)


@given(st.binary(max_size=80))
def test_any_bytes_parse_or_raise_invalid_message(data: bytes) -> None:
    with contextlib.suppress(InvalidMessage):
        parse_signal_message(data)
    with contextlib.suppress(InvalidMessage):
        parse_prekey_message(data)


def _prekey_message(prekey_id: int | None) -> bytes:
    return encode_prekey_message(
        registration_id=1234,
        prekey_id=prekey_id,
        signed_prekey_id=5,
        base_key=b"\x55" * 32,
        identity_key=SENDER,
        message=_message(),
    )


def test_prekey_message_round_trip() -> None:
    message = parse_prekey_message(_prekey_message(99))
    assert (message.registration_id, message.prekey_id, message.signed_prekey_id) == (1234, 99, 5)
    assert (message.base_key, message.identity_key) == (b"\x55" * 32, SENDER)
    assert message.message.serialized == _message()


def test_prekey_message_without_one_time_prekey_omits_the_field() -> None:
    data = _prekey_message(None)
    assert not pb.PreKeySignalMessage.FromString(data[1:]).HasField("pre_key_id")
    assert parse_prekey_message(data).prekey_id is None


def test_prekey_id_zero_counts_as_absent() -> None:
    proto = pb.PreKeySignalMessage.FromString(_prekey_message(None)[1:])
    proto.pre_key_id = 0
    assert parse_prekey_message(b"\x33" + proto.SerializeToString()).prekey_id is None


def test_prekey_message_missing_base_key_is_invalid() -> None:
    proto = pb.PreKeySignalMessage.FromString(_prekey_message(1)[1:])
    proto.ClearField("base_key")
    with pytest.raises(InvalidMessage):
        parse_prekey_message(b"\x33" + proto.SerializeToString())


def test_prekey_message_inner_version_is_checked() -> None:
    proto = pb.PreKeySignalMessage.FromString(_prekey_message(1)[1:])
    proto.message = b"\x23" + proto.message[1:]
    with pytest.raises(UnsupportedVersion):
        parse_prekey_message(b"\x33" + proto.SerializeToString())


@given(
    st.binary(min_size=32, max_size=32),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.binary(max_size=300),
)
@example(b"\x44" * 32, 127, 128, b"c" * 16383)
@example(b"\x44" * 32, 16383, 16384, b"c" * 16384)
@example(b"\x44" * 32, 2**21 - 1, 2**32 - 1, b"")
def test_hand_written_signal_message_equals_protobuf(
    ratchet_key: bytes, counter: int, previous_counter: int, ciphertext: bytes
) -> None:
    data = _message(
        counter, ratchet_key=ratchet_key, previous_counter=previous_counter, ciphertext=ciphertext
    )
    proto = pb.SignalMessage(
        ratchet_key=b"\x05" + ratchet_key,
        counter=counter,
        previous_counter=previous_counter,
        ciphertext=ciphertext,
    )
    assert data[:-8] == b"\x33" + proto.SerializeToString()


@pytest.mark.parametrize(
    ("counter", "previous_counter", "ratchet_key"),
    [
        (-1, 0, b"\x44" * 32),
        (2**32, 0, b"\x44" * 32),
        (0, 2**32, b"\x44" * 32),
        (0, 0, b"\x44" * 33),
    ],
)
def test_signal_message_refuses_what_protobuf_refuses(
    counter: int, previous_counter: int, ratchet_key: bytes
) -> None:
    with pytest.raises(ValueError):
        _message(counter, ratchet_key=ratchet_key, previous_counter=previous_counter)
