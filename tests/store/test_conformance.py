"""The conformance suite: every store backend behaves the same through the store protocols."""

from __future__ import annotations

from dataclasses import replace

import pytest

from botkit.core.signal.keys import KeyPair
from botkit.errors import AccountLocked, StoreError
from botkit.store import (
    AccountStore,
    AppStateSyncKey,
    AppStateUpdate,
    Contact,
    DeviceCredentials,
    InboundUnit,
    MessageKey,
    PreKey,
    SenderKeyUpdate,
    SentMessage,
    SignedPreKey,
    Store,
)
from botkit.testing import FakeClock
from botkit.types.jid import SignalAddress

ALICE = SignalAddress("15551234567", 0)
ALICE_PHONE2 = SignalAddress("15551234567", 3)
ALICE_LID = SignalAddress("123456789012345_1", 3)
BOB = SignalAddress("15559876543", 0)
GROUP = "120363000000000000@g.us"


def credentials() -> DeviceCredentials:
    return DeviceCredentials(
        noise_key=KeyPair.from_private(bytes(range(32))),
        identity_key=KeyPair.from_private(bytes(range(1, 33))),
        signed_pre_key=SignedPreKey(1, KeyPair.from_private(bytes(range(2, 34))), b"s" * 64),
        registration_id=0xDEADBEEF,
        adv_secret=b"a" * 32,
        jid="15550001111:7@s.whatsapp.net",
        lid="98765:7@lid",
        signed_device_identity=b"identity-proto",
        platform="android",
        push_name="Bot",
    )


def message(n: int = 1) -> MessageKey:
    return MessageKey("15551234567@s.whatsapp.net", "15551234567@s.whatsapp.net", f"3EB0{n:018X}")


@pytest.fixture
async def account(store: Store) -> AccountStore:
    return await store.open_account("main")


# -- credentials and pre-keys


async def test_credentials_round_trip(account: AccountStore) -> None:
    assert await account.load_credentials() is None
    await account.save_credentials(credentials())
    assert await account.load_credentials() == credentials()


async def test_pre_keys_are_generated_in_batches_with_sequential_ids(account: AccountStore) -> None:
    first = await account.get_or_generate_pre_keys(5)
    again = await account.get_or_generate_pre_keys(5)
    assert [k.key_id for k in first] == [1, 2, 3, 4, 5]
    assert again == first


async def test_uploaded_pre_keys_are_not_handed_out_again(account: AccountStore) -> None:
    await account.get_or_generate_pre_keys(5)
    await account.mark_pre_keys_uploaded(5)
    more = await account.get_or_generate_pre_keys(3)
    assert [k.key_id for k in more] == [6, 7, 8]
    assert await account.uploaded_pre_key_count() == 5


async def test_consumed_pre_key_is_gone_and_its_id_not_reused(account: AccountStore) -> None:
    keys = await account.get_or_generate_pre_keys(2)
    await account.mark_pre_keys_uploaded(2)
    await account.remove_pre_key(2)
    assert await account.get_pre_key(2) is None
    assert await account.get_pre_key(1) == PreKey(1, keys[0].key_pair, uploaded=True)
    assert [k.key_id for k in await account.get_or_generate_pre_keys(1)] == [3]


# -- sessions, identities, sender keys


async def test_sessions_by_pn_and_lid_address(account: AccountStore) -> None:
    await account.put_sessions({ALICE: b"s1", ALICE_PHONE2: b"s2", ALICE_LID: b"s3"})
    assert await account.get_session(ALICE_LID) == b"s3"
    assert await account.get_session(BOB) is None
    assert await account.get_sessions([ALICE, BOB, ALICE_PHONE2]) == {
        ALICE: b"s1",
        ALICE_PHONE2: b"s2",
    }


async def test_session_delete_one_and_all_devices(account: AccountStore) -> None:
    await account.put_sessions({ALICE: b"s1", ALICE_PHONE2: b"s2", BOB: b"b"})
    await account.delete_session(ALICE)
    assert await account.get_session(ALICE) is None
    await account.delete_sessions(ALICE.name)
    assert await account.get_sessions([ALICE, ALICE_PHONE2, BOB]) == {BOB: b"b"}


