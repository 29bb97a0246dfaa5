"""The usync device query and its answer (PROTOCOL.md §9.3)."""

from __future__ import annotations

import pytest

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.stanza import device_query, parse_device_result
from botkit.errors import DecodeError, IQError
from botkit.types.jid import JID, SERVER_JID

ALICE = JID("111000111", "lid")
BOB_PN = JID("15550002222", "s.whatsapp.net")


def _answer(*users: Node) -> Node:
    usync = Node(
        "usync",
        {"sid": "s", "mode": "query", "context": "message", "index": "0", "last": "true"},
        [Node("result", {}, [Node("devices")]), Node("list", {}, list(users))],
    )
    return decode_node(encode_node(Node("iq", {"id": "1", "type": "result"}, [usync])))


def _devices(*entries: dict[str, str], key_index: bytes | None = None) -> Node:
    children = [Node("device-list", {}, [Node("device", e) for e in entries])]
    if key_index is not None:
        children.append(Node("key-index-list", {"ts": "1"}, key_index))
    return Node("devices", {}, children)


def test_query_shape() -> None:
    node = device_query([JID("111000111", "lid", 5), BOB_PN], request_id="9", sid="9")
    assert node.attrs == {"id": "9", "xmlns": "usync", "type": "get", "to": SERVER_JID}
    usync = node.get_child("usync")
    assert usync is not None
    assert usync.attrs == {
        "sid": "9",
        "mode": "query",
        "last": "true",
        "index": "0",
        "context": "message",
    }
    query = usync.get_child("query")
    assert query is not None
    assert query.children == [Node("devices", {"version": "2"}), Node("lid")]
    users = usync.get_path("list")
    assert users is not None
    assert [u.attrs["jid"] for u in users.children] == [ALICE, BOB_PN]  # devices stripped


def test_devices_need_a_key_index_except_device_zero() -> None:
    devices = _devices({"id": "0"}, {"id": "3", "key-index": "1"}, {"id": "4"})
    (user,) = parse_device_result(_answer(Node("user", {"jid": ALICE}, [devices])))
    assert user.user == ALICE
    assert user.devices == (JID("111000111", "lid"), JID("111000111", "lid", 3))


def test_lid_mapping_and_key_index_list() -> None:
    devices = _devices({"id": "0"}, key_index=b"\x01\x02")
    lid = Node("lid", {"val": ALICE})
    (user,) = parse_device_result(_answer(Node("user", {"jid": BOB_PN}, [devices, lid])))
    assert user.lid == ALICE and user.key_index_list == b"\x01\x02"
    assert user.devices == (BOB_PN,)


def test_hosted_devices_move_to_the_hosted_server() -> None:
    devices = _devices({"id": "0"}, {"id": "20", "key-index": "2", "is_hosted": "true"})
    (user,) = parse_device_result(_answer(Node("user", {"jid": ALICE}, [devices])))
    assert user.devices[1] == JID("111000111", "hosted.lid", 20)


def test_malformed_devices_are_left_out() -> None:
    devices = _devices({"id": "x"}, {"id": "70000", "key-index": "1"}, {"id": "0"}, {"id": "0"})
    (user,) = parse_device_result(_answer(Node("user", {"jid": ALICE}, [devices])))
    assert user.devices == (ALICE,)


def test_per_user_error() -> None:
    error = Node("devices", {}, [Node("error", {"code": "404", "text": "item-not-found"})])
    (user,) = parse_device_result(_answer(Node("user", {"jid": ALICE}, [error])))
    assert user.devices == () and user.error is not None and user.error.code == 404


def test_iq_error_raises() -> None:
    error = Node("iq", {"id": "1", "type": "error"}, [Node("error", {"code": "500"})])
    with pytest.raises(IQError):
        parse_device_result(error)


@pytest.mark.parametrize(
    "user",
    [
        Node("user", {}),
        Node("user", {"jid": "not a jid@"}),
        Node("user", {"jid": ALICE}, [Node("lid", {"val": "@@"})]),
    ],
)
def test_hostile_users_raise_decode_error(user: Node) -> None:
    with pytest.raises(DecodeError):
        parse_device_result(_answer(user))


def test_answer_without_list_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        parse_device_result(Node("iq", {"type": "result"}, [Node("usync")]))
