"""Groups and the phones' sender keys in the sandbox's data dir: round trips, restarts, old dirs."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botkit.core.binary import Node, encode_node
from botkit.core.stanza.group import CreateGroup
from botkit.server.app import Sandbox
from botkit.server.group_service import GroupService
from botkit.server.group_snapshots import group_json, groups_registry
from botkit.server.groups import Group, GroupRegistry
from botkit.server.phone_chat import PhoneChat
from botkit.server.routing import Router
from botkit.server.world import World
from botkit.types.group import ParticipantRole
from botkit.types.jid import JID

P1, P2, P3 = "15550003333", "15550004444", "15550005555"
FIXTURE = Path(__file__).parent / "fixtures" / "data_dir_v1"
"""A data dir written before groups were persisted (see fixtures/README.md)."""
FIXTURE_GROUP = JID.parse("120363954287997993@g.us")

_phones = st.text("0123456789", min_size=7, max_size=15)
_texts = st.text(max_size=40)
_times = st.integers(min_value=0, max_value=2**40)


@st.composite
def _groups(draw: st.DrawFn) -> Group:
    members = draw(st.dictionaries(_phones, st.sampled_from(ParticipantRole), min_size=1))
    number = draw(st.integers(min_value=0, max_value=10**12 - 1))
    return Group(
        jid=JID(f"120363{number:012d}", "g.us"),
        subject=draw(_texts),
        creator=draw(_phones),
        created=draw(_times),
        members=members,
        subject_owner=draw(_phones | st.just("")),
        subject_time=draw(_times),
        description=draw(_texts),
        description_id=draw(_texts),
        description_owner=draw(_phones | st.just("")),
        description_time=draw(_times),
        announce=draw(st.booleans()),
        locked=draw(st.booleans()),
        ephemeral=draw(st.sampled_from([0, 86_400, 604_800, 7_776_000])),
        approval=draw(st.booleans()),
        member_add_mode=draw(st.sampled_from(["admin_add", "all_member_add"])),
        invite_code=draw(st.text("0123456789abcdef", min_size=22, max_size=22)),
        pending=draw(st.sets(_phones)),
    )


def _fields(group: Group) -> dict[str, Any]:
    """Every field of ``group``, members as an ordered list (joining order matters)."""
    out = {f.name: getattr(group, f.name) for f in dataclasses.fields(Group)}
    out["members"] = list(group.members.items())
    return out


@settings(max_examples=40, deadline=None)
@given(
    st.lists(_groups(), max_size=4, unique_by=lambda g: g.jid),
    st.sets(_texts),
    st.integers(min_value=1, max_value=2**31),
)
def test_groups_round_trip_through_json(
    groups: list[Group], revoked: set[str], notice: int
) -> None:
    before = GroupRegistry()
    for group in groups:
        before.adopt(group)
    before.revoked_codes.update(revoked)
    before.next_notice = notice
    text = json.dumps(groups_registry(before).snapshot())
    after = GroupRegistry()
    groups_registry(after).restore(json.loads(text))
    assert [_fields(g) for g in after] == [_fields(g) for g in groups]
    assert (after.revoked_codes, after.next_notice) == (revoked, notice)
    assert json.dumps(groups_registry(after).snapshot()) == text


def test_every_field_of_a_group_is_written() -> None:
    group = Group(JID("120363000000000001", "g.us"), "s", P1, 1)
    assert set(group_json(group)) == {f.name for f in dataclasses.fields(Group)}


def test_a_group_file_of_another_kind_is_refused() -> None:
    registry = GroupRegistry()
    bad = {"groups": [{**group_json(Group(JID(P1, "s.whatsapp.net"), "s", P1, 1))}]}
    with pytest.raises(ValueError, match="not a group"):
        groups_registry(registry).restore(bad)
    with pytest.raises(ValueError, match="not a bool"):
        ok = group_json(Group(JID("120363000000000001", "g.us"), "s", P1, 1))
        groups_registry(registry).restore({"groups": [{**ok, "announce": "false"}]})


async def test_every_group_request_marks_the_state_changed() -> None:
    world = World()
    calls: list[None] = []
    service = GroupService(world, Router(world, {}), lambda: calls.append(None))
    creator = world.create_account(P1, "P1")
    await service.request(creator, CreateGroup("x", ()))
    assert len(calls) == 1


def _group_state(chat: PhoneChat) -> tuple[Any, ...]:
    return (
        {k: v.serialize() for k, v in chat.sender_keys.items()},
        {k: v.serialize() for k, v in chat.own_sender_keys.items()},
        dict(chat.key_holders),
    )


async def _three_phones(sandbox: Sandbox) -> JID:
    for phone in (P1, P2, P3):
        sandbox.create_user(phone, phone[-4:])
    members = [JID(phone, "s.whatsapp.net") for phone in (P2, P3)]
    return JID.parse((await sandbox.group_control.create(P1, "Kept", members))["jid"])


def _record_phone_sends(sandbox: Sandbox) -> list[Node]:
    """Record every message a simulated phone of ``sandbox`` composes from now on."""
    sent: list[Node] = []
    route = sandbox.router.phone_sends

    async def recording(account: Any, node: Node) -> int | None:
        sent.append(node)
        return await route(account, node)

    sandbox.router.phone_sends = recording  # type: ignore[method-assign]
    return sent


async def test_groups_and_the_phones_sender_keys_survive_a_restart(tmp_path: Path) -> None:
    async with Sandbox(data_dir=tmp_path) as first:
        group = await _three_phones(first)
        await first.group_control.settings(group, P1, {"description": "rules", "locked": True})
        for phone in (P1, P2):
            await first.send_text(phone, group, f"from {phone}")
        metadata = first.group_control.metadata(group)
        states = {p: _group_state(first.router.phone(_account(first, p))) for p in (P1, P2, P3)}
        notice = first.world.groups.next_notice
    assert states[P3][0] and states[P1][1] and states[P1][2]  # a key of each kind was kept

    async with Sandbox(data_dir=tmp_path) as second:
        assert second.group_control.metadata(group) == metadata
        assert second.world.groups.next_notice == notice > 1
        for phone in (P1, P2, P3):
            assert _group_state(second.router.phone(_account(second, phone))) == states[phone]
        sent = _record_phone_sends(second)
        await second.send_text(P1, group, "after the restart")
        assert sent[0].get_child("participants") is None  # no new SKDM: the holders were kept
        texts = [e["text"] for e in second.inbox(P3) if e["chat"] == str(group)]
        assert texts == ["from 15550003333", "from 15550004444", "after the restart"]


def _account(sandbox: Sandbox, phone: str) -> Any:
    account = sandbox.world.account(phone)
    assert account is not None
    return account


async def test_a_control_answer_about_a_group_is_on_disk(tmp_path: Path) -> None:
    async with Sandbox(data_dir=tmp_path) as sandbox:
        sandbox.create_user(P1, "P1")
        answer = await _post(sandbox.control_url + "/control/groups", {"creator": P1})
        on_disk = json.loads((tmp_path / "groups.json").read_text())
        assert [g["jid"] for g in on_disk["groups"]] == [answer["jid"]]


async def _post(url: str, body: dict[str, Any]) -> Any:
    def call() -> Any:
        request = urllib.request.Request(url, data=json.dumps(body).encode())
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    return await asyncio.to_thread(call)


async def test_a_data_dir_written_before_groups_were_kept_still_loads(tmp_path: Path) -> None:
    data = tmp_path / "old"
    shutil.copytree(FIXTURE, data)
    assert not (data / "groups.json").exists()
    async with Sandbox(data_dir=data) as upgraded:
        assert [a.phone for a in upgraded.world.accounts()] == [P1, P2]
        assert [e["text"] for e in upgraded.inbox(P2)] == [
            "one to one before the upgrade",
            "group text before the upgrade",
        ]
        assert list(upgraded.world.groups) == []  # that group was never written
        with pytest.raises(LookupError):
            upgraded.group_control.metadata(FIXTURE_GROUP)
        p2 = JID(P2, "s.whatsapp.net")
        group = JID.parse((await upgraded.group_control.create(P1, "New", [p2]))["jid"])
        await upgraded.send_text(P1, group, "a new group after the upgrade")
        await upgraded.send_text(P1, p2, "and a 1:1 on the old session")
    async with Sandbox(data_dir=data) as again:
        assert again.group_control.metadata(group)["subject"] == "New"
        await again.send_text(P1, group, "still flowing")
        assert [e["text"] for e in again.inbox(P2)][2:] == [
            "a new group after the upgrade",
            "and a 1:1 on the old session",
            "still flowing",
        ]


async def test_an_old_notification_held_in_a_mailbox_keeps_its_id_to_itself(tmp_path: Path) -> None:
    data = tmp_path / "old"
    shutil.copytree(FIXTURE, data)
    held = encode_node(Node("notification", {"id": "gp2-7", "type": "w:gp2"}))
    entry = ["notification", "gp2-7", "", "", base64.b64encode(held).decode()]
    (data / "mailboxes.json").write_text(json.dumps({f"{P1}:1@s.whatsapp.net": [entry]}))
    async with Sandbox(data_dir=data) as upgraded:
        assert upgraded.world.groups.notice_id() == "gp2-8"
