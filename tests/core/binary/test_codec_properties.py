"""Property tests: every node the model can hold survives encode -> decode unchanged."""

from __future__ import annotations

import zlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.binary.tokens import DOUBLE_BYTE_TOKENS, SINGLE_BYTE_TOKENS
from botkit.types.jid import JID

tokens = st.sampled_from(SINGLE_BYTE_TOKENS[1:] + tuple(t for d in DOUBLE_BYTE_TOKENS for t in d))
nibbles = st.text(alphabet="0123456789-.", min_size=1, max_size=140)
hexes = st.text(alphabet="0123456789ABCDEF", min_size=1, max_size=140)
text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=300)
strings = st.one_of(tokens, nibbles, hexes, text, st.just(""))
users = st.one_of(st.text(alphabet="0123456789", min_size=1, max_size=20), tokens, text)


@st.composite
def jids(draw: st.DrawFn) -> JID:
    """Every wire form except the bare server (which is written, and read back, as a string)."""
    form = draw(st.sampled_from(["pair", "server", "ad", "ad0", "agent", "msgr", "interop"]))
    user = draw(users)
    if form == "pair":
        server = draw(st.one_of(tokens, text).filter(lambda s: s not in ("msgr", "interop")))
        return JID(user, server or "x", pair=not user)
    if form == "server":
        return JID("", draw(st.sampled_from(["s.whatsapp.net", "g.us", "lid", "c.us"])), pair=True)
    ad_server = st.sampled_from(["s.whatsapp.net", "lid", "hosted", "hosted.lid"])
    if form == "ad":
        return JID(user, draw(ad_server), draw(st.integers(1, 255)))
    if form == "ad0":
        return JID(user, draw(ad_server), ad=True)
    if form == "agent":
        agent = draw(st.integers(2, 255).filter(lambda a: a not in (128, 129)))
        return JID(user, "s.whatsapp.net", draw(st.integers(0, 255)), agent)
    device = draw(st.integers(0, 0xFFFF))
    if form == "msgr":
        return JID(user, "msgr", device)
    return JID(user, "interop", device, integrator=draw(st.integers(0, 0xFFFF)))


# BINARY_8 and BINARY_20 here; BINARY_32 (1 MiB and more) in test_binary_32_round_trip.
binaries = st.one_of(st.binary(max_size=255), st.binary(min_size=256, max_size=3000))
attrs = st.dictionaries(strings, st.one_of(strings, jids()), max_size=6)
tags = st.one_of(tokens, nibbles, hexes, st.text(min_size=1, max_size=30))
leaves = st.builds(Node, tags, attrs, st.one_of(st.none(), binaries, st.just([])))
nodes = st.recursive(
    leaves,
    lambda children: st.builds(Node, tags, attrs, st.lists(children, min_size=1, max_size=5)),
    max_leaves=20,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(nodes)
def test_decode_inverts_encode(node: Node) -> None:
    assert decode_node(encode_node(node)) == node


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(nodes)
def test_reencoding_a_decoded_node_gives_the_same_bytes(node: Node) -> None:
    encoded = encode_node(node)
    assert encode_node(decode_node(encoded)) == encoded


@settings(max_examples=20)
@given(st.lists(st.builds(Node, tokens), min_size=256, max_size=300))
def test_long_child_lists_round_trip(children: list[Node]) -> None:
    node = Node("list", {}, children)
    assert decode_node(encode_node(node)) == node


@settings(max_examples=20)
@given(st.dictionaries(strings, strings, min_size=128, max_size=140))
def test_long_attribute_lists_round_trip(many: dict[str, str]) -> None:
    node = Node("a", many)
    assert decode_node(encode_node(node)) == node


@given(nodes)
def test_compressed_encoding_decodes_the_same(node: Node) -> None:
    encoded = encode_node(node)
    assert decode_node(b"\x02" + zlib.compress(encoded[1:])) == node


@given(st.integers(1 << 20, (1 << 20) + 7), st.binary(max_size=8))
def test_binary_32_round_trip(length: int, fill: bytes) -> None:
    node = Node("a", {}, [Node("b", {}, (fill or b"x") * (length // max(1, len(fill))))])
    assert decode_node(encode_node(node)) == node
