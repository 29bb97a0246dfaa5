"""The simulated phone reads a group message part by part: a failing part loses nothing."""

from __future__ import annotations

from botkit.core.binary import Node
from botkit.core.stanza import split_for_devices
from botkit.server.app import Sandbox
from botkit.server.phone_chat import PhoneChat
from botkit.types.jid import JID

from .conftest import PHONE

READER = "15550006666"


def _device(phone: str) -> JID:
    return JID(phone, "s.whatsapp.net", 0)


def _to_reader(node: Node) -> Node:
    """Return what the server hands the reader's phone of the sender's group ``node``."""
    for device, part in split_for_devices(node, sender=_device(PHONE), timestamp=1):
        if device == _device(READER):
            return part
    attrs = {"from": node.attrs["to"], "participant": _device(PHONE), "id": node.attrs["id"]}
    encs = [child for child in node.children if child.tag == "enc"]
    return Node("message", {**attrs, "t": "1"}, encs)  # the skmsg alone


def _cut_short(node: Node, kind: str) -> Node:
    """Return ``node`` with its ``kind`` enc a byte short (it cannot decrypt then)."""

    def cut(child: Node) -> Node:
        if child.tag != "enc" or child.attrs["type"] != kind:
            return child
        assert isinstance(child.content, bytes)
        return Node("enc", child.attrs, child.content[:-1])

    return Node("message", node.attrs, [cut(child) for child in node.children])


def _types(node: Node) -> list[str]:
    return [str(child.attrs["type"]) for child in node.children if child.tag == "enc"]


async def _phones(sandbox: Sandbox) -> tuple[JID, PhoneChat, PhoneChat]:
    sandbox.create_user(READER, "Reader")
    created = await sandbox.group_control.create(PHONE, "Parts", [_device(READER).to_non_ad()])
    chats = []
    for phone in (PHONE, READER):
        account = sandbox.world.account(phone)
        assert account is not None
        chats.append(sandbox.router.phone(account))
    return JID.parse(created["jid"]), chats[0], chats[1]


async def test_the_phone_keeps_the_skdm_when_the_skmsg_fails(sandbox: Sandbox) -> None:
    group, sender, reader = await _phones(sandbox)
    first = _to_reader(sender.compose_group(group, "one"))
    assert _types(first) == ["pkmsg", "skmsg"]
    answers = reader.receive(_cut_short(first, "skmsg"))
    assert [(n.tag, n.attrs.get("type")) for n in answers] == [("receipt", "retry"), ("ack", None)]
    assert reader.inbox == [] and reader.sender_keys
    later = _to_reader(sender.compose_group(group, "two"))
    assert _types(later) == ["skmsg"]
    assert [n.attrs.get("type") for n in reader.receive(later)] == [None]
    assert [entry.text for entry in reader.inbox] == ["two"]


async def test_the_phone_reads_the_skmsg_when_the_pairwise_part_fails(sandbox: Sandbox) -> None:
    group, sender, reader = await _phones(sandbox)
    reader.receive(_to_reader(sender.compose_group(group, "one")))
    sender.key_holders[group].clear()  # the sender hands out the key again
    again = _to_reader(sender.compose_group(group, "two"))
    assert _types(again) == ["pkmsg", "skmsg"]
    retry, ack = reader.receive(_cut_short(again, "pkmsg"))
    assert retry.attrs.get("type") == "retry" and ack.tag == "ack"
    assert [entry.text for entry in reader.inbox] == ["one", "two"]
    asked = {k: v for k, v in retry.attrs.items() if k != "to"}
    asked.update({"from": group, "participant": _device(READER)})  # as the server routes it
    (resent,) = sender.receive(Node("receipt", asked, retry.content))
    resent_attrs = {**resent.attrs, "from": group, "participant": _device(PHONE)}
    del resent_attrs["to"]
    (receipt,) = reader.receive(Node("message", resent_attrs, resent.children))
    assert receipt.attrs.get("type") is None  # read again, and not a second inbox entry
    assert [entry.text for entry in reader.inbox] == ["one", "two"]
