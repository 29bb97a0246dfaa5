"""Pre-key stanzas: count, upload, key fetch (PROTOCOL.md §7)."""

from __future__ import annotations

import random

import pytest

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.signal import (
    PreKeyBundle,
    generate_identity_key_pair,
    generate_prekeys,
    generate_signed_prekey,
)
from botkit.core.stanza import (
    bundle_children,
    count_query,
    key_fetch_query,
    parse_count,
    parse_key_fetch_result,
    upload_query,
)
from botkit.errors import DecodeError, IQError
from botkit.types.jid import JID, SERVER_JID

LID_DEVICE = JID("111000111", "lid", 3)
PN_DEVICE = JID("15550002222", "s.whatsapp.net")


@pytest.fixture
def bundle() -> PreKeyBundle:
    draw = random.Random(4).randbytes
    identity = generate_identity_key_pair(draw)
    signed = generate_signed_prekey(identity, 0x010203, draw)
    (key,) = generate_prekeys(0x0A0B0C, 1, draw)
    return PreKeyBundle(
        1234,
        identity.public,
        signed.key_id,
        signed.key_pair.public,
        signed.signature,
        key.key_id,
        key.key_pair.public,
    )


def _result(*children: Node) -> Node:
    return decode_node(encode_node(Node("iq", {"id": "1", "type": "result"}, list(children))))


def test_count_query_and_answer() -> None:
    assert count_query("5") == Node(
        "iq", {"id": "5", "xmlns": "encrypt", "type": "get", "to": SERVER_JID}, [Node("count")]
    )
    assert parse_count(_result(Node("count", {"value": "37"}))) == 37


@pytest.mark.parametrize("count", [Node("count"), Node("count", {"value": "-1"}), Node("other")])
def test_bad_count_answers(count: Node) -> None:
    with pytest.raises(DecodeError):
        parse_count(_result(count))


def test_upload_shape() -> None:
    draw = random.Random(1).randbytes
    identity = generate_identity_key_pair(draw)
    signed = generate_signed_prekey(identity, 1, draw)
    keys = generate_prekeys(0x10203, 2, draw)
    node = upload_query(
        "u",
        registration_id=0x01020304,
        identity_key=identity.public,
        prekeys=keys,
        signed_prekey=signed,
    )
    assert node.attrs["xmlns"] == "encrypt" and node.attrs["type"] == "set"
    assert [c.tag for c in node.children] == ["registration", "type", "identity", "list", "skey"]
    assert node.children[0].content == b"\x01\x02\x03\x04"
    assert node.children[1].content == b"\x05"
    first = node.get_path("list", "key", "id")
    assert first is not None and first.content == b"\x01\x02\x03"
    skey = node.get_child("skey")
    assert skey is not None and [c.tag for c in skey.children] == ["id", "value", "signature"]


def test_key_fetch_asks_lids_with_reason_identity() -> None:
    node = key_fetch_query("k", [LID_DEVICE, PN_DEVICE])
    users = node.get_path("key")
    assert users is not None
    assert [u.attrs for u in users.children] == [
        {"jid": LID_DEVICE, "reason": "identity"},
        {"jid": PN_DEVICE},
    ]


def test_bundles_round_trip(bundle: PreKeyBundle) -> None:
    error = Node("error", {"code": "404", "text": "item-not-found"})
    answer = _result(
        Node(
            "list",
            {},
            [
                Node("user", {"jid": LID_DEVICE}, bundle_children(bundle)),
                Node("user", {"jid": PN_DEVICE}, [error]),
            ],
        )
    )
    result = parse_key_fetch_result(answer)
    assert result.bundles == {LID_DEVICE: bundle}
    assert result.errors[PN_DEVICE].code == 404


def test_bundle_inside_keys_and_without_one_time_key(bundle: PreKeyBundle) -> None:
    children = bundle_children(bundle)
    registration, rest = children[0], [c for c in children[1:] if c.tag != "key"]
    user = Node("user", {"jid": LID_DEVICE}, [registration, Node("keys", {}, rest)])
    parsed = parse_key_fetch_result(_result(Node("list", {}, [user]))).bundles[LID_DEVICE]
    assert parsed.prekey is None and parsed.identity_key == bundle.identity_key


@pytest.mark.parametrize(
    ("tag", "content"),
    [("registration", b"\x01\x02\x03"), ("identity", bytes(33)), ("skey", b"")],
)
def test_malformed_bundles_raise_decode_error(
    bundle: PreKeyBundle, tag: str, content: bytes
) -> None:
    children = [Node(tag, {}, content) if c.tag == tag else c for c in bundle_children(bundle)]
    user = Node("user", {"jid": LID_DEVICE}, children)
    with pytest.raises(DecodeError):
        parse_key_fetch_result(_result(Node("list", {}, [user])))


def test_fetch_errors() -> None:
    with pytest.raises(IQError):
        parse_key_fetch_result(
            Node("iq", {"type": "error"}, [Node("error", {"code": "406", "text": "x"})])
        )
    with pytest.raises(DecodeError):
        parse_key_fetch_result(_result())
    with pytest.raises(DecodeError):
        parse_key_fetch_result(_result(Node("list", {}, [Node("user", {})])))
