"""The plugin in a bot: revoking, the warning ladder with decay, exemptions, dry run, the
not-admin notice, welcome and rules, and running before commands."""

from __future__ import annotations

import dataclasses

import botkit_plugin_moderation.state as state_module
import pytest
from botkit_plugin_moderation.engine import CLEAN, compile_policy
from botkit_plugin_moderation.settings import ModerationSettings
from botkit_plugin_moderation.state import ModerationState

from botkit.bot import PluginStore
from botkit.bot.dispatch import Outcome, ordered_impls
from botkit.errors import ClientError
from botkit.testing import FakeClient, FakeClock, MemoryKeyValueStore
from botkit.types import GroupParticipantsChanged, MessageEdited, ParticipantAction
from botkit.types.group import ParticipantRole
from botkit.types.jid import JID
from botkit.types.message import OutgoingMessage, RevokeMessage, TextMessage

from .conftest import ADMIN, BOT, DAY, GROUP, MEMBER, OTHER, OWNER, MakeBot, pn

LINK = "look at https://evil.com/deal"


def revoked(client: FakeClient) -> list[tuple[str, str | None]]:
    """Return (message id, author number) of every revoke the bot sent."""
    return [
        (
            sent.message.target.id,
            sent.message.target.sender.user if sent.message.target.sender else None,
        )
        for sent in client.sent
        if isinstance(sent.message, RevokeMessage)
    ]


def members(client: FakeClient) -> set[str]:
    return {p.jid.user for p in client.groups[GROUP].participants}


def set_role(client: FakeClient, number: str, role: ParticipantRole) -> None:
    info = client.groups[GROUP]
    people = tuple(
        dataclasses.replace(p, role=role) if p.jid.user == number else p for p in info.participants
    )
    client.groups[GROUP] = dataclasses.replace(info, participants=people)