async def test_a_user_moves_to_its_lid_with_sessions_and_identities(account: AccountStore) -> None:
    lid = ALICE_LID.name
    lid_3 = SignalAddress(lid, 3)
    await account.put_sessions({ALICE: b"pn0", ALICE_PHONE2: b"pn3", lid_3: b"lid3", BOB: b"b"})
    await account.save_identity(ALICE, b"k0")
    assert await account.move_user(ALICE.name, lid) == 1
    moved = [SignalAddress(lid, 0), lid_3]
    assert await account.get_sessions([ALICE, ALICE_PHONE2, *moved, BOB]) == {
        moved[0]: b"pn0",
        lid_3: b"lid3",  # a session already under the LID wins
        BOB: b"b",
    }
    assert await account.get_identity(moved[0]) == b"k0"
    assert await account.get_identity(ALICE) is None
    assert await account.move_user(ALICE.name, lid) == 0


async def test_identity_is_trusted_on_first_use(account: AccountStore) -> None:
    assert await account.is_trusted_identity(ALICE, b"k1")
    assert await account.save_identity(ALICE, b"k1") is False
    assert await account.save_identity(ALICE, b"k1") is False
    assert await account.get_identity(ALICE) == b"k1"
    assert not await account.is_trusted_identity(ALICE, b"k2")


async def test_identity_change_is_recorded(account: AccountStore, clock: FakeClock) -> None:
    await account.save_identity(ALICE, b"k1")
    clock.now += 5
    assert await account.save_identity(ALICE, b"k2") is True
    [change] = await account.identity_changes(ALICE)
    assert (change.old_key, change.new_key, change.changed_at) == (b"k1", b"k2", clock.now)
    await account.delete_identities(ALICE.name)
    assert await account.get_identity(ALICE) is None
    assert len(await account.identity_changes(ALICE)) == 1


async def test_sender_keys(account: AccountStore) -> None:
    await account.put_sender_key(GROUP, ALICE_LID, b"r1")
    await account.put_sender_key(GROUP, ALICE_LID, b"r2")
    await account.put_sender_key("other@g.us", ALICE_LID, b"o")
    assert await account.get_sender_key(GROUP, ALICE_LID) == b"r2"
    await account.delete_sender_keys(GROUP)
    assert await account.get_sender_key(GROUP, ALICE_LID) is None
    assert await account.get_sender_key("other@g.us", ALICE_LID) == b"o"


# -- the unit of work and the journal


def unit(n: int = 1, record: bytes = b"session") -> InboundUnit:
    return InboundUnit(
        message=message(n),
        sessions={ALICE: record},
        consumed_pre_key=1,
        sender_keys=(SenderKeyUpdate(GROUP, ALICE, b"sender-" + record),),
        identities={ALICE: b"identity"},
    )


async def test_unit_commits_every_effect(account: AccountStore) -> None:
    await account.get_or_generate_pre_keys(2)
    assert await account.commit_inbound(unit()) is True
    assert await account.get_session(ALICE) == b"session"
    assert await account.get_pre_key(1) is None
    assert await account.get_sender_key(GROUP, ALICE) == b"sender-session"
    assert await account.get_identity(ALICE) == b"identity"
    assert await account.has_seen(message())


async def test_duplicate_unit_writes_nothing(account: AccountStore) -> None:
    await account.commit_inbound(unit(record=b"first"))
    assert await account.commit_inbound(unit(record=b"second")) is False
    assert await account.get_session(ALICE) == b"first"
    assert await account.get_sender_key(GROUP, ALICE) == b"sender-first"


async def test_a_unit_without_journal_keeps_its_records_but_not_the_message(
    account: AccountStore,
) -> None:
    await account.get_or_generate_pre_keys(2)
    kept = replace(unit(record=b"kept"), journal=False)
    assert await account.commit_inbound(kept) is True
    assert await account.get_session(ALICE) == b"kept"
    assert await account.get_pre_key(1) is None
    assert await account.get_sender_key(GROUP, ALICE) == b"sender-kept"
    assert not await account.has_seen(message())
    assert await account.commit_inbound(unit(record=b"later")) is True  # its redelivery counts


