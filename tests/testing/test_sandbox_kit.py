"""botkit.testing's sandbox fixtures: bots from config dicts, scripted users and their asserts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from botkit.errors import PluginError
from botkit.server import Sandbox
from botkit.testing import SandboxBots, SandboxUsers

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
COMMANDS = {"plugins": {"enabled": ["commands"], "paths": [str(PLUGINS)]}}


async def test_users_get_distinct_free_numbers(sandbox_users: SandboxUsers) -> None:
    alice = await sandbox_users.create("Alice")
    bob = await sandbox_users.create("Bob")
    carol = await sandbox_users.create("Carol", phone="15559990000")
    assert len({alice.phone, bob.phone, carol.phone}) == 3
    assert carol.jid.user == "15559990000" and carol.lid.server == "lid"
    with pytest.raises(ValueError):
        await sandbox_users.create("Carol again", phone="15559990000")


async def test_a_bot_answers_several_users_each_in_order(
    sandbox_bot: SandboxBots, sandbox_users: SandboxUsers
) -> None:
    bot = await sandbox_bot(COMMANDS)
    alice = await sandbox_users.create("Alice")
    bob = await sandbox_users.create("Bob")
    assert bot.phone not in {alice.phone, bob.phone}
    await alice.send(bot, "!ping")
    await bob.send(bot.jid, "!about")
    await alice.send(str(bot.jid), "!help ping")
    await alice.send(bot, "!ping")
    assert await alice.expect_reply("pong") == "pong"
    await alice.expect_reply(contains="Check that the bot answers")
    await alice.expect_reply("pong")
    await bob.expect_reply(contains="up ")
    assert [entry["text"] for entry in alice.received][::2] == ["pong", "pong"]


async def test_expect_reply_fails_on_another_text_and_on_silence(
    sandbox_bot: SandboxBots, sandbox_users: SandboxUsers
) -> None:
    bot = await sandbox_bot(COMMANDS)
    alice = await sandbox_users.create("Alice")
    await alice.send(bot, "!ping")
    with pytest.raises(AssertionError, match="expected 'PONG', got 'pong'"):
        await alice.expect_reply("PONG")
    with pytest.raises(AssertionError, match=r"received nothing within 0\.2 s"):
        await alice.expect_reply(timeout=0.2)  # nothing was sent: the wait must end


async def test_the_bot_uses_pair_with_and_its_own_config(
    sandbox_bot: SandboxBots, sandbox_users: SandboxUsers
) -> None:
    config = {**COMMANDS, "pair_with": "+1 555 012 3456", "bot": {"prefixes": ["?"]}}
    bot = await sandbox_bot(config)
    assert bot.phone == "15550123456"
    assert bot.running.client.own_jid == bot.jid
    alice = await sandbox_users.create("Alice")
    await alice.send(bot, "?ping")
    await alice.expect_reply("pong")


async def test_a_bad_plugin_fails_the_factory_with_its_error(
    sandbox_bot: SandboxBots, tmp_path: Path
) -> None:
    with pytest.raises(PluginError, match="nosuchplugin"):
        await sandbox_bot({"plugins": {"enabled": ["nosuchplugin"], "paths": []}})


async def test_wait_inbox_returns_once_the_inbox_has_grown(
    sandbox: Sandbox, sandbox_bot: SandboxBots, sandbox_users: SandboxUsers
) -> None:
    bot = await sandbox_bot(COMMANDS)
    alice = await sandbox_users.create("Alice")
    waiting = asyncio.create_task(sandbox.wait_inbox(alice.phone, 2))
    await alice.send(bot, "!ping")
    await alice.send(bot, "!ping")
    inbox = await asyncio.wait_for(waiting, 10)
    assert [entry["text"] for entry in inbox] == ["pong", "pong"]
    with pytest.raises(LookupError):
        await sandbox.wait_inbox("19999999999", 1)
