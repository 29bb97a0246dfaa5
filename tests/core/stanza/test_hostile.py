"""Whatever a peer sends, the stanza readers raise only botkit's own errors."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from botkit.core.binary import Node
from botkit.core.e2e import LocalDevice, decrypt_incoming
from botkit.core.signal import generate_identity_key_pair
from botkit.core.stanza import (
    parse_count,
    parse_device_result,
    parse_key_fetch_result,
    parse_message,
    parse_receipt,
    parse_server_ack,
    result_payload,
)
from botkit.errors import BotkitError
from botkit.types.jid import JID

TAGS = [
    "message",
    "receipt",
    "ack",
    "iq",
    "enc",
    "list",
    "user",
    "usync",
    "devices",
    "device-list",
    "device",
    "lid",
    "key",
    "skey",
    "id",
    "value",
    "signature",
    "identity",
    "registration",
    "retry",
    "keys",
    "count",
    "error",
    "item",
    "participants",
    "to",
    "type",
]
KEYS = [
    "id",
    "from",
    "to",
    "t",
    "type",
    "v",
    "jid",
    "participant",
    "recipient",
    "count",
    "key-index",
    "is_hosted",
    "val",
    "code",
    "text",
    "class",
    "error",
    "value",
    "category",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "1",
            "2",
            "msg",
            "pkmsg",
            "skmsg",
            "retry",
            "result",
            "error",
            "true",
            "-1",
            "99999999999999999999",
            "",
            "x@g.us",
            "1:2@lid",
            "@@",
            "3EB0",
        ]
    ),
    st.text(max_size=8),
    st.builds(
        JID,
        st.sampled_from(["", "1", "120363"]),
        st.sampled_from(["lid", "g.us", "s.whatsapp.net", "broadcast"]),
        st.integers(0, 99),
    ),
)

nodes = st.recursive(
    st.builds(
        Node,
        st.sampled_from(TAGS),
        st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5),
        st.one_of(st.none(), st.binary(max_size=70)),
    ),
    lambda children: st.builds(
        Node,
        st.sampled_from(TAGS),
        st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5),
        st.lists(children, max_size=4),
    ),
    max_leaves=12,
)

_draw = random.Random(0).randbytes
LOCAL = LocalDevice(
    JID("1", "s.whatsapp.net", 2), JID("2", "lid", 2), generate_identity_key_pair(_draw), 7, b""
)


def _decrypt(node: Node) -> object:
    return decrypt_incoming(
        node,
        local=LOCAL,
        session=None,
        sender_key=None,
        signed_prekeys={},
        one_time_prekeys={},
        trusted_identity=None,
        rng=_draw,
    )


READERS: list[Callable[[Node], object]] = [
    parse_message,
    parse_receipt,
    parse_server_ack,
    parse_device_result,
    parse_key_fetch_result,
    parse_count,
    result_payload,
    _decrypt,
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node=nodes, reader=st.sampled_from(READERS))
def test_readers_raise_only_botkit_errors(node: Node, reader: Callable[[Node], object]) -> None:
    with contextlib.suppress(BotkitError):
        reader(node)


def _valid_nodes() -> list[Node]:
    """Well-formed answers and messages, to be damaged one detail at a time."""
    peer = JID("9", "lid", 3)
    bundle = [
        Node("registration", {}, b"\x00\x00\x00\x07"),
        Node("type", {}, b"\x05"),
        Node("identity", {}, bytes(32)),
        Node(
            "skey",
            {},
            [
                Node("id", {}, b"\x00\x00\x01"),
                Node("value", {}, bytes(32)),
                Node("signature", {}, bytes(64)),
            ],
        ),
        Node("key", {}, [Node("id", {}, b"\x00\x00\x02"), Node("value", {}, bytes(32))]),
    ]
    devices = Node(
        "devices",
        {},
        [
            Node(
                "device-list",
                {},
                [Node("device", {"id": "0"}), Node("device", {"id": "3", "key-index": "1"})],
            )
        ],
    )
    return [
        Node(
            "message",
            {"from": peer, "id": "A", "t": "1"},
            [Node("enc", {"v": "2", "type": "pkmsg"}, b"\x33" + bytes(60))],
        ),
        Node(
            "message",
            {"from": JID("1", "g.us"), "participant": peer, "id": "A", "t": "1"},
            [Node("enc", {"v": "2", "type": "skmsg"}, b"\x33" + bytes(90))],
        ),
        Node(
            "receipt",
            {"from": peer, "id": "A", "type": "retry"},
            [
                Node("retry", {"count": "2", "id": "A", "t": "1", "v": "1"}),
                Node("registration", {}, b"\x00\x00\x00\x07"),
                Node("keys", {}, bundle[1:]),
            ],
        ),
        Node(
            "iq",
            {"id": "1", "type": "result"},
            [Node("list", {}, [Node("user", {"jid": peer}, bundle)])],
        ),
        Node(
            "iq",
            {"id": "1", "type": "result"},
            [
                Node(
                    "usync",
                    {},
                    [
                        Node(
                            "list",
                            {},
                            [
                                Node(
                                    "user",
                                    {"jid": peer.to_non_ad()},
                                    [devices, Node("lid", {"val": peer})],
                                )
                            ],
                        )
                    ],
                )
            ],
        ),
        Node("ack", {"class": "message", "id": "A", "t": "5", "error": "0"}),
    ]


def _damage(node: Node, data: st.DataObject) -> Node:
    attrs = dict(node.attrs)
    for key in list(attrs):
        choice = data.draw(st.integers(0, 9))
        if choice == 0:
            del attrs[key]
        elif choice == 1:
            attrs[key] = data.draw(VALUES)
    content = node.content
    if isinstance(content, list):
        content = [_damage(child, data) for child in content if data.draw(st.integers(0, 9)) != 0]
    elif data.draw(st.integers(0, 5)) == 0:
        content = data.draw(st.one_of(st.none(), st.binary(max_size=70), st.just([])))
    return Node(node.tag, attrs, content)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), index=st.integers(0, 5), reader=st.sampled_from(READERS))
def test_damaged_stanzas_raise_only_botkit_errors(
    data: st.DataObject, index: int, reader: Callable[[Node], object]
) -> None:
    node = _damage(_valid_nodes()[index], data)
    with contextlib.suppress(BotkitError):
        reader(node)