async def test_a_unit_without_journal_is_written_even_for_a_journaled_message(
    account: AccountStore,
) -> None:
    await account.commit_inbound(unit(record=b"first"))
    assert await account.commit_inbound(replace(unit(record=b"resent"), journal=False)) is True
    assert await account.get_session(ALICE) == b"resent"
    assert await account.commit_inbound(replace(InboundUnit(message(2)), journal=False))
    assert not await account.has_seen(message(2))


async def test_unit_trusting_a_new_identity_records_the_change(account: AccountStore) -> None:
    await account.save_identity(ALICE, b"old")
    await account.commit_inbound(unit())
    assert [c.new_key for c in await account.identity_changes(ALICE)] == [b"identity"]


async def test_unit_is_validated_before_writing(account: AccountStore) -> None:
    bad = InboundUnit(message=message(), consumed_pre_key=1 << 24)
    with pytest.raises(ValueError):
        await account.commit_inbound(bad)
    assert not await account.has_seen(message())


async def test_journal_is_pruned_by_age(account: AccountStore, clock: FakeClock) -> None:
    await account.commit_inbound(InboundUnit(message(1)))
    clock.now += 100
    await account.commit_inbound(InboundUnit(message(2)))
    assert await account.prune_journal(clock.now - 50) == 1
    assert not await account.has_seen(message(1))
    assert await account.has_seen(message(2))


# -- app state


async def test_app_state_keys(account: AccountStore) -> None:
    assert await account.latest_app_state_key() is None
    old = AppStateSyncKey(b"id1", b"d1", b"fp", 10)
    new = AppStateSyncKey(b"id2", b"d2", b"fp", 20)
    await account.put_app_state_key(new)
    await account.put_app_state_key(old)
    assert await account.get_app_state_key(b"id1") == old
    assert await account.latest_app_state_key() == new


async def test_app_state_versions_and_macs(account: AccountStore) -> None:
    fresh = await account.get_app_state_version("regular")
    assert (fresh.version, fresh.hash) == (0, bytes(128))
    await account.apply_app_state(AppStateUpdate("regular", 3, b"h" * 128, {b"i1": b"v1"}))
    await account.apply_app_state(
        AppStateUpdate("regular", 4, b"g" * 128, {b"i2": b"v2"}, removed=(b"i1",))
    )
    state = await account.get_app_state_version("regular")
    assert (state.version, state.hash) == (4, b"g" * 128)
    assert await account.get_value_macs("regular", [b"i1", b"i2"]) == {b"i2": b"v2"}
    await account.reset_app_state("regular")
    assert (await account.get_app_state_version("regular")).version == 0
    assert await account.get_value_macs("regular", [b"i2"]) == {}


# -- contacts, LIDs, caches


async def test_contacts(account: AccountStore) -> None:
    contact = Contact("15551234567@s.whatsapp.net", "Alice", "Alice A.", "ali", "")
    await account.put_contact(contact)
    assert await account.get_contact(contact.jid) == contact
    assert await account.get_contact("nobody@s.whatsapp.net") is None


async def test_lid_mapping_both_ways_and_remapping(account: AccountStore) -> None:
    await account.put_lid_mapping("111@lid", "555@s.whatsapp.net")
    assert await account.lid_for_pn("555@s.whatsapp.net") == "111@lid"
    assert await account.pn_for_lid("111@lid") == "555@s.whatsapp.net"
    await account.put_lid_mapping("222@lid", "555@s.whatsapp.net")
    assert await account.lid_for_pn("555@s.whatsapp.net") == "222@lid"
    assert await account.pn_for_lid("111@lid") is None


async def test_group_cache(account: AccountStore, clock: FakeClock) -> None:
    await account.put_group(GROUP, b"meta")
    cached = await account.get_group(GROUP)
    assert cached is not None and (cached.metadata, cached.fetched_at) == (b"meta", clock.now)
    await account.forget_group(GROUP)
    assert await account.get_group(GROUP) is None


async def test_device_list_expires(account: AccountStore, clock: FakeClock) -> None:
    await account.put_device_list("555@lid", [0, 3, 20], "2:abc")
    cached = await account.get_device_list("555@lid")
    assert cached is not None and cached.device_ids == (0, 3, 20)
    clock.now += 601
    assert await account.get_device_list("555@lid") is None