async def test_a_link_is_revoked_for_everyone_and_warned_about(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot()
    message = client.message(LINK, sender=MEMBER, chat=GROUP)
    result = await bot.handle(message)
    assert (
        result is not None
        and result.outcome is Outcome.STOPPED
        and result.stopped_by == "moderation"
    )
    assert revoked(client) == [(message.id, MEMBER)]  # the member's message, as its participant
    [warning] = client.texts(GROUP)
    assert warning.startswith(
        f"@{MEMBER}, this is warning 1 of 3: links to evil.com are not allowed"
    )
    [text] = [s.message for s in client.sent if isinstance(s.message, TextMessage)]
    assert text.mentions == (pn(MEMBER),)


async def test_an_edit_that_adds_a_link_is_revoked_and_warned(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    bot = make_bot()
    message = client.message("hello", sender=MEMBER, chat=GROUP)
    await bot.handle(message)
    result = await bot.handle(MessageEdited(GROUP, pn(MEMBER), message.id, LINK, clock.time()))
    assert result is not None and result.stopped_by == "moderation"
    assert revoked(client) == [(message.id, MEMBER)]  # the original id: its edits go with it
    [warning] = client.texts(GROUP)
    assert warning.startswith(f"@{MEMBER}, this is warning 1 of 3: links to evil.com")


async def test_edits_are_no_flood_and_the_bots_own_are_not_judged(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    bot = make_bot(flood={"max_messages": 2, "per_seconds": 60})
    message = client.message("hello", sender=MEMBER, chat=GROUP)
    await bot.handle(message)
    for n in range(5):
        await bot.handle(MessageEdited(GROUP, pn(MEMBER), message.id, f"hello {n}", clock.time()))
    bot_lid = JID("200000000000", "lid")
    client.link(BOT, bot_lid)
    set_role(client, BOT, ParticipantRole.MEMBER)  # not exempt as an admin: skipped as itself
    for own in (pn(BOT), bot_lid):  # its edits made on another of its devices
        await bot.handle(MessageEdited(GROUP, own, "OWN1", LINK, clock.time()))
    assert client.sent == []


async def test_the_groups_own_invite_passes_and_another_groups_is_revoked(
    make_bot: MakeBot, client: FakeClient
) -> None:
    client.invite_codes[GROUP] = "OwnCode0123456789"
    bot = make_bot()
    ours = client.message(
        "join https://chat.whatsapp.com/OwnCode0123456789", sender=MEMBER, chat=GROUP
    )
    theirs = client.message("or chat.whatsapp.com/OtherCode98765432", sender=MEMBER, chat=GROUP)
    for message in (ours, theirs):
        await bot.handle(message)
    assert revoked(client) == [(theirs.id, MEMBER)]
    [warning] = client.texts(GROUP)
    assert "warning 1 of 3: invites to other groups are not allowed" in warning


async def test_an_invite_is_judged_without_the_code_when_the_bot_may_not_read_it(
    make_bot: MakeBot, client: FakeClient
) -> None:
    client.invite_codes[GROUP] = "OwnCode0123456789"
    set_role(client, BOT, ParticipantRole.MEMBER)  # only admins may read the code
    bot = make_bot()
    await bot.handle(
        client.message("chat.whatsapp.com/OwnCode0123456789", sender=MEMBER, chat=GROUP)
    )
    assert revoked(client) == []
    notice, warning = client.texts(GROUP)  # the refusal is no crash: it is moderated as before
    assert notice.startswith("I cannot moderate Demo group")
    assert "warning 1 of 3: invites to other groups" in warning


async def test_a_clean_message_passes(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot(anti_link={"allow": ["example.org"]})
    result = await bot.handle(
        client.message("hello https://example.org", sender=MEMBER, chat=GROUP)
    )
    assert result is not None and result.outcome is Outcome.COMPLETED and client.sent == []


async def test_the_third_warning_removes_the_member(
    make_bot: MakeBot, client: FakeClient, kv: MemoryKeyValueStore
) -> None:
    bot = make_bot(anti_link={"action": "warn"})
    for _ in range(3):
        await bot.handle(client.message(LINK, sender=MEMBER, chat=GROUP))
    assert client.participant_changes == [(GROUP, (pn(MEMBER),), ParticipantAction.REMOVED)]
    assert MEMBER not in members(client)
    texts = client.texts(GROUP)
    assert len(texts) == 3 and "warning 2 of 3" in texts[1] and "One more" in texts[1]
    assert texts[2].startswith(f"@{MEMBER} was removed from the group")
    # the ladder starts again if they come back
    assert ("plugin:moderation", f"warnings/{GROUP}/{pn(MEMBER)}") not in kv.values


async def test_warnings_decay(make_bot: MakeBot, client: FakeClient, clock: FakeClock) -> None:
    bot = make_bot(anti_link={"action": "warn"}, warnings={"kick_at": 2, "decay_days": 7})
    await bot.handle(client.message(LINK, sender=MEMBER, chat=GROUP))
    clock.now += 7 * DAY + 1  # the first warning has expired
    await bot.handle(client.message(LINK, sender=MEMBER, chat=GROUP))
    assert "warning 1 of 2" in client.texts(GROUP)[-1]
    clock.now += 6 * DAY  # the second has not
    await bot.handle(client.message(LINK, sender=MEMBER, chat=GROUP))
    assert MEMBER not in members(client)


async def test_an_explicit_kick_action_removes_at_once(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot(banned_words={"words": ["scam"], "action": "delete_and_kick"})
    await bot.handle(client.message("total SCÁM", sender=MEMBER, chat=GROUP))
    assert len(revoked(client)) == 1 and MEMBER not in members(client)


async def test_flood_and_mass_mentions(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    bot = make_bot(flood={"max_messages": 3, "per_seconds": 10, "action": "delete"})
    for _ in range(4):
        clock.now += 1
        await bot.handle(client.message("hi", sender=MEMBER, chat=GROUP))
    crowd = [pn(f"1555000{i:04d}") for i in range(6)]
    await bot.handle(client.message("look", sender=OTHER, chat=GROUP, mentions=crowd))
    assert [author for _, author in revoked(client)] == [MEMBER, OTHER]


async def test_admins_owners_and_the_allow_list_are_exempt(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot(exempt=[f"+{OTHER}"])
    for sender in (ADMIN, OWNER, OTHER):
        result = await bot.handle(client.message(LINK, sender=sender, chat=GROUP))
        assert result is not None and result.outcome is Outcome.COMPLETED
    assert client.sent == []


async def test_admins_can_be_moderated_when_configured(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot(exempt_admins=False)
    await bot.handle(client.message(LINK, sender=ADMIN, chat=GROUP))
    await bot.handle(client.message(LINK, sender=OWNER, chat=GROUP))  # owners still are not
    assert [author for _, author in revoked(client)] == [ADMIN]


async def test_dry_run_only_logs(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot(dry_run=True, anti_link={"action": "delete_and_kick"})
    result = await bot.handle(client.message(LINK, sender=MEMBER, chat=GROUP))
    assert result is not None and result.outcome is Outcome.COMPLETED  # not stopped either
    assert client.sent == [] and client.participant_changes == []
    await bot.handle(client.message("!modlog", sender=ADMIN, chat=GROUP))
    assert "[dry run] @15551230001: would delete+kick — links to evil.com" in client.texts()[-1]


async def test_a_bot_that_is_not_admin_tells_the_admins_once(
    make_bot: MakeBot, client: FakeClient, kv: MemoryKeyValueStore
) -> None:
    set_role(client, BOT, ParticipantRole.MEMBER)
    bot = make_bot()
    for _ in range(2):
        await bot.handle(client.message(LINK, sender=MEMBER, chat=GROUP))
    assert revoked(client) == []
    notices = [t for t in client.texts(GROUP) if "I need to be a group admin" in t]
    assert notices == [
        "I cannot moderate Demo group: I need to be a group admin to delete messages and "
        f"remove members. @{ADMIN}, please make me an admin."
    ]
    assert len(client.texts(GROUP)) == 3  # the notice and two warnings: warnings need no admin
    # after a restart the notice is not repeated
    again = make_bot()
    await again.handle(client.message(LINK, sender=MEMBER, chat=GROUP))
    assert sum("I need to be" in t for t in client.texts(GROUP)) == 1
    # made admin, it acts; demoted again, it tells the admins again
    set_role(client, BOT, ParticipantRole.ADMIN)
    await again.handle(client.message(LINK, sender=OTHER, chat=GROUP))
    assert len(revoked(client)) == 1
    set_role(client, BOT, ParticipantRole.MEMBER)
    await again.handle(client.message(LINK, sender=OTHER, chat=GROUP))
    assert sum("I need to be" in t for t in client.texts(GROUP)) == 2


async def test_moderation_runs_before_commands_and_stops_them(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot(banned_words={"words": ["spamword"]})
    assert ordered_impls(bot.manager.hooks.botkit_message)[0].plugin_name == "moderation"
    await bot.handle(client.message("!ping spamword", sender=MEMBER, chat=GROUP))
    assert "pong" not in client.texts() and len(revoked(client)) == 1


async def test_direct_messages_and_unlisted_groups_are_not_moderated(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot(groups=["Another group"])
    await bot.handle(client.message(LINK, sender=MEMBER, chat=GROUP))
    await bot.handle(client.message(LINK, sender=MEMBER))
    assert client.sent == []


async def test_per_group_overrides_by_name(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot(
        groups=[],
        anti_link={"allow": ["example.org"]},
        overrides={"demo GROUP": {"anti_link": {"deny": ["example.org"]}}},
    )
    await bot.handle(client.message("https://example.org", sender=MEMBER, chat=GROUP))
    assert len(revoked(client)) == 1


async def test_a_lid_sender_keeps_one_record(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot(anti_link={"action": "warn"}, warnings={"kick_at": 2})
    lid = "987654321@lid"
    await bot.handle(client.message(LINK, sender=MEMBER, chat=GROUP))
    await bot.handle(client.message(LINK, sender=lid, sender_alt=pn(MEMBER), chat=GROUP))
    assert MEMBER not in members(client)  # both warnings counted for one person


async def test_new_members_are_welcomed_with_the_rules(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    bot = make_bot(welcome={"rules": "1. Be kind."})
    joined = GroupParticipantsChanged(
        GROUP, ParticipantAction.ADDED, (pn("15557770001"),), clock.now
    )
    await bot.handle(joined)
    assert client.texts(GROUP) == [
        "Welcome to Demo group, @15557770001!\n\nPlease read the rules:\n1. Be kind."
    ]
    await bot.handle(client.message("!rules", sender="15557770001", chat=GROUP))
    assert client.texts(GROUP)[-1] == "1. Be kind."


async def test_a_refused_revoke_is_logged_and_the_ladder_goes_on(
    make_bot: MakeBot, client: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = client.send_message

    async def refuse_revokes(to: JID, message: OutgoingMessage) -> str:
        if isinstance(message, RevokeMessage):
            raise ClientError("refused")
        return await send(to, message)

    monkeypatch.setattr(client, "send_message", refuse_revokes)
    bot = make_bot()
    result = await bot.handle(client.message(LINK, sender=MEMBER, chat=GROUP))
    assert result is not None and result.stopped_by == "moderation"
    await bot.handle(client.message("!modlog", sender=ADMIN, chat=GROUP))
    assert "not deleted (the server refused), warned (1/3)" in client.texts(GROUP)[-1]


def test_idle_member_states_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_module, "_MAX_MEMBERS", 2)
    policy = compile_policy(ModerationSettings())
    state = ModerationState(ModerationSettings(), PluginStore(MemoryKeyValueStore(), "moderation"))
    for number, at in ((MEMBER, 0.0), (OTHER, 5000.0)):
        state.member(GROUP, pn(number), at).record(at, policy, CLEAN)
    kept = state.member(GROUP, pn(OTHER), 5000.0)
    state.member(GROUP, pn(ADMIN), 5000.0)  # a third member: the idle one is dropped
    assert state.member(GROUP, pn(OTHER), 5000.0) is kept
    assert not state.member(GROUP, pn(MEMBER), 5000.0).recent


async def test_a_log_only_rule_is_audited_and_lets_the_message_through(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot(rules=[{"name": "watchlist", "words": ["meh"], "action": "log"}])
    result = await bot.handle(client.message("meh", sender=MEMBER, chat=GROUP))
    assert result is not None and result.outcome is Outcome.COMPLETED and client.sent == []
    await bot.handle(client.message("!modlog", sender=ADMIN, chat=GROUP))
    assert client.texts(GROUP)[-1].endswith(f"@{MEMBER}: logged — watchlist")


async def test_without_group_metadata_it_still_tells_and_warns(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    unknown = "120363000000000099@g.us"  # the client cannot fetch its metadata
    bot = make_bot(overrides={"Some name": {}})  # a name override makes it look the subject up
    result = await bot.handle(client.message(LINK, sender=MEMBER, chat=unknown))
    assert result is not None and result.failed == () and result.stopped_by == "moderation"
    notice, warning = client.texts(unknown)
    assert notice == (  # it cannot tell whether it is an admin: it must not claim it is not
        "I cannot moderate this group: I could not fetch its details to check that I am a group "
        "admin."
    )
    assert warning.startswith(f"@{MEMBER}, this is warning 1 of 3")
    joined = GroupParticipantsChanged(
        JID.parse(unknown), ParticipantAction.ADDED, (pn(OTHER),), clock.now
    )
    outcome = await bot.handle(joined)
    assert outcome is not None and outcome.failed == ()
    assert client.texts(unknown)[-1] == f"Welcome to the group, @{OTHER}!"


async def test_reload_applies_the_new_moderation_section(
    make_bot: MakeBot, client: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = make_bot(banned_words={"words": ["spamword"], "action": "delete"})
    await bot.start()
    newer = make_bot(banned_words={"words": ["eggs"], "action": "delete"}).config
    monkeypatch.setattr(bot, "_load", lambda: newer)
    assert "moderation" in await bot.reload()
    await bot.handle(client.message("spamword", sender=MEMBER, chat=GROUP))
    assert revoked(client) == []
    await bot.handle(client.message("green eggs", sender=MEMBER, chat=GROUP))
    assert len(revoked(client)) == 1
    await bot.stop()


async def test_a_last_warning_that_cannot_remove_is_still_announced(
    make_bot: MakeBot, client: FakeClient
) -> None:
    set_role(client, BOT, ParticipantRole.MEMBER)
    bot = make_bot()
    for _ in range(3):
        await bot.handle(client.message(LINK, sender=MEMBER, chat=GROUP))
    assert client.texts(GROUP)[-1] == (
        f"@{MEMBER}, this is warning 3 of 3: links to evil.com are not allowed here."
    )
    assert MEMBER in members(client)


async def test_messages_without_text_count_for_floods_and_pass_the_word_rules(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    bot = make_bot(
        flood={"max_messages": 2, "per_seconds": 10, "action": "delete"},
        banned_words={"words": ["spamword"], "action": "delete"},
    )
    for _ in range(3):
        clock.now += 1
        sticker = dataclasses.replace(client.message("x", sender=MEMBER, chat=GROUP), text=None)
        result = await bot.handle(sticker)
        assert result is not None and result.failed == ()
    assert len(revoked(client)) == 1  # the third, for flooding


async def test_a_flood_by_phone_number_and_lid_is_one_flood(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    bot = make_bot(flood={"max_messages": 2, "per_seconds": 10, "action": "delete"})
    lid = "987654321@lid"
    for sender, alt in ((MEMBER, None), (lid, pn(MEMBER)), (MEMBER, None)):
        clock.now += 1
        await bot.handle(client.message("hi", sender=sender, sender_alt=alt, chat=GROUP))
    assert len(revoked(client)) == 1
