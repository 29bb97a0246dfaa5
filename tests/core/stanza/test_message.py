"""The <message> stanza: the outgoing fan-out shape (§9.5, §9.6) and incoming parsing (§10.1)."""

from __future__ import annotations

import pytest

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.stanza import Enc, message_node, parse_message, split_for_devices
from botkit.errors import DecodeError
from botkit.types.jid import JID

ME = JID("111000111", "lid", 2)
PEER = JID("222000222", "lid")
PEER_5 = JID("222000222", "lid", 5)
GROUP = JID("120363000000000001", "g.us")


def test_direct_message_shape() -> None:
    node = message_node(
        message_id="3EB0A",
        to=PEER,
        message_type="text",
        participants=[(PEER, Enc("pkmsg", b"a")), (PEER_5, Enc("msg", b"b"))],
        device_identity=b"adv",
        attrs={"peer_recipient_pn": JID("15550002222", "s.whatsapp.net")},
    )
    assert node.attrs["id"] == "3EB0A" and node.attrs["type"] == "text"
    assert [c.tag for c in node.children] == ["participants", "device-identity"]
    to_nodes = node.children[0].children
    assert [t.attrs["jid"] for t in to_nodes] == [PEER, PEER_5]
    assert to_nodes[0].children == [Node("enc", {"v": "2", "type": "pkmsg"}, b"a")]
    assert decode_node(encode_node(node)) == node


def test_group_message_puts_skmsg_after_participants() -> None:
    node = message_node(
        message_id="1",
        to=GROUP,
        message_type="text",
        participants=[(PEER, Enc("msg", b"k"))],
        group_enc=Enc("skmsg", b"s", decrypt_fail="hide"),
        attrs={"phash": "2:abc"},
    )
    assert [c.tag for c in node.children] == ["participants", "enc"]
    assert node.children[1].attrs == {"v": "2", "type": "skmsg", "decrypt-fail": "hide"}


def test_message_needs_someone_to_send_to() -> None:
    with pytest.raises(ValueError):
        message_node(message_id="1", to=PEER, message_type="text", participants=[])


def test_parse_direct_message() -> None:
    node = Node(
        "message",
        {
            "from": PEER_5,
            "id": "ABC",
            "t": "1700000000",
            "type": "text",
            "notify": "Bob",
            "sender_pn": JID("15550002222", "s.whatsapp.net"),
        },
        [
            Node("enc", {"v": "2", "type": "pkmsg", "count": "1"}, b"\x33x"),
            Node("device-identity", {}, b"adv"),
        ],
    )
    parsed = parse_message(decode_node(encode_node(node)))
    assert parsed.sender == PEER_5 and parsed.chat == PEER
    assert parsed.timestamp == 1_700_000_000 and parsed.notify == "Bob"
    assert parsed.encs == (Enc("pkmsg", b"\x33x", count=1),)
    assert parsed.device_identity == b"adv"
    assert parsed.alt_jids == {"sender_pn": JID("15550002222", "s.whatsapp.net")}


def test_parse_group_message() -> None:
    node = Node(
        "message",
        {"from": GROUP, "participant": PEER_5, "id": "G", "t": "1"},
        [
            Node("enc", {"v": "2", "type": "msg"}, b"p"),
            Node("enc", {"v": "2", "type": "skmsg"}, b"s"),
        ],
    )
    parsed = parse_message(node)
    assert parsed.sender == PEER_5 and parsed.chat == GROUP
    assert [e.type for e in parsed.encs] == ["msg", "skmsg"]


def test_own_device_message_names_the_chat_in_recipient() -> None:
    node = Node("message", {"from": ME, "recipient": PEER, "id": "O", "t": "1"}, [])
    assert parse_message(node).chat == PEER


@pytest.mark.parametrize(
    "node",
    [
        Node("receipt", {"from": PEER, "id": "1", "t": "1"}),
        Node("message", {"id": "1", "t": "1"}),
        Node("message", {"from": PEER, "t": "1"}),
        Node("message", {"from": PEER, "id": "", "t": "1"}),
        Node("message", {"from": PEER, "id": "1", "t": "soon"}),
        Node("message", {"from": "@@", "id": "1", "t": "1"}),
        Node("message", {"from": GROUP, "id": "1", "t": "1"}),
        Node("message", {"from": PEER, "id": "1", "t": "1"}, [Node("enc", {"type": "msg"}, b"x")]),
        Node(
            "message",
            {"from": PEER, "id": "1", "t": "1"},
            [Node("enc", {"v": "9", "type": "msg"}, b"x")],
        ),
        Node(
            "message",
            {"from": PEER, "id": "1", "t": "1"},
            [Node("enc", {"v": "2", "type": "msg"}, [])],
        ),
        Node("message", {"from": PEER, "id": "1", "t": "1"}, [Node("device-identity", {}, [])]),
    ],
)
def test_hostile_messages_raise_decode_error(node: Node) -> None:
    with pytest.raises(DecodeError):
        parse_message(node)


def test_split_for_devices_plays_the_server() -> None:
    node = message_node(
        message_id="M",
        to=PEER,
        message_type="text",
        participants=[(PEER, Enc("pkmsg", b"a")), (JID(ME.user, "lid", 0), Enc("msg", b"b"))],
        device_identity=b"adv",
    )
    (to_peer, peer_node), (_, mine_node) = split_for_devices(
        node, sender=ME, timestamp=9, notify="Me"
    )
    assert to_peer == PEER
    assert peer_node.attrs == {"from": ME, "id": "M", "t": "9", "type": "text", "notify": "Me"}
    assert [c.tag for c in peer_node.children] == ["enc", "device-identity"]
    assert mine_node.attrs["recipient"] == PEER
    assert [c.tag for c in mine_node.children] == ["enc"]  # a msg needs no device identity


def test_split_for_devices_in_groups() -> None:
    node = message_node(
        message_id="M",
        to=GROUP,
        message_type="text",
        participants=[(PEER, Enc("msg", b"a"))],
        group_enc=Enc("skmsg", b"s"),
    )
    ((_, delivered),) = split_for_devices(node, sender=ME, timestamp=1)
    assert delivered.attrs["from"] == GROUP and delivered.attrs["participant"] == ME
    assert [c.attrs["type"] for c in delivered.children] == ["msg", "skmsg"]


def test_split_refuses_a_to_without_enc() -> None:
    node = Node(
        "message", {"id": "1", "to": PEER}, [Node("participants", {}, [Node("to", {"jid": PEER})])]
    )
    with pytest.raises(DecodeError):
        split_for_devices(node, sender=ME, timestamp=1)
