"""Frames: length prefixes, the intro header, reassembly and the size limit."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botkit.core.noise.framing import (
    EDGE_ROUTING_MAGIC,
    INTRO_HEADER,
    MAX_FRAME_SIZE,
    FrameReader,
    encode_frame,
)
from botkit.errors import FrameTooLarge, LocalProtocolError, RemoteProtocolError


def read_all(reader: FrameReader) -> list[bytes]:
    frames = []
    while (frame := reader.next_frame()) is not None:
        frames.append(frame)
    return frames


def test_encode_frame_prefixes_a_3_byte_big_endian_length() -> None:
    assert encode_frame(b"abc") == b"\x00\x00\x03abc"
    assert encode_frame(b"x" * 0x010203)[:3] == b"\x01\x02\x03"


def test_encode_frame_refuses_16_mib() -> None:
    with pytest.raises(LocalProtocolError):
        encode_frame(bytes(MAX_FRAME_SIZE))


def test_largest_frame_round_trips() -> None:
    payload = bytes(MAX_FRAME_SIZE - 1)
    reader = FrameReader(expect_intro=False)
    reader.feed(encode_frame(payload))
    assert reader.next_frame() == payload


def test_frame_over_the_limit_is_rejected_from_its_length_prefix() -> None:
    reader = FrameReader(expect_intro=False, max_frame_size=1024)
    reader.feed((1024).to_bytes(3, "big"))
    with pytest.raises(FrameTooLarge):
        reader.next_frame()


def test_frame_just_under_the_limit_is_accepted() -> None:
    reader = FrameReader(expect_intro=False, max_frame_size=1024)
    reader.feed(encode_frame(bytes(1023)))
    assert reader.next_frame() == bytes(1023)


def test_partial_frame_waits_for_more_bytes() -> None:
    reader = FrameReader(expect_intro=False)
    data = encode_frame(b"hello")
    reader.feed(data[:2])
    assert reader.next_frame() is None
    reader.feed(data[2:6])
    assert reader.next_frame() is None
    reader.feed(data[6:])
    assert reader.next_frame() == b"hello"
    assert reader.buffered == 0


def test_coalesced_frames_come_out_one_by_one() -> None:
    reader = FrameReader(expect_intro=False)
    reader.feed(encode_frame(b"a") + encode_frame(b"") + encode_frame(b"bc"))
    assert read_all(reader) == [b"a", b"", b"bc"]


def test_intro_header_is_stripped_once() -> None:
    reader = FrameReader(expect_intro=True)
    reader.feed(INTRO_HEADER + encode_frame(b"one") + encode_frame(b"WA\x06\x03"))
    assert read_all(reader) == [b"one", b"WA\x06\x03"]
    assert reader.routing_info is None


def test_intro_header_split_byte_by_byte() -> None:
    reader = FrameReader(expect_intro=True)
    for byte in INTRO_HEADER + encode_frame(b"x"):
        assert reader.next_frame() is None
        reader.feed(bytes([byte]))
    assert reader.next_frame() == b"x"


@pytest.mark.parametrize("start", [b"WB", b"XA\x06\x03", b"WA\x05\x03", b"WA\x06\x02", b"\x00"])
def test_wrong_intro_header_is_rejected(start: bytes) -> None:
    reader = FrameReader(expect_intro=True)
    reader.feed(start)
    with pytest.raises(RemoteProtocolError):
        reader.next_frame()


def test_edge_routing_header_is_accepted_and_kept() -> None:
    routing = b"\x08\x02\x08\x05"
    stream = EDGE_ROUTING_MAGIC + len(routing).to_bytes(3, "big") + routing + INTRO_HEADER
    reader = FrameReader(expect_intro=True)
    for byte in stream:
        reader.feed(bytes([byte]))
        assert reader.next_frame() is None
    reader.feed(encode_frame(b"hello"))
    assert reader.next_frame() == b"hello"
    assert reader.routing_info == routing


def test_edge_routing_header_must_be_followed_by_the_intro() -> None:
    reader = FrameReader(expect_intro=True)
    reader.feed(EDGE_ROUTING_MAGIC + b"\x00\x00\x01" + b"r" + b"WX")
    with pytest.raises(RemoteProtocolError):
        reader.next_frame()


def test_bad_edge_routing_magic_is_rejected() -> None:
    reader = FrameReader(expect_intro=True)
    reader.feed(b"ED\x00\x02")
    with pytest.raises(RemoteProtocolError):
        reader.next_frame()


@settings(max_examples=200, deadline=None)
@given(
    payloads=st.lists(st.binary(max_size=300), max_size=12),
    cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=20),
    intro=st.booleans(),
)
def test_any_split_of_a_stream_reassembles_identically(
    payloads: list[bytes], cuts: list[int], intro: bool
) -> None:
    stream = (INTRO_HEADER if intro else b"") + b"".join(encode_frame(p) for p in payloads)
    bounds = sorted({0, len(stream), *(c for c in cuts if c < len(stream))})
    reader = FrameReader(expect_intro=intro)
    frames: list[bytes] = []
    for start, end in itertools.pairwise(bounds):
        reader.feed(stream[start:end])
        frames += read_all(reader)
    assert frames == payloads
    assert reader.buffered == 0
