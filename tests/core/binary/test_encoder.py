"""encode_node: byte vectors checked against Baileys 7.0.0-rc14, and the encoder's refusals."""

from __future__ import annotations

import hashlib

import pytest

from botkit.core.binary import MAX_DEPTH, Node, decode_node, encode_node
from botkit.errors import LocalProtocolError
from botkit.types.jid import JID

# (what it shows, node, Baileys' encodeBinaryNode output for the same node with JIDs as strings:
# hex, or the SHA-256 of long outputs). Produced by running Baileys on this machine.
BAILEYS_VECTORS = [
    (
        "sanity vector",
        Node(
            "iq",
            {"id": "1", "type": "get", "xmlns": "w:p", "to": JID.parse("s.whatsapp.net")},
            [Node("ping")],
        ),
        "00f80a190855042916571103f801f80156",
    ),
    (
        "server as a JID pair",
        Node(
            "iq", {"id": "1.2-3", "xmlns": "w:p", "type": "get", "to": JID.parse("@s.whatsapp.net")}
        ),
        "00f8091908ff831b2a3f1657042911fa0003",
    ),
    (
        "double-byte tokens",
        Node("iq", {"xmlns": "w:gp2", "type": "u_aud_limit_sil_restarts_test1", "a": "read-self"}),
        "00f8071916ec2004edfffc0161ec00",
    ),
    (
        "nibble odd and even",
        Node("a", {"t": "1700000000", "n": "123", "d": "-1.5"}),
        "00f807fc01611aff051700000000fc016eff82123ffc0164ff02a1b5",
    ),
    (
        "nibble at 127 and 128 chars",
        Node("a", {"x": "1" * 127, "y": "2" * 128}),
        "sha256:ba322283d5f7123d871bda721f54e0f25e5e1c3483486a821654aa2eb5a7b9f6",
    ),
    (
        "hex upper only",
        Node("a", {"id": "3EB0ABCDEF0123456789A", "lower": "3eb0ab", "mixed": "3EB0ab"}),
        "00f807fc016108fb8b3eb0abcdef0123456789affc056c6f776572fc06336562306162fc056d69786564fc06334542306162",
    ),
    (
        "empty string attribute",
        Node("a", {"x": ""}),
        "00f803fc0161fc0178fc00",
    ),
    (
        "raw utf-8",
        Node("a", {"name": "Zoë ☃"}),
        "00f803fc016189fc085a6fc3ab20e29883",
    ),
    (
        "raw 256 bytes as BINARY_20",
        Node("a", {"x": "z" * 256}),
        "sha256:49b1d622831e9fb1ebd6d395df2e28a4e83c054567e68954a8680c9e5cbde919",
    ),
    (
        "empty child list",
        Node("a", {}, []),
        "00f802fc016100",
    ),
    (
        "empty bytes",
        Node("a", {}, b""),
        "00f802fc0161fc00",
    ),
    (
        "bytes of each length class",
        Node("a", {}, [Node("b", {}, b"\x01" * 255), Node("c", {}, b"\x02" * 256)]),
        "sha256:8c0123a06bdf28c9ca011f9fa9e0784d40687d04a65bb88b5c4833ac89c39921",
    ),
    (
        "LIST_16 children",
        Node("list", {}, [Node("item") for _ in range(256)]),
        "sha256:8142e2a41ebb77bef9c9f74c77ee4be32d0f26c0be3dfa061d69eb8302d33ea2",
    ),
    (
        "LIST_16 attributes",
        Node("a", {f"k{i}": "v" for i in range(128)}),
        "sha256:d50a9324604ebaa366253e4de30006eac0cd349fa0490a795b724f2d0be8c50e",
    ),
    (
        "device JIDs",
        Node(
            "to",
            {
                "a": JID.parse("15551234567:3@s.whatsapp.net"),
                "b": JID.parse("123456789012345:7@lid"),
                "c": JID.parse("15551234567:0@s.whatsapp.net"),
                "d": JID.parse("5:2@hosted"),
                "e": JID.parse("5:0@hosted.lid"),
            },
        ),
        "00f80b11fc0161f70003ff8615551234567ffc0162f70107ff88123456789012345fee25f70000ff8615551234567ffc0164f78002ec79edebf78100ec79",
    ),
    (
        "raw agent",
        Node("to", {"jid": JID.parse("15551234567_7:2@s.whatsapp.net")}),
        "00f803110cf70702ff8615551234567f",
    ),
    (
        "JID pairs",
        Node(
            "x",
            {
                "a": JID.parse("15551234567@s.whatsapp.net"),
                "b": JID.parse("120363012345678901@g.us"),
                "c": JID.parse("status@broadcast"),
                "d": JID.parse("123-456@g.us"),
                "e": JID.parse("@g.us"),
                "f": JID.parse("867051314767696@bot"),
                "g": JID.parse("abc@newsletter"),
                "h": JID.parse("16505361212@c.us"),
                "i": JID.parse("5@hosted"),
                "j": JID.parse("ABC123@call"),
            },
        ),
        "sha256:bd690ef560986927fc3d8bbaae47cd091c9baa3a3a4e7e75e52de383d36237a2",
    ),
    (
        "bare server JIDs",
        Node("x", {"a": JID.parse("g.us"), "b": JID.parse("c.us")}),
        "00f805fc0178fc01611cfc0162fc04632e7573",
    ),
]


