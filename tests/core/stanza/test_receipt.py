"""Receipts and acks (§9.8, §9.9, §10.3, §10.4, §10.6)."""

from __future__ import annotations

import random

import pytest

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.signal import PreKeyBundle, generate_identity_key_pair, generate_signed_prekey
from botkit.core.stanza import (
    ack,
    delivery_receipt,
    parse_receipt,
    parse_server_ack,
    read_receipt,
    retry_receipt,
)
from botkit.errors import DecodeError
from botkit.types.jid import JID

PEER = JID("222000222", "lid", 5)
GROUP = JID("120363000000000001", "g.us")
INCOMING = Node(
    "message", {"from": GROUP, "participant": PEER, "id": "M1", "t": "77", "type": "text"}
)


def test_delivery_receipt_copies_routing() -> None:
    assert delivery_receipt(INCOMING) == Node(
        "receipt", {"id": "M1", "to": GROUP, "participant": PEER}
    )
    assert delivery_receipt(INCOMING, "inactive").attrs["type"] == "inactive"


def test_ack_of_a_message_has_no_type_but_a_notification_keeps_it() -> None:
    assert ack(INCOMING, 487).attrs == {
        "class": "message",
        "id": "M1",
        "to": GROUP,
        "participant": PEER,
        "error": "487",
    }
    notification = Node("notification", {"from": PEER, "id": "N", "type": "encrypt"})
    assert ack(notification).attrs == {
        "class": "notification",
        "id": "N",
        "to": PEER,
        "type": "encrypt",
    }


def test_read_receipt_lists_further_ids() -> None:
    node = read_receipt(GROUP, ["a", "b", "c"], timestamp=5, sender=PEER)
    assert node.attrs == {"id": "a", "type": "read", "to": GROUP, "t": "5", "participant": PEER}
    assert node.content == [
        Node("list", {}, [Node("item", {"id": "b"}), Node("item", {"id": "c"})])
    ]
    with pytest.raises(ValueError):
        read_receipt(GROUP, [], timestamp=1)


def _bundle() -> PreKeyBundle:
    draw = random.Random(2).randbytes
    identity = generate_identity_key_pair(draw)
    signed = generate_signed_prekey(identity, 1, draw)
    return PreKeyBundle(
        1, identity.public, 1, signed.key_pair.public, signed.signature, 9, draw(32)
    )


def test_retry_receipt_shape_with_keys() -> None:
    node = retry_receipt(
        INCOMING, count=2, registration_id=0x0102, keys=_bundle(), device_identity=b"adv"
    )
    assert node.attrs == {"id": "M1", "type": "retry", "to": GROUP, "participant": PEER}
    assert [c.tag for c in node.children] == ["retry", "registration", "keys"]
    assert node.children[0].attrs == {"count": "2", "id": "M1", "v": "1", "t": "77"}
    assert node.children[1].content == b"\x00\x00\x01\x02"
    keys = node.children[2]
    assert [c.tag for c in keys.children] == ["type", "identity", "key", "skey", "device-identity"]


def test_retry_receipt_round_trip() -> None:
    bundle = _bundle()
    node = retry_receipt(INCOMING, count=3, registration_id=77, keys=bundle)
    received = Node("receipt", {**node.attrs, "from": PEER, "t": "9"}, node.content)
    parsed = parse_receipt(decode_node(encode_node(received)))
    assert parsed.type == "retry" and parsed.message_ids == ("M1",)
    assert parsed.retry is not None and parsed.retry.count == 3 and parsed.retry.timestamp == 77
    assert parsed.retry.bundle == PreKeyBundle(
        77,
        bundle.identity_key,
        bundle.signed_prekey_id,
        bundle.signed_prekey,
        bundle.signed_prekey_signature,
        bundle.prekey_id,
        bundle.prekey,
    )


def test_parse_delivered_and_read_receipts() -> None:
    delivered = parse_receipt(Node("receipt", {"from": PEER, "id": "X", "t": "1"}))
    assert delivered.type is None and delivered.message_ids == ("X",)
    items = [Node("list", {}, [Node("item", {"id": "Y"}), Node("item", {"id": "Z"})])]
    read = parse_receipt(
        Node("receipt", {"from": GROUP, "participant": PEER, "id": "X", "type": "read"}, items)
    )
    assert read.message_ids == ("X", "Y", "Z") and read.participant == PEER


@pytest.mark.parametrize(
    "node",
    [
        Node("ack", {"id": "1"}),
        Node("receipt", {"id": "1"}),
        Node("receipt", {"from": PEER}),
        Node("receipt", {"from": PEER, "id": "1", "type": "retry"}),
        Node("receipt", {"from": PEER, "id": "1", "type": "retry"}, [Node("retry", {})]),
        Node(
            "receipt",
            {"from": PEER, "id": "1", "type": "retry"},
            [Node("retry", {"count": "1"}), Node("registration", {}, b"\x01")],
        ),
        Node("receipt", {"from": PEER, "id": "1"}, [Node("list", {}, [Node("item")])]),
    ],
)
def test_hostile_receipts_raise_decode_error(node: Node) -> None:
    with pytest.raises(DecodeError):
        parse_receipt(node)


def test_server_ack() -> None:
    node = Node(
        "ack",
        {"class": "message", "id": "3EB0", "from": GROUP, "t": "100", "phash": "2:abc"},
    )
    parsed = parse_server_ack(decode_node(encode_node(node)))
    assert (parsed.id, parsed.ack_class, parsed.timestamp, parsed.phash) == (
        "3EB0",
        "message",
        100,
        "2:abc",
    )
    assert parsed.error is None
    failed = parse_server_ack(Node("ack", {"class": "message", "id": "1", "error": "479"}))
    assert failed.error == 479
    with pytest.raises(DecodeError):
        parse_server_ack(Node("ack", {"id": "1", "t": "x", "class": "message"}))
