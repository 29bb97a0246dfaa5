"""The group metadata cache: stored as JSON, asked once, kept right by changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from botkit.client.group_cache import MetadataCache, apply_change, decode_info, encode_info
from botkit.errors import DecodeError
from botkit.store import AccountStore
from botkit.types.events import GroupInfoChanged, GroupParticipantsChanged, ParticipantAction
from botkit.types.group import GroupInfo, GroupParticipant, ParticipantRole
from botkit.types.jid import JID

GROUP = JID("120363000000000001", "g.us")
ANN = JID("111000111", "lid")
ANN_PN = JID("15550001111", "s.whatsapp.net")
BOB = JID("222000222", "lid")
CAROL = JID("333000333", "lid")
INFO = GroupInfo(
    GROUP,
    "Demo",
    (GroupParticipant(ANN, ParticipantRole.SUPERADMIN, ANN_PN), GroupParticipant(BOB)),
    addressing_lid=True,
)

users = st.builds(
    JID,
    st.from_regex(r"[1-9][0-9]{5,14}", fullmatch=True),
    st.sampled_from(["lid", "s.whatsapp.net"]),
)
participants = st.builds(
    GroupParticipant, users, st.sampled_from(ParticipantRole), st.none() | users
)
infos = st.builds(
    GroupInfo,
    jid=st.just(GROUP),
    subject=st.text(max_size=30),
    participants=st.lists(participants, max_size=5).map(tuple),
    description=st.text(max_size=30),
    owner=st.none() | users,
    announce=st.booleans(),
    locked=st.booleans(),
    created_at=st.floats(0, 2e9),
    ephemeral=st.integers(0, 10**8),
    approval=st.booleans(),
    addressing_lid=st.booleans(),
)


@given(infos)
def test_any_group_info_survives_the_store_format(info: GroupInfo) -> None:
    assert decode_info(encode_info(info)) == info


@pytest.mark.parametrize("blob", [b"", b"{}", b"[1]", b'{"jid": 5}'])
def test_a_corrupt_entry_is_a_decode_error(blob: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_info(blob)


def test_changes_apply_to_participants_roles_and_settings() -> None:
    def change(action: ParticipantAction, *who: JID) -> GroupParticipantsChanged:
        return GroupParticipantsChanged(GROUP, action, who, 1.0)

    info = apply_change(INFO, change(ParticipantAction.ADDED, CAROL, BOB))
    assert [p.jid for p in info.participants] == [ANN, BOB, CAROL]
    info = apply_change(info, change(ParticipantAction.PROMOTED, CAROL))
    assert info.participant(CAROL) == GroupParticipant(CAROL, ParticipantRole.ADMIN)
    info = apply_change(info, change(ParticipantAction.REMOVED, BOB))
    info = apply_change(info, change(ParticipantAction.LEFT, ANN_PN))  # named by phone number
    assert [p.jid for p in info.participants] == [CAROL]
    info = apply_change(
        info, GroupInfoChanged(GROUP, 2.0, subject="New", announce=True, ephemeral=86400)
    )
    assert (info.subject, info.announce, info.locked, info.ephemeral) == ("New", True, False, 86400)


async def test_asked_once_then_answered_and_updated_from_memory_and_store(
    store: AccountStore,
) -> None:
    asked: list[JID] = []

    async def fetch(group: JID) -> GroupInfo:
        asked.append(group)
        return INFO

    cache = MetadataCache(store, fetch)
    assert await cache.get(GROUP) == INFO
    assert await cache.get(GROUP) == INFO
    assert asked == [GROUP]
    change = GroupParticipantsChanged(GROUP, ParticipantAction.ADDED, (CAROL,), 1.0)
    updated = await cache.apply(change)
    assert updated is not None and updated.participant(CAROL) is not None
    restarted = MetadataCache(store, fetch)  # a new process: the store answers
    assert await restarted.get(GROUP) == updated
    assert asked == [GROUP]
    await restarted.forget(GROUP)
    assert await restarted.apply(change) is None  # not held: left for the next fetch
    assert await restarted.get(GROUP) == INFO and asked == [GROUP, GROUP]