@pytest.mark.parametrize(
    ("node", "expected"),
    [pytest.param(node, want, id=name) for name, node, want in BAILEYS_VECTORS],
)
def test_encoding_matches_baileys(node: Node, expected: str) -> None:
    encoded = encode_node(node)
    if expected.startswith("sha256:"):
        assert hashlib.sha256(encoded).hexdigest() == expected.removeprefix("sha256:")
    else:
        assert encoded.hex() == expected


def test_binary_32_length_for_one_mebibyte() -> None:
    encoded = encode_node(Node("a", {}, b"\x00" * (1 << 20)))
    assert encoded[:11] == bytes.fromhex("00f802fc0161fe00100000")
    assert len(encoded) == 11 + (1 << 20)


def test_single_byte_token_is_one_byte() -> None:
    assert encode_node(Node("receipt")) == bytes.fromhex("00f80107")


def test_double_byte_token_is_dictionary_and_index() -> None:
    # "mute_v2" is entry 255 of dictionary 0, "1961" entry 255 of dictionary 3
    assert encode_node(Node("mute_v2", {"x": "1961"})) == bytes.fromhex("00f803ecfffc0178efff")


def test_str_containing_at_sign_stays_a_string() -> None:
    assert encode_node(Node("a", {"x": "1@s.whatsapp.net"}))[9:11] == bytes.fromhex("fc10")


def test_messenger_jid_is_fb_jid() -> None:
    encoded = encode_node(Node("a", {"x": JID.parse("100001:3@msgr")}))
    assert encoded.hex() == "00f803fc0161fc0178f6ff03100001" + "0003" + "cc"


def test_interop_jid_carries_device_and_integrator() -> None:
    encoded = encode_node(Node("a", {"x": JID.parse("7-100001:3@interop")}))
    interop = "fc07" + b"interop".hex()
    assert encoded.hex() == "00f803fc0161fc0178f5ff03100001" + "0003" + "0007" + interop


@pytest.mark.parametrize(
    "node",
    [
        pytest.param(Node(""), id="empty tag"),
        pytest.param(Node(7), id="non-string tag"),  # type: ignore[arg-type]
        pytest.param(Node("a", {"x": 5}), id="int attribute"),  # type: ignore[dict-item]
        pytest.param(Node("a", {}, "text"), id="str content"),  # type: ignore[arg-type]
        pytest.param(Node("a", {}, ["b"]), id="non-node child"),  # type: ignore[list-item]
        pytest.param(Node("a", {"x": "\ud800"}), id="lone surrogate"),
        pytest.param(Node("a", {}, [Node("b")] * 65536), id="too many children"),
        pytest.param(Node("a", {"x": JID("1", "g.us", device=2)}), id="device on a group"),
        pytest.param(Node("a", {"x": JID("1", "s.whatsapp.net", 300)}), id="AD device > 255"),
        pytest.param(Node("a", {"x": JID("1", "lid", 1, agent=7)}), id="agent on lid"),
        pytest.param(Node("a", {"x": JID("1", "s.whatsapp.net", 1, agent=1)}), id="agent 1"),
        pytest.param(Node("a", {"x": JID("1", "g.us", integrator=3)}), id="integrator"),
        pytest.param(Node("a", {"x": JID("1", "")}), id="no server"),
        pytest.param(Node("a", {"x": JID("1", "msgr", 70000)}), id="FB device > 65535"),
        pytest.param(Node("a", None), id="attrs not a mapping"),  # type: ignore[arg-type]
        pytest.param(Node("a", {"x": JID("1", None)}), id="server not a str"),  # type: ignore[arg-type]
        pytest.param(Node("a", {"x": JID(None, "g.us")}), id="user not a str"),  # type: ignore[arg-type]
        pytest.param(Node("a", {("k",): "v"}), id="key not a str"),  # type: ignore[dict-item]
    ],
)
def test_invalid_nodes_raise_local_protocol_error(node: Node) -> None:
    with pytest.raises(LocalProtocolError):
        encode_node(node)


def test_nesting_beyond_max_depth_is_refused() -> None:
    node = Node("leaf")
    for _ in range(MAX_DEPTH + 1):
        node = Node("n", {}, [node])
    with pytest.raises(LocalProtocolError):
        encode_node(node)


def test_nesting_at_max_depth_is_encoded() -> None:
    node = Node("leaf")
    for _ in range(MAX_DEPTH):
        node = Node("n", {}, [node])
    assert decode_node(encode_node(node)) == node