async def test_device_list_invalidation(account: AccountStore) -> None:
    await account.put_device_list("555@lid", [0], None)
    await account.invalidate_device_list("555@lid")
    assert await account.get_device_list("555@lid") is None


async def test_sent_messages_are_bounded(account: AccountStore) -> None:
    for n in range(5):
        await account.remember_sent(SentMessage("c@g.us", f"id{n}", b"p%d" % n, float(n)))
    assert await account.get_sent("c@g.us", "id1") is None
    assert await account.get_sent("c@g.us", "id4") == SentMessage("c@g.us", "id4", b"p4", 4.0)
    assert await account.get_sent("c@g.us", "id2") is not None


async def test_plugin_values_are_namespaced(account: AccountStore) -> None:
    await account.put_value("moderation", "b", b"2")
    await account.put_value("moderation", "a", b"1")
    await account.put_value("scheduler", "a", b"x")
    await account.delete_value("moderation", "b")
    assert await account.list_keys("moderation") == ["a"]
    assert await account.get_value("scheduler", "a") == b"x"
    assert await account.get_value("moderation", "b") is None


# -- accounts, leases, lifecycle


async def test_accounts_are_namespaced(store: Store) -> None:
    one = await store.open_account("one")
    two = await store.open_account("two")
    await one.put_sessions({ALICE: b"one"})
    await one.commit_inbound(InboundUnit(message()))
    assert await two.get_session(ALICE) is None
    assert not await two.has_seen(message())
    assert await store.list_accounts() == ["one", "two"]


async def test_wipe_forgets_the_account_only(store: Store) -> None:
    one = await store.open_account("one")
    two = await store.open_account("two")
    for account in (one, two):
        await account.save_credentials(credentials())
        await account.put_sessions({ALICE: b"s"})
    await one.wipe()
    assert await one.load_credentials() is None
    assert await one.get_session(ALICE) is None
    assert await two.get_session(ALICE) == b"s"


async def test_second_holder_fails_fast_naming_the_first(store: Store) -> None:
    first = await store.open_account("main", holder="host-a pid 1")
    with pytest.raises(AccountLocked, match="host-a pid 1") as caught:
        await store.open_account("main", holder="host-b pid 2")
    assert caught.value.holder == first.holder


async def test_lease_of_a_crashed_holder_expires(store: Store, clock: FakeClock) -> None:
    await store.open_account("main", holder="crashed")
    clock.now += 29
    with pytest.raises(AccountLocked):
        await store.open_account("main", holder="next")
    clock.now += 2
    assert (await store.open_account("main", holder="next")).holder == "next"


async def test_renewal_keeps_the_lease(store: Store, clock: FakeClock) -> None:
    first = await store.open_account("main", holder="first")
    clock.now += 20
    await first.renew_lease()
    clock.now += 20
    with pytest.raises(AccountLocked, match="first"):
        await store.open_account("main", holder="second")


async def test_holder_that_lost_its_lease_cannot_write(store: Store, clock: FakeClock) -> None:
    first = await store.open_account("main", holder="first")
    clock.now += 31
    await store.open_account("main", holder="second")
    with pytest.raises(AccountLocked, match="second"):
        await first.renew_lease()
    with pytest.raises(AccountLocked):
        await first.put_sessions({ALICE: b"late"})


async def test_close_releases_the_lease(store: Store) -> None:
    first = await store.open_account("main", holder="first")
    await first.close()
    assert (await store.open_account("main", holder="second")).holder == "second"


async def test_closed_account_refuses_writes(account: AccountStore) -> None:
    await account.close()
    with pytest.raises(StoreError):
        await account.commit_inbound(InboundUnit(message()))


async def test_large_fan_out_of_sessions(account: AccountStore) -> None:
    records = {SignalAddress(f"user{n}", n % 5): b"r%d" % n for n in range(5000)}
    await account.put_sessions(records)
    assert await account.get_sessions(records) == records


async def test_oversized_unit_is_refused(account: AccountStore) -> None:
    sessions = {SignalAddress(f"user{n}", 0): b"r" for n in range(1001)}
    with pytest.raises(ValueError):
        await account.commit_inbound(InboundUnit(message(), sessions))
    assert not await account.has_seen(message())
