"""A botkit client in sandbox groups with simulated phones: sender keys, admin work, events."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from botkit.bot.client_adapter import ClientAdapter
from botkit.client import Client, ServerConfig
from botkit.core.stanza.group import LeaveGroups
from botkit.errors import ClientError, InviteInvalid, NotAuthorized
from botkit.server import Sandbox
from botkit.store import AccountStore
from botkit.types.client_events import Connected, QRCodeShown
from botkit.types.events import (
    DecryptFailure,
    GroupInfoChanged,
    GroupJoined,
    GroupParticipantsChanged,
    MessageReceived,
    ParticipantAction,
    UndecryptableMessage,
)
from botkit.types.group import GroupSetting
from botkit.types.jid import JID
from botkit.types.message import TextMessage

from .helpers import FAST, PHONE, TIMEOUT, Events, own_key_id, pair_by_qr, sandbox_client

P1, P2 = "15550003333", "15550004444"


async def _inbox_texts(sandbox: Sandbox, phone: str, group: JID, count: int) -> list[Any]:
    """Wait until ``phone`` decrypted ``count`` texts (all in ``group``); return those in it."""
    async with asyncio.timeout(TIMEOUT):
        inbox = await sandbox.wait_inbox(phone, count)
    return [entry["text"] for entry in inbox if entry.get("chat") == str(group)]


@pytest.fixture
async def joined(sandbox: Sandbox, store: AccountStore) -> tuple[Client, Events]:
    for phone, name in ((P1, "P1"), (P2, "P2")):
        sandbox.create_user(phone, name)
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    return client, events


async def test_group_messages_both_ways_and_a_removed_member_stops_receiving(
    sandbox: Sandbox, store: AccountStore, joined: tuple[Client, Events]
) -> None:
    client, events = joined
    p1, p2 = (JID(phone, "s.whatsapp.net") for phone in (P1, P2))
    info = await client.groups.create("Team", [p1, p2])
    group = info.jid
    assert {p.jid.user for p in info.participants} == {PHONE, P1, P2}

    await client.send_message(group, TextMessage("hello team"))
    assert await _inbox_texts(sandbox, P1, group, 1) == ["hello team"]
    assert await _inbox_texts(sandbox, P2, group, 1) == ["hello team"]
    first_key = await own_key_id(store, group)

    sent = await sandbox.send_text(P1, group, "hi bot")
    got = await events.next(MessageReceived)
    assert (got.id, got.chat, got.text, got.sender.user) == (sent, group, "hi bot", P1)

    results = await client.groups.change_participants(group, [p2], ParticipantAction.REMOVED)
    assert [(r.jid.user, r.error) for r in results] == [(P2, 0)]
    await client.send_message(group, TextMessage("after removal"))
    assert await _inbox_texts(sandbox, P1, group, 2) == ["hello team", "after removal"]
    assert await own_key_id(store, group) != first_key  # rotated
    assert "after removal" not in await _inbox_texts(sandbox, P2, group, 2)  # fanned out at once
    await client.disconnect()


async def test_notifications_reach_the_client_and_a_non_admin_is_refused(
    sandbox: Sandbox, joined: tuple[Client, Events]
) -> None:
    client, events = joined
    own = JID(PHONE, "s.whatsapp.net")
    made = await sandbox.group_control.create(P1, "Theirs", [own, JID(P2, "s.whatsapp.net")])
    group = JID.parse(made["jid"])
    welcome = await events.next(GroupJoined)
    assert (welcome.group, welcome.info.subject) == (group, "Theirs")

    with pytest.raises(NotAuthorized):
        await client.groups.set_setting(group, GroupSetting.LOCKED, True)

    await sandbox.group_control.settings(group, P1, {"announce": True})
    changed = await events.next(GroupInfoChanged)
    assert (changed.group, changed.announce, changed.by is not None) == (group, True, True)
    assert (await client.groups.info(group)).announce

    p2_account = sandbox.world.account(P2)
    assert p2_account is not None
    await sandbox.groups.request(p2_account, LeaveGroups((group,)))  # P2 leaves
    left = await events.next(GroupParticipantsChanged)
    assert (left.action, left.left, [j.user for j in left.participants]) == (
        ParticipantAction.REMOVED,
        True,
        [P2],
    )
    members = await client.groups.members(group)
    assert {jid.user for jid in members.users} == {PHONE, P1}
    await client.disconnect()


async def test_invite_links_description_timer_listing_and_leaving(
    sandbox: Sandbox, joined: tuple[Client, Events]
) -> None:
    client, events = joined
    made = await sandbox.group_control.create(P1, "Open", [JID(P2, "s.whatsapp.net")])
    group = JID.parse(made["jid"])
    code = sandbox.group_control.metadata(group)["invite_code"]

    preview = await client.groups.invite_info(code)
    assert (preview.jid, preview.subject) == (group, "Open")
    assert (await client.groups.join(code)).group == group
    welcome = await events.next(GroupJoined)
    assert welcome.group == group

    with pytest.raises(InviteInvalid):
        await client.groups.invite_info("not-a-code")
    assert group in [info.jid for info in await client.groups.joined()]

    mine = (await client.groups.create("Mine", [JID(P1, "s.whatsapp.net")])).jid
    await client.groups.set_description(mine, "house rules")
    await client.groups.set_ephemeral(mine, 86400)
    fresh = await client.groups.info(mine, refresh=True)
    assert (fresh.description, fresh.ephemeral) == ("house rules", 86400)
    old_code = await client.groups.invite_code(mine)
    assert await client.groups.invite_code(mine, reset=True) != old_code

    await client.groups.leave(group)
    assert group not in [info.jid for info in await client.groups.joined()]
    await client.disconnect()


async def test_a_group_text_without_its_sender_key_is_asked_again_and_then_read(
    sandbox: Sandbox, store: AccountStore, joined: tuple[Client, Events]
) -> None:
    client, events = joined
    group = (await client.groups.create("Retry", [JID(P1, "s.whatsapp.net")])).jid
    await sandbox.send_text(P1, group, "first")
    assert (await events.next(MessageReceived)).text == "first"
    await store.delete_sender_keys(str(group))  # we lose P1's sender key

    sent = await sandbox.send_text(P1, group, "second")  # the skmsg alone: undecryptable
    failed = await events.next(UndecryptableMessage)
    assert (failed.id, failed.chat, failed.reason) == (sent, group, DecryptFailure.NO_SESSION)
    again = await events.next(MessageReceived)  # P1 answered our retry receipt
    assert (again.id, again.chat, again.text) == (sent, group, "second")
    await sandbox.send_text(P1, group, "third")  # and the key came with it
    assert (await events.next(MessageReceived)).text == "third"
    await client.disconnect()


async def test_the_runtime_adapter_reads_and_administers_groups(
    sandbox: Sandbox, store: AccountStore
) -> None:
    for phone, name in ((P1, "P1"), (P2, "P2")):
        sandbox.create_user(phone, name)
    server = ServerConfig.from_ready_line(sandbox.ready_line())
    adapter = ClientAdapter(store, server=server, timing=FAST)
    logins = adapter.subscribe(QRCodeShown, Connected)
    await adapter.connect()
    qr = await asyncio.wait_for(logins.get(), TIMEOUT)
    assert isinstance(qr, QRCodeShown)
    await sandbox.linker.pair_qr(PHONE, qr.code)
    assert isinstance(await asyncio.wait_for(logins.get(), TIMEOUT), Connected)
    p1, p2 = JID(P1, "s.whatsapp.net"), JID(P2, "s.whatsapp.net")
    group = (await adapter.client.groups.create("Adapter", [p1, p2])).jid

    assert [info.jid for info in await adapter.joined_groups()] == [group]
    await adapter.update_group_participants(group, [p2], ParticipantAction.REMOVED)
    await adapter.update_group_participants(group, [p1], ParticipantAction.PROMOTED)
    info = await adapter.group_info(group)
    assert {(p.jid.user, p.is_admin) for p in info.participants} == {(PHONE, True), (P1, True)}
    with pytest.raises(ClientError, match="refused"):  # P2 is no member any more
        await adapter.update_group_participants(group, [p2], ParticipantAction.DEMOTED)
    await adapter.set_group_setting(group, GroupSetting.ANNOUNCE, True)
    assert sandbox.group_control.metadata(group)["announce"] is True
    code = await adapter.group_invite_code(group)
    assert code == sandbox.group_control.metadata(group)["invite_code"]
    await adapter.send_chat_state(group, True)
    await adapter.close()
