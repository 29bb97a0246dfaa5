"""The group metadata cache: stored as JSON, asked once, kept right by changes."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from botkit.client.group_cache import MetadataCache, apply_change, decode_info, encode_info
from botkit.core.stanza.group import (
    AnnounceChange,
    DescriptionChange,
    EphemeralChange,
    ParticipantsChange,
    SubjectChange,
)
from botkit.errors import DecodeError
from botkit.store import AccountStore
from botkit.types.events import ParticipantAction
from botkit.types.group import AddressingMode, GroupInfo, GroupParticipant, ParticipantRole
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
    addressing_mode=AddressingMode.LID,
)

pns = st.builds(JID, st.from_regex(r"[1-9][0-9]{6,14}", fullmatch=True), st.just("s.whatsapp.net"))
lids = st.builds(JID, st.from_regex(r"[1-9][0-9]{6,14}", fullmatch=True), st.just("lid"))
participants = st.one_of(
    st.builds(GroupParticipant, pns, st.sampled_from(ParticipantRole), st.none() | lids),
    st.builds(GroupParticipant, lids, st.sampled_from(ParticipantRole), st.none() | pns),
)
infos = st.builds(
    GroupInfo,
    jid=st.just(GROUP),
    subject=st.text(max_size=30),
    participants=st.lists(participants, max_size=5).map(tuple),
    owner=st.none() | pns,
    announce=st.booleans(),
    locked=st.booleans(),
    created_at=st.integers(0, 2**31).map(float),
    ephemeral=st.integers(0, 10**8),
    approval=st.booleans(),
    addressing_mode=st.sampled_from(AddressingMode),
)


@given(infos)
def test_any_group_info_survives_the_store_format(info: GroupInfo) -> None:
    assert decode_info(encode_info(info)) == info


@pytest.mark.parametrize("blob", [b"", b"{}", b"\x00\xf8\x01\x09"])
def test_a_corrupt_entry_is_a_decode_error(blob: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_info(blob)


def test_changes_apply_to_participants_roles_and_settings() -> None:
    def change(action: ParticipantAction, *who: JID) -> ParticipantsChange:
        return ParticipantsChange(action, tuple(GroupParticipant(jid) for jid in who))

    info = apply_change(INFO, change(ParticipantAction.ADDED, CAROL))
    assert [p.jid for p in info.participants] == [ANN, BOB, CAROL]
    info = apply_change(info, change(ParticipantAction.PROMOTED, CAROL))
    assert info.participant(CAROL) == GroupParticipant(CAROL, ParticipantRole.ADMIN)
    info = apply_change(info, change(ParticipantAction.REMOVED, BOB))
    info = apply_change(info, change(ParticipantAction.REMOVED, ANN_PN))  # named by phone number
    assert [p.jid for p in info.participants] == [CAROL]
    for notified in (SubjectChange("New", 7, BOB), AnnounceChange(True), EphemeralChange(86400)):
        info = apply_change(info, notified)
    info = apply_change(info, DescriptionChange("D1", "rules"))
    assert (info.subject, info.subject_owner, info.announce, info.locked) == (
        "New",
        BOB,
        True,
        False,
    )
    assert (info.ephemeral, info.description, info.description_id) == (86400, "rules", "D1")


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
    change = ParticipantsChange(ParticipantAction.ADDED, (GroupParticipant(CAROL),))
    updated = await cache.apply(GROUP, change)
    assert updated is not None and updated.participant(CAROL) is not None
    restarted = MetadataCache(store, fetch)  # a new process: the store answers
    assert await restarted.get(GROUP) == updated
    assert asked == [GROUP]
    await restarted.forget(GROUP)
    assert await restarted.apply(GROUP, change) is None  # not held: left for the next fetch
    assert await restarted.get(GROUP) == INFO and asked == [GROUP, GROUP]


async def test_a_change_notified_while_the_group_is_fetched_is_not_lost(
    store: AccountStore,
) -> None:
    asked = asyncio.Event()
    answer: asyncio.Future[GroupInfo] = asyncio.get_running_loop().create_future()

    async def fetch(group: JID) -> GroupInfo:
        asked.set()
        return await answer  # the server answered before it applied the change below

    cache = MetadataCache(store, fetch)
    getting = asyncio.ensure_future(cache.get(GROUP))
    await asyncio.wait_for(asked.wait(), 1.0)
    removed = ParticipantsChange(ParticipantAction.REMOVED, (GroupParticipant(BOB),))
    assert await cache.apply(GROUP, removed) is None  # not held yet
    answer.set_result(INFO)
    assert (await getting).participant(BOB) is None
    assert (await cache.get(GROUP)).participant(BOB) is None


async def test_a_group_forgotten_while_it_is_fetched_is_not_stored(store: AccountStore) -> None:
    asked = asyncio.Event()
    answer: asyncio.Future[GroupInfo] = asyncio.get_running_loop().create_future()
    fetched: list[JID] = []

    async def fetch(group: JID) -> GroupInfo:
        fetched.append(group)
        asked.set()
        return await answer if len(fetched) == 1 else INFO

    cache = MetadataCache(store, fetch)
    getting = asyncio.ensure_future(cache.get(GROUP))
    await asyncio.wait_for(asked.wait(), 1.0)
    await cache.forget(GROUP)  # we were removed meanwhile
    answer.set_result(INFO)
    await getting
    assert await store.get_group(str(GROUP)) is None
    await cache.get(GROUP)
    assert fetched == [GROUP, GROUP]


async def test_a_change_notified_while_the_group_list_is_fetched_is_not_lost(
    store: AccountStore,
) -> None:
    asked = asyncio.Event()
    answer: asyncio.Future[list[GroupInfo]] = asyncio.get_running_loop().create_future()

    async def fetch_all() -> list[GroupInfo]:
        asked.set()
        return await answer

    async def fetch(group: JID) -> GroupInfo:
        raise AssertionError("the list answered it")

    cache = MetadataCache(store, fetch)
    listing = asyncio.ensure_future(cache.fetched(fetch_all))
    await asyncio.wait_for(asked.wait(), 1.0)
    await cache.apply(GROUP, SubjectChange("Renamed", 9, BOB))
    answer.set_result([INFO])
    assert [info.subject for info in await listing] == ["Renamed"]
    assert (await cache.get(GROUP)).subject == "Renamed"


async def test_sends_at_once_to_a_new_group_ask_for_it_once(store: AccountStore) -> None:
    asked: list[JID] = []
    answer: asyncio.Future[GroupInfo] = asyncio.get_running_loop().create_future()

    async def fetch(group: JID) -> GroupInfo:
        asked.append(group)
        return await answer

    cache = MetadataCache(store, fetch)
    getting = [asyncio.ensure_future(cache.get(GROUP)) for _ in range(3)]
    await asyncio.sleep(0)  # every get has started waiting
    answer.set_result(INFO)
    assert await asyncio.gather(*getting) == [INFO] * 3
    assert asked == [GROUP]
