"""The moderation commands: who may use them, and what each does."""

from __future__ import annotations

import pytest

from botkit.bot import Runtime
from botkit.testing import FakeClient, FakeClock
from botkit.types import GroupParticipantsChanged, ParticipantAction
from botkit.types.message import RevokeMessage

from .conftest import ADMIN, GROUP, MEMBER, OTHER, OWNER, MakeBot, pn

COMMANDS = [
    "!warn @15551230002 rude",
    "!unwarn @15551230002",
    "!warnings",
    "!kick @15551230002",
    "!ban @15551230002",
    "!unban @15551230002",
    "!antilink off",
    "!modlog",
]


async def run(bot: Runtime, client: FakeClient, text: str, sender: str = ADMIN) -> str:
    """Send command ``text`` in the group; return the bot's last text there."""
    mentions = [pn(word[1:]) for word in text.split() if word.startswith("@")]
    await bot.handle(client.message(text, sender=sender, chat=GROUP, mentions=mentions))
    return client.texts(GROUP)[-1]


def members(client: FakeClient) -> set[str]:
    return {p.jid.user for p in client.groups[GROUP].participants}


@pytest.mark.parametrize("text", COMMANDS)
async def test_members_may_not_moderate(make_bot: MakeBot, client: FakeClient, text: str) -> None:
    bot = make_bot()
    name = text.split()[0]
    assert await run(bot, client, text, sender=MEMBER) == f"{name} is only for group admins."
    assert len(client.sent) == 1 and client.participant_changes == []
    assert await run(bot, client, "!warnings", sender=OWNER) == "Nobody here has warnings."


async def test_commands_need_a_group(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot()
    await bot.handle(client.message("!warnings", sender=OWNER))
    assert client.texts() == ["This command works in groups only."]


async def test_warn_unwarn_and_warnings(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot()
    assert await run(bot, client, f"!warn @{OTHER} rude") == (
        f"@{OTHER}, this is warning 1 of 3: rude."
    )
    await run(bot, client, f"!warn @{OTHER}")
    assert await run(bot, client, "!warnings") == f"@{OTHER}: 2/3 — rude; warned by an admin"
    assert await run(bot, client, f"!unwarn @{OTHER}") == f"Took back a warning: @{OTHER} has 1/3."
    assert await run(bot, client, f"!warnings @{OTHER}") == f"@{OTHER}: 1/3 — rude"
    await run(bot, client, f"!unwarn @{OTHER}")
    assert await run(bot, client, f"!unwarn @{OTHER}") == f"@{OTHER} has no warnings."


async def test_the_third_manual_warning_removes(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot()
    for _ in range(3):
        await run(bot, client, f"!warn @{OTHER} rude")
    assert OTHER not in members(client)


async def test_admins_and_the_bot_cannot_be_targeted(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot()
    assert await run(bot, client, f"!kick @{ADMIN}", sender=OWNER) == (
        f"@{ADMIN} is an admin here; demote them first."
    )
    assert await run(bot, client, "!ban @15550000000") == "I will not do that to myself."
    assert client.participant_changes == []


async def test_kick(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot()
    assert (
        await run(bot, client, f"!kick {OTHER} spam")
        == f"@{OTHER} was removed from the group (spam)."
    )
    assert OTHER not in members(client)


async def test_a_banned_member_is_removed_again_on_rejoin(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    bot = make_bot()
    await run(bot, client, f"!ban @{OTHER} scams")
    assert OTHER not in members(client)
    await client.update_group_participants(GROUP, [pn(OTHER)], ParticipantAction.ADDED)
    rejoined = GroupParticipantsChanged(GROUP, ParticipantAction.ADDED, (pn(OTHER),), clock.now)
    await bot.handle(rejoined)
    assert OTHER not in members(client)
    assert [change[2] for change in client.participant_changes] == [
        ParticipantAction.REMOVED,
        ParticipantAction.ADDED,
        ParticipantAction.REMOVED,
    ]
    assert not any(text.startswith("Welcome") for text in client.texts(GROUP))
    # unbanned, they may stay
    assert await run(bot, client, f"!unban @{OTHER}") == f"@{OTHER} may rejoin."
    await client.update_group_participants(GROUP, [pn(OTHER)], ParticipantAction.ADDED)
    await bot.handle(rejoined)
    assert OTHER in members(client)
    assert client.texts(GROUP)[-1].startswith(f"Welcome to Demo group, @{OTHER}")


async def test_antilink_off_and_on_survives_a_restart(
    make_bot: MakeBot, client: FakeClient
) -> None:
    bot = make_bot()
    assert await run(bot, client, "!antilink off") == "Links are allowed in this group now."
    await bot.handle(client.message("https://evil.com", sender=MEMBER, chat=GROUP))
    restarted = make_bot()
    await restarted.handle(client.message("https://evil.com", sender=MEMBER, chat=GROUP))
    assert not any(isinstance(s.message, RevokeMessage) for s in client.sent)
    assert await run(restarted, client, "!antilink on") == "Links are filtered in this group now."
    await restarted.handle(client.message("https://evil.com", sender=MEMBER, chat=GROUP))
    assert sum(isinstance(s.message, RevokeMessage) for s in client.sent) == 1
    assert await run(restarted, client, "!antilink maybe") == "Usage: !antilink on|off"


async def test_modlog_shows_the_latest_decisions(make_bot: MakeBot, client: FakeClient) -> None:
    bot = make_bot()
    assert await run(bot, client, "!modlog") == "Nothing in the moderation log yet."
    await bot.handle(client.message("https://evil.com", sender=MEMBER, chat=GROUP))
    await run(bot, client, f"!kick @{OTHER} spam")
    log = await run(bot, client, "!modlog 5")
    assert log.splitlines()[0] == "Moderation log (latest 2):"
    assert log.splitlines()[1].endswith(
        f"@{MEMBER}: deleted, warned (1/3) — links to evil.com are not allowed here"
    )
    assert log.splitlines()[2].endswith(f"@{OTHER}: removed — spam (by @{ADMIN})")
    assert len((await run(bot, client, "!modlog 1")).splitlines()) == 2


async def test_a_rejoining_banned_member_is_removed_even_before_the_metadata_knows(
    make_bot: MakeBot, client: FakeClient, clock: FakeClock
) -> None:
    bot = make_bot()
    await run(bot, client, f"!ban @{OTHER}")
    rejoined = GroupParticipantsChanged(GROUP, ParticipantAction.ADDED, (pn(OTHER),), clock.now)
    await bot.handle(rejoined)  # the cached metadata has not seen the join yet
    assert client.participant_changes[-1] == (GROUP, (pn(OTHER),), ParticipantAction.REMOVED)
    assert len(client.participant_changes) == 2
