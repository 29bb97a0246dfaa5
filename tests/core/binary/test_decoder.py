"""decode_node: every type tag of PROTOCOL.md §4, and hostile input."""

from __future__ import annotations

import zlib

import pytest

from botkit.core.binary import MAX_DEPTH, MAX_INFLATED, Node, decode_node, encode_node
from botkit.errors import DecodeError, RemoteProtocolError
from botkit.types.jid import JID


def attr(value_hex: str) -> str | JID:
    """Decode ``<a x=VALUE/>`` where VALUE is given as encoded hex; return the value."""
    return decode_node(bytes.fromhex("00f803fc0161fc0178" + value_hex)).attrs["x"]


def content(content_hex: str) -> object:
    """Decode ``<a>CONTENT</a>`` where CONTENT is given as encoded hex; return the content."""
    return decode_node(bytes.fromhex("00f802fc0161" + content_hex)).content


def test_sanity_vector() -> None:
    node = decode_node(bytes.fromhex("00f80a190855042916571103f801f80156"))
    attrs = {"id": "1", "type": "get", "xmlns": "w:p", "to": "s.whatsapp.net"}
    assert node == Node("iq", attrs, [Node("ping")])


@pytest.mark.parametrize(
    ("value_hex", "expected"),
    [
        pytest.param("03", "s.whatsapp.net", id="single-byte token"),
        pytest.param("00", "", id="LIST_EMPTY as empty string"),
        pytest.param("ec00", "read-self", id="DICTIONARY_0"),
        pytest.param("ed03", "020", id="DICTIONARY_1"),
        pytest.param("ee00", "64", id="DICTIONARY_2"),
        pytest.param("efff", "1961", id="DICTIONARY_3"),
        pytest.param("ff831b2a3f", "1.2-3", id="NIBBLE_8 odd"),
        pytest.param("ff021234", "1234", id="NIBBLE_8 even"),
        pytest.param("ff00", "", id="NIBBLE_8 empty (whatsmeow's empty string)"),
        pytest.param("fb823ebf", "3EB", id="HEX_8 odd"),
        pytest.param("fb02abcd", "ABCD", id="HEX_8 even"),
        pytest.param("fc03616263", "abc", id="BINARY_8"),
        pytest.param("fd000003616263", "abc", id="BINARY_20"),
        pytest.param("fe00000003616263", "abc", id="BINARY_32"),
        pytest.param("fc00", "", id="BINARY_8 empty"),
    ],
)
def test_string_tags(value_hex: str, expected: str) -> None:
    assert attr(value_hex) == expected


@pytest.mark.parametrize(
    ("value_hex", "expected"),
    [
        pytest.param("fa0003", JID("", "s.whatsapp.net", pair=True), id="JID_PAIR server"),
        pytest.param("faff05155512345603", JID("1555123456", "s.whatsapp.net"), id="JID_PAIR"),
        pytest.param("fa0b0d", JID("status", "broadcast"), id="JID_PAIR token user"),
        pytest.param("f70003ff051555123456", JID("1555123456", "s.whatsapp.net", 3), id="AD 0"),
        pytest.param("f70105ff021234", JID("1234", "lid", 5), id="AD 1 lid"),
        pytest.param("f78000ff021234", JID("1234", "hosted", 0), id="AD 128 hosted"),
        pytest.param("f78102ff021234", JID("1234", "hosted.lid", 2), id="AD 129 hosted.lid"),
        pytest.param("f70702ff021234", JID("1234", "s.whatsapp.net", 2, agent=7), id="AD agent"),
        pytest.param("f6ff0310000100" + "03cc", JID("100001", "msgr", 3), id="FB_JID"),
        pytest.param(
            "f5ff03100001" + "0003" + "0007" + "fc07" + b"interop".hex(),
            JID("100001", "interop", 3, integrator=7),
            id="INTEROP_JID",
        ),
    ],
)
def test_jid_tags(value_hex: str, expected: JID) -> None:
    decoded = attr(value_hex)
    assert decoded == expected
    assert type(decoded) is JID


def test_ad_jid_remembers_its_form() -> None:
    decoded = attr("f70000ff021234")
    assert isinstance(decoded, JID)
    assert decoded.ad
    assert str(decoded) == "1234:0@s.whatsapp.net"


def test_jid_pair_with_empty_user_remembers_its_form() -> None:
    decoded = attr("fa0003")
    assert isinstance(decoded, JID)
    assert str(decoded) == "@s.whatsapp.net"


