"""The groups API and w:gp2 notifications against a hand-driven w:g2 server."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

import pytest

from botkit.client.group_events import GroupNotifications
from botkit.client.groups import Groups
from botkit.client.requests import Requests, Router
from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.stanza import error_reply, result_reply
from botkit.core.stanza.group import (
    AnnounceChange,
    ChangeParticipants,
    CreateGroup,
    GetInvite,
    GroupCreated,
    GroupNotification,
    GroupRequest,
    InviteInfo,
    ParticipantResult,
    ParticipantsChange,
    QueryGroup,
    SetAnnounce,
    SetLocked,
    SubjectChange,
    gp2_notification,
    group_node,
    invite_node,
    parse_group_request,
    participant_results_node,
)
from botkit.errors import InviteInvalid, IQError, NotAuthorized, NotFound
from botkit.store import AccountStore
from botkit.types.events import (
    GroupInfoChanged,
    GroupJoined,
    GroupParticipantsChanged,
    ParticipantAction,
)
from botkit.types.group import GroupInfo, GroupParticipant, GroupSetting, ParticipantRole
from botkit.types.jid import JID

from .helpers import Events
from .messaging_helpers import OWN_PN, paired_store

GROUP = JID("120363000000000001", "g.us")
ME = OWN_PN.to_non_ad()
BOB = JID("15550002222", "s.whatsapp.net")
CAROL = JID("15550003333", "s.whatsapp.net")
INFO = GroupInfo(
    GROUP,
    "Demo",
    (GroupParticipant(ME, ParticipantRole.SUPERADMIN), GroupParticipant(BOB)),
    owner=ME,
    created_at=1_700_000_000.0,
)


class Server:
    """Answers w:g2 requests from ``answer(request)``: a node to return or an error code."""

    def __init__(self) -> None:
        self.asked: list[GroupRequest] = []
        self.errors: dict[type, int] = {}
        self.requests = Requests(self.send, prefix="t", timeout=2.0)

    async def send(self, node: Node) -> None:
        node = decode_node(encode_node(node))
        request = parse_group_request(node)
        assert request is not None, node
        self.asked.append(request)
        code = self.errors.get(type(request))
        answer = error_reply(node, code) if code else result_reply(node, self._content(request))
        asyncio.get_running_loop().call_soon(self.requests.resolve, answer)

    @staticmethod
    def _content(request: GroupRequest) -> list[Node]:
        match request:
            case QueryGroup() | InviteInfo():
                return [group_node(INFO)]
            case CreateGroup(subject, participants):
                members = tuple(GroupParticipant(jid) for jid in participants)
                created = replace(
                    INFO, subject=subject, participants=INFO.participants[:1] + members
                )
                return [group_node(created)]
            case ChangeParticipants(_, action, jids):
                results = [ParticipantResult(j, 409 if j == CAROL else 0) for j in jids]
                return [participant_results_node(action, results)]
            case GetInvite():
                return [invite_node("AbCdEf")]
        return []


class Wiring:
    def __init__(self, store: AccountStore) -> None:
        self.server = Server()
        self.rotated: list[JID] = []
        self.events = Events()
        self.tasks: list[asyncio.Task[None]] = []
        self.groups = Groups(self.server.requests, store, rotate=self.rotate)
        self.router = Router(self.server.requests, self.sink)
        notes = GroupNotifications(
            self.groups.cache, store, emit=self.events, rotate=self.rotate, spawn=self.spawn
        )
        self.router.on_notification("w:gp2", notes.on_notification)

    async def rotate(self, group: JID) -> None:
        self.rotated.append(group)

    async def sink(self, node: Node) -> None:
        assert node.tag == "ack"

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        self.tasks.append(asyncio.ensure_future(work))

    async def notify(self, *changes: Any, actor: JID = BOB) -> None:
        note = GroupNotification(GROUP, "n1", 1_700_000_100, changes, actor)
        await self.router.dispatch(decode_node(encode_node(gp2_notification(note))))
        await asyncio.gather(*self.tasks)


@pytest.fixture
async def wiring(store: AccountStore) -> Wiring:
    return Wiring(await paired_store(store))


async def test_metadata_is_asked_once_and_members_come_from_the_cache(wiring: Wiring) -> None:
    assert await wiring.groups.info(GROUP) == INFO
    members = await wiring.groups.members(GROUP)
    assert members.users == (ME, BOB) and not members.addressing_lid
    await wiring.groups.info(GROUP)
    assert wiring.server.asked == [QueryGroup(GROUP)]


async def test_participant_changes_answer_per_participant_and_removal_rotates(
    wiring: Wiring,
) -> None:
    await wiring.groups.info(GROUP)
    results = await wiring.groups.change_participants(GROUP, [CAROL], ParticipantAction.ADDED)
    assert [(r.jid, r.error) for r in results] == [(CAROL, 409)]
    assert wiring.rotated == []
    results = await wiring.groups.change_participants(GROUP, [BOB], ParticipantAction.REMOVED)
    assert [(r.jid, r.error) for r in results] == [(BOB, 0)]
    assert wiring.rotated == [GROUP]
    assert (await wiring.groups.members(GROUP)).users == (ME,)


async def test_refusals_become_typed_errors(wiring: Wiring) -> None:
    wiring.server.errors = {SetAnnounce: 403, QueryGroup: 404, InviteInfo: 410, GetInvite: 500}
    with pytest.raises(NotAuthorized) as refused:
        await wiring.groups.set_setting(GROUP, GroupSetting.ANNOUNCE, True)
    assert refused.value.code == 403
    with pytest.raises(NotFound):
        await wiring.groups.info(GROUP)
    with pytest.raises(InviteInvalid):
        await wiring.groups.invite_info("gone")
    with pytest.raises(IQError):
        await wiring.groups.invite_code(GROUP)


async def test_create_settings_and_invite_code(wiring: Wiring) -> None:
    created = await wiring.groups.create("Team", [BOB, CAROL])
    assert created.subject == "Team" and created.participant(CAROL) is not None
    await wiring.groups.set_setting(GROUP, GroupSetting.LOCKED, True)
    assert (await wiring.groups.info(GROUP)).locked  # applied to the cache, not asked again
    assert await wiring.groups.invite_code(GROUP, reset=True) == "AbCdEf"
    assert wiring.server.asked[1:] == [
        SetLocked(GROUP, True),
        GetInvite(GROUP, True),
    ]


async def test_notifications_update_the_cache_rotate_and_become_events(wiring: Wiring) -> None:
    await wiring.groups.info(GROUP)
    await wiring.notify(ParticipantsChange(ParticipantAction.ADDED, (GroupParticipant(CAROL),)))
    await wiring.notify(SubjectChange("Renamed", 1_700_000_100), AnnounceChange(True))
    await wiring.notify(ParticipantsChange(ParticipantAction.REMOVED, (GroupParticipant(BOB),)))
    info = await wiring.groups.info(GROUP)
    assert [p.jid for p in info.participants] == [ME, CAROL]
    assert (info.subject, info.announce) == ("Renamed", True)
    assert wiring.rotated == [GROUP]  # Bob left: our key is rotated
    changes = wiring.events.of(GroupParticipantsChanged)
    assert [(c.action, c.participants, c.by, c.left) for c in changes] == [
        (ParticipantAction.ADDED, (CAROL,), BOB, False),
        (ParticipantAction.REMOVED, (BOB,), BOB, True),
    ]
    infos = wiring.events.of(GroupInfoChanged)
    assert [(i.subject, i.announce) for i in infos] == [("Renamed", None), (None, True)]
    assert len(wiring.server.asked) == 1  # all of it without asking the server again


async def test_being_added_or_created_is_a_joined_event_and_removal_forgets(
    wiring: Wiring,
) -> None:
    await wiring.notify(GroupCreated(INFO), actor=BOB)
    await wiring.notify(ParticipantsChange(ParticipantAction.ADDED, (GroupParticipant(ME),)))
    joined = wiring.events.of(GroupJoined)
    assert [(j.group, j.info, j.by) for j in joined] == [(GROUP, INFO, BOB)] * 2
    assert wiring.server.asked == [QueryGroup(GROUP)]  # the <add> needed the metadata
    await wiring.notify(ParticipantsChange(ParticipantAction.REMOVED, (GroupParticipant(ME),)))
    assert wiring.rotated == [GROUP]  # we miss later removals: our key must not outlive us
    await wiring.groups.info(GROUP)
    assert wiring.server.asked == [QueryGroup(GROUP)] * 2  # forgotten: asked again


async def test_a_create_notification_for_another_group_changes_nothing(wiring: Wiring) -> None:
    other = replace(INFO, jid=JID("120363000000000002", "g.us"), subject="Stray")
    await wiring.notify(GroupCreated(other), actor=BOB)  # from GROUP, about another group
    assert wiring.events.of(GroupJoined) == []
    await wiring.groups.info(other.jid)
    assert wiring.server.asked == [QueryGroup(other.jid)]  # nothing was cached from it
