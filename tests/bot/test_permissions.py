"""Permission levels hold whether a user appears by phone number or by LID."""

from __future__ import annotations

import pytest

from botkit.bot import Permission
from botkit.bot.permissions import PermissionPolicy
from botkit.testing import FakeClient
from botkit.types import ParticipantRole
from botkit.types.group import GroupParticipant
from botkit.types.jid import JID

OWNER_PN = JID("15550002222", "s.whatsapp.net")
OWNER_LID = JID("200000000001", "lid")
ADMIN_PN = JID("15550003333", "s.whatsapp.net")
GROUP_ADMIN_PN = JID("15550004444", "s.whatsapp.net")
GROUP_ADMIN_LID = JID("200000000004", "lid")
MEMBER = JID("15550005555", "s.whatsapp.net")
GROUP = JID("120363000000000001", "g.us")


@pytest.fixture
def client() -> FakeClient:
    client = FakeClient()
    client.link(OWNER_PN, OWNER_LID)
    client.add_group(
        GROUP, "Demo", {GROUP_ADMIN_LID: ParticipantRole.ADMIN, MEMBER: ParticipantRole.MEMBER}
    )
    return client


@pytest.fixture
def policy(client: FakeClient) -> PermissionPolicy:
    return PermissionPolicy([OWNER_PN], [ADMIN_PN], client, client)


async def test_owner_by_phone_number(policy: PermissionPolicy) -> None:
    assert await policy.level(OWNER_PN, GROUP) is Permission.OWNER


async def test_owner_by_lid_through_the_resolver(policy: PermissionPolicy) -> None:
    assert await policy.level(OWNER_LID, GROUP) is Permission.OWNER


async def test_owner_by_lid_through_the_events_alternate(client: FakeClient) -> None:
    policy = PermissionPolicy([OWNER_PN], [], FakeClient(), client)
    assert await policy.level(OWNER_LID, GROUP) is Permission.MEMBER
    assert await policy.level(OWNER_LID, GROUP, alt=OWNER_PN) is Permission.OWNER


async def test_owner_device_jids_count(policy: PermissionPolicy) -> None:
    device = JID(OWNER_PN.user, OWNER_PN.server, device=3)
    assert await policy.level(device, GROUP) is Permission.OWNER


async def test_bot_admin(policy: PermissionPolicy) -> None:
    assert await policy.level(ADMIN_PN, MEMBER) is Permission.BOT_ADMIN


async def test_group_admin_listed_by_lid_writing_by_phone_number(
    client: FakeClient, policy: PermissionPolicy
) -> None:
    client.link(GROUP_ADMIN_PN, GROUP_ADMIN_LID)
    assert await policy.level(GROUP_ADMIN_PN, GROUP) is Permission.GROUP_ADMIN
    assert await policy.level(GROUP_ADMIN_LID, GROUP) is Permission.GROUP_ADMIN


async def test_group_admin_through_the_participants_alternate(client: FakeClient) -> None:
    info = client.groups[GROUP]
    client.groups[GROUP] = type(info)(
        GROUP,
        "Demo",
        (GroupParticipant(GROUP_ADMIN_LID, ParticipantRole.ADMIN, alt=GROUP_ADMIN_PN),),
    )
    policy = PermissionPolicy([], [], client, client)
    assert await policy.level(GROUP_ADMIN_PN, GROUP) is Permission.GROUP_ADMIN


async def test_group_admin_is_only_admin_of_that_group(policy: PermissionPolicy) -> None:
    assert await policy.level(GROUP_ADMIN_LID, GROUP_ADMIN_LID) is Permission.MEMBER


async def test_members_and_unknown_groups(policy: PermissionPolicy) -> None:
    assert await policy.level(MEMBER, GROUP) is Permission.MEMBER
    assert await policy.level(MEMBER, JID("999", "g.us")) is Permission.MEMBER


def test_levels_are_ordered() -> None:
    assert Permission.MEMBER < Permission.GROUP_ADMIN < Permission.BOT_ADMIN < Permission.OWNER
    assert Permission.GROUP_ADMIN.who == "group admins"