@pytest.mark.parametrize(
    ("content_hex", "expected"),
    [
        pytest.param("00", [], id="LIST_EMPTY"),
        pytest.param("f801f80156", [Node("ping")], id="LIST_8"),
        pytest.param("f90001f80156", [Node("ping")], id="LIST_16"),
        pytest.param("fc020102", b"\x01\x02", id="BINARY_8"),
        pytest.param("fd0000020102", b"\x01\x02", id="BINARY_20"),
        pytest.param("fe000000020102", b"\x01\x02", id="BINARY_32"),
        pytest.param("07", b"receipt", id="token content as UTF-8 bytes"),
        pytest.param("ff021234", b"1234", id="packed content as UTF-8 bytes"),
        pytest.param("faff021234" + "03", b"1234@s.whatsapp.net", id="JID content as bytes"),
    ],
)
def test_content(content_hex: str, expected: object) -> None:
    assert content(content_hex) == expected


def test_compressed_frame_is_inflated() -> None:
    plain = encode_node(Node("iq", {"id": "1"}, [Node("ping")]))
    assert decode_node(b"\x02" + zlib.compress(plain[1:])) == decode_node(plain)


def test_other_flag_bits_are_ignored() -> None:
    assert decode_node(bytes.fromhex("01f80156")) == Node("ping")


HOSTILE = {
    "empty": "",
    "flags only": "00",
    "not a list": "0003",
    "LIST_EMPTY node": "0000",
    "LIST_8 size 0": "00f800",
    "truncated LIST_16 size": "00f900",
    "truncated tag": "00f801",
    "empty tag": "00f80100",
    "tag 240 unused": "00f801f0",
    "tag 244 unused": "00f801f4",
    "list tag as a string": "00f801f8",
    "truncated double-byte token": "00f801ec",
    "truncated attribute": "00f80319",
    "BINARY_8 past the end": "00f801fc05616263",
    "BINARY_20 past the end": "00f801fd0fffff",
    "BINARY_32 huge length": "00f801feffffffff",
    "BINARY_32 truncated length": "00f801fe0000",
    "content BINARY_32 huge": "00f80256feffffff00",
    "content BINARY_20 past the end": "00f80256fd010000",
    "packed past the end": "00f801ff7f",
    "nibble 12": "00f801ff01cc",
    "nibble 14 as dropped digit": "00f801ff811e",
    "nibble filler in the middle": "00f801ff02f111",
    "packed odd but empty": "00f801ff80",
    "invalid UTF-8": "00f801fc02c328",
    "overlong UTF-8": "00f801fc02c0af",
    "JID pair without server": "00f801fa0000",
    "nested JID": "00f801fafa000303",
    "FB_JID with another server": "00f801f6ff0112000103",
    "INTEROP_JID with another server": "00f801f5ff011200010001 03",
    "truncated AD_JID": "00f801f700",
    "trailing garbage": "00f8015600",
    "children count past the end": "00f80256f8ff",
    "LIST_16 children past the end": "00f80256f9ffff",
    "child that is not a node": "00f80256f80103",
    "compressed garbage": "02deadbeef",
    "compressed truncated": "02" + zlib.compress(bytes.fromhex("f80156")).hex()[:-4],
    "compressed then trailing bytes": "02" + zlib.compress(bytes.fromhex("f80156")).hex() + "00",
    "compressed node then trailing node bytes": "02"
    + zlib.compress(bytes.fromhex("f8015600")).hex(),
}


@pytest.mark.parametrize("data_hex", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_input_raises_decode_error(data_hex: str) -> None:
    with pytest.raises(DecodeError):
        decode_node(bytes.fromhex(data_hex.replace(" ", "")))


def test_decode_error_is_a_remote_protocol_error() -> None:
    assert issubclass(DecodeError, RemoteProtocolError)


def test_deep_nesting_is_refused() -> None:
    data = bytes.fromhex("00") + bytes.fromhex("f80256f801") * (MAX_DEPTH + 1) + b"\xf8\x01\x56"
    with pytest.raises(DecodeError, match="deeper"):
        decode_node(data)


def test_nesting_at_max_depth_is_accepted() -> None:
    data = bytes.fromhex("00") + bytes.fromhex("f80256f801") * MAX_DEPTH + b"\xf8\x01\x56"
    node = decode_node(data)
    for _ in range(MAX_DEPTH):
        node = node.children[0]
    assert node == Node("ping")


def test_zlib_bomb_is_refused() -> None:
    bomb = zlib.compress(b"\x00" * (MAX_INFLATED + 1), 9)
    with pytest.raises(DecodeError, match="beyond"):
        decode_node(b"\x02" + bomb)


def test_accepts_bytearray_and_memoryview() -> None:
    data = bytes.fromhex("00f80156")
    assert decode_node(bytearray(data)) == decode_node(memoryview(data)) == Node("ping")


def test_decoded_values_are_frozen_instances_of_the_model() -> None:
    node = decode_node(bytes.fromhex("00f803fc0161fc0178f70105ff021234"))
    jid = node.attrs["x"]
    assert (type(node), type(jid)) == (Node, JID)
    assert hash(jid) == hash(JID("1234", "lid", 5))
    with pytest.raises(AttributeError):
        node.tag = "b"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        jid.user = "9"  # type: ignore[misc, union-attr]
